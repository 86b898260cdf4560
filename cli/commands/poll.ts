import type { Argv, CommandModule } from 'yargs';
import { pollAll } from '../../shared/app/poll-servers.js';
import { cliDeps, type TargetFlags } from '../target.js';

type PollArgs = TargetFlags & { verbose?: boolean };

/** `slctl poll:all`: one poll cycle over every server (health, load, ended meetings). Prints nothing, like Scalelite. */
export const pollAllCommand: CommandModule<object, PollArgs> = {
  command: 'poll:all',
  describe: 'Poll every server once (health, load, ended meetings)',
  builder: (y) => y.option('verbose', { type: 'boolean', default: false, describe: 'Print the cycle report as JSON to stderr' }) as Argv<PollArgs>,
  handler: async (argv) => {
    const deps = cliDeps(process.env, argv);
    const report = await pollAll(deps);
    if (argv.verbose) process.stderr.write(`${JSON.stringify(report)}\n`);
  },
};
