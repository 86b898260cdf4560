import type { Argv, CommandModule } from 'yargs';
import { clearServerMeetings } from '../bbb-tasks.js';
import { failedTo, findServer, idPositional, serverNotFound, truthyArg } from '../server-lookup.js';
import { say } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';
import { memo } from '../task-slice.js';

type PanicArgs = TargetFlags & { ID: string; KEEP_STATE?: string; SKIP_END_CALLS?: string; keepState?: boolean; skipEndCalls?: boolean };

/**
 * `slctl servers:panic ID [KEEP_STATE] [SKIP_END_CALLS]`: forgets every meeting on the server, asks the
 * server to end each (unless told not to), and disables it (unless told to keep its state).
 */
export const serversPanicCommand: CommandModule<object, PanicArgs> = {
  command: 'servers:panic <ID> [KEEP_STATE] [SKIP_END_CALLS]',
  describe: 'Clear all meetings of a server (ending them on BBB) and disable it',
  builder: (y) =>
    idPositional(y)
      .positional('KEEP_STATE', { type: 'string', describe: 'true: leave the state as it is (false/no/n/0/empty: disable)' })
      .positional('SKIP_END_CALLS', { type: 'string', describe: 'true: only forget the meetings, do not ask BBB to end them' })
      .option('keep-state', { type: 'boolean', describe: 'Same as KEEP_STATE=true' })
      .option('skip-end-calls', { type: 'boolean', describe: 'Same as SKIP_END_CALLS=true' })
      .example('$0 servers:panic bbb1', '')
      .example("$0 'servers:panic[bbb1,true]'", 'rake form: keep the state') as Argv<PanicArgs>,
  handler: async (argv) => {
    say(`Panicking server ${argv.ID}...`);
    const keepState = argv.keepState === true || truthyArg(argv.KEEP_STATE);
    const skipEndCalls = argv.skipEndCalls === true || truthyArg(argv.SKIP_END_CALLS);
    try {
      const deps = await cliDeps(process.env, argv);
      // read once: later slices of the task (cli/task-slice.ts) go on with the server as it was
      const server = await memo(() => findServer(deps, argv.ID));
      await clearServerMeetings(deps, server, !skipEndCalls);
      if (!keepState && !(await deps.store.servers.updateConfig(server.id, { state: 'disabled' }))) throw serverNotFound(server.id);
    } catch (e) {
      throw failedTo('panic', argv.ID, e);
    }
    say('OK');
  },
};
