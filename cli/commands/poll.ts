import type { Argv, CommandModule } from 'yargs';
import { pollAll, pollErrorText } from '../../shared/app/poll-servers.js';
import { startActivity } from '../progress.js';
import { pollProblem } from '../format-server.js';
import { warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

type PollArgs = TargetFlags & { verbose?: boolean };

/**
 * `slctl poll:all`: one poll cycle over every server (health, load, ended meetings), run from this machine
 * against the servers, `POLLER_CONCURRENCY` at a time. Prints nothing when every server answered, like
 * Scalelite (on a terminal, a progress line with the seconds elapsed, cleared at the end); each server that
 * did not is named on stderr with the reason (Scalelite only logs it). Exit 0 either way: the cycle ran.
 */
export const pollAllCommand: CommandModule<object, PollArgs> = {
  command: 'poll:all',
  describe: 'Poll every server once (health, load, ended meetings)',
  builder: (y) => y.option('verbose', { type: 'boolean', default: false, describe: 'Print the cycle report as JSON to stderr' }) as Argv<PollArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    const progress = startActivity('Polling servers');
    let report;
    try {
      report = await pollAll(deps);
    } finally {
      progress.done();
    }
    for (const f of report.failures) warn(pollProblem(f.id, `(${f.url}) failed the poll`, pollErrorText(f.reason, f.error)));
    if (argv.verbose) warn(JSON.stringify(report));
  },
};
