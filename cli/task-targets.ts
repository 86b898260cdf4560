import type { CommandModule } from 'yargs';
import { CliError } from './cli-error.js';
import { lambdaTarget, resolveTarget, type TargetArgs } from './target-resolution.js';
import { LOCAL_ONLY_TASKS, TARGETLESS_TASKS, taskNames } from './task-names.js';

/**
 * A task as registered: on the lambda target (cli/target-resolution.ts) the admin function runs it
 * (cli/remote-task.ts) and slctl writes what it printed and exits with its code; on the direct target the
 * task runs here. Tasks that configure slctl or run the local stack run here whatever the target.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onItsTarget(command: CommandModule<any, any>): CommandModule<any, any> {
  const handler = command.handler;
  const [task] = taskNames(command);
  if (!handler || !task || TARGETLESS_TASKS.has(task)) return command;
  return {
    ...command,
    handler: async (argv: Record<string, unknown> & TargetArgs) => {
      const target = await resolveTarget(process.env, argv);
      if (target.via === 'direct') return handler(argv as never);
      if (LOCAL_ONLY_TASKS.has(task)) {
        throw new CliError(`ERROR: ${task} reads files on this machine and runs here only: use the direct target (--via direct, with --endpoint/--table/--region or a context that reaches the table)`, 64);
      }
      const { runRemoteTask } = await import('./remote-task.js');
      process.exitCode = await runRemoteTask(lambdaTarget(target), task, argv);
    },
  };
}
