import type { Argv, CommandModule } from 'yargs';
import { clusterOverview } from '../../shared/app/cluster-overview.js';
import { POLL_HISTORY_SLOTS } from '../../shared/store/poll-history-repo.js';
import { CliError } from '../cli-error.js';
import { print } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

type DashboardDataArgs = TargetFlags & { cycles: number };

/**
 * `slctl dashboard:data` (hidden): the cluster overview `slctl dashboard` shows, as one line of JSON —
 * what the dashboard has the admin function run on the lambda target (cli/dashboard/dashboard-source.ts).
 * One read of the servers and one Query of the poll history.
 */
export const dashboardDataCommand: CommandModule<object, DashboardDataArgs> = {
  command: 'dashboard:data',
  describe: false,
  builder: (y) => y.option('cycles', { type: 'number', default: POLL_HISTORY_SLOTS, describe: 'Poll cycles to include' }) as Argv<DashboardDataArgs>,
  handler: async (argv) => {
    if (!Number.isInteger(argv.cycles) || argv.cycles < 0) throw new CliError(`ERROR: --cycles must be a whole number from 0, not ${argv.cycles}`, 64);
    const deps = await cliDeps(process.env, argv);
    print(`${JSON.stringify(await clusterOverview(deps, { servers: 'table', cycles: argv.cycles }))}\n`);
  },
};
