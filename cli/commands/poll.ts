import type { Argv, CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import { pollAll } from '../../shared/app/poll-servers.js';
import { startProgress, type Progress } from '../progress.js';
import { cliDeps, type TargetFlags } from '../target.js';

type PollArgs = TargetFlags & { verbose?: boolean };

/** The same deps, with a progress indicator that counts the cycle's getMeetings calls (one per server). */
async function withProgress(deps: Deps): Promise<{ deps: Deps; progress: Progress }> {
  const total = (await deps.store.servers.list()).length;
  const progress = startProgress('Polling servers', total);
  const bbb = Object.create(deps.bbb) as Deps['bbb'];
  bbb.call = async (...args: Parameters<Deps['bbb']['call']>) => {
    try {
      return await deps.bbb.call(...args);
    } finally {
      if (args[1] === 'getMeetings') progress.tick();
    }
  };
  return { deps: { ...deps, bbb }, progress };
}

/**
 * `slctl poll:all`: one poll cycle over every server (health, load, ended meetings), run from this machine
 * against the servers, `POLLER_CONCURRENCY` at a time. Prints nothing, like Scalelite (a progress
 * indicator on a terminal only).
 */
export const pollAllCommand: CommandModule<object, PollArgs> = {
  command: 'poll:all',
  describe: 'Poll every server once (health, load, ended meetings)',
  builder: (y) => y.option('verbose', { type: 'boolean', default: false, describe: 'Print the cycle report as JSON to stderr' }) as Argv<PollArgs>,
  handler: async (argv) => {
    const base = cliDeps(process.env, argv);
    const { deps, progress } = process.stderr.isTTY ? await withProgress(base) : { deps: base, progress: undefined };
    try {
      const report = await pollAll(deps);
      progress?.done();
      if (argv.verbose) process.stderr.write(`${JSON.stringify(report)}\n`);
    } finally {
      progress?.done();
    }
  },
};
