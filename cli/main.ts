import type { CommandModule } from 'yargs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LOCAL_ONLY_TASKS, TARGETLESS_TASKS, taskNames } from './task-names.js';
import { CliError, describeFailure } from './cli-error.js';
import { commands } from './commands/index.js';
import { expandRakeForm, unprotectArgv } from './rake-args.js';
import { lambdaTarget, resolveTarget, type TargetArgs } from './target-resolution.js';

/**
 * A task as registered: on the lambda target (cli/target-resolution.ts) the admin function runs it
 * (cli/remote-task.ts) and slctl writes what it printed and exits with its code; on the direct target the
 * task runs here. Tasks that configure slctl or run the local stack run here whatever the target.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function onItsTarget(command: CommandModule<any, any>): CommandModule<any, any> {
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

/** slctl: Scalelite's rake tasks as a CLI (`slctl servers:add URL SECRET` or `slctl 'servers:add[URL,SECRET]'`). */
export async function main(argv: string[]): Promise<void> {
  const cli = yargs(expandRakeForm(argv))
    .scriptName('slctl')
    .usage('$0 <task> [args]\n\nManage a serverless Scalelite: servers, meetings, the local stack.')
    .option('endpoint', { type: 'string', describe: 'DynamoDB endpoint (default: DYNAMODB_ENDPOINT, a context, the local stack, else AWS)', global: true })
    .option('table', { type: 'string', describe: 'DynamoDB table (default: DYNAMODB_TABLE or scalelite)', global: true })
    .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION)', global: true })
    .option('profile', { type: 'string', describe: 'AWS profile for credentials', global: true })
    .option('via', { type: 'string', choices: ['direct', 'lambda'], describe: 'Target: the table itself, or the admin function (default: SLCTL_VIA, a context, else direct)', global: true })
    .option('function', { type: 'string', describe: 'Admin function to invoke with --via lambda (default: SLCTL_FUNCTION)', global: true })
    .option('endpoint-url', { type: 'string', describe: 'Lambda endpoint for --via lambda, e.g. the local stack (default: SLCTL_ENDPOINT_URL, else AWS)', global: true })
    .option('context', { type: 'string', describe: 'Named target from the contexts file (default: SLCTL_CONTEXT, else its `current`); see `slctl context`', global: true })
    .group(['via', 'function', 'endpoint-url', 'context', 'endpoint', 'table', 'region', 'profile'], 'Target:')
    .middleware(unprotectArgv, true)
    .command(commands.map(onItsTarget))
    .demandCommand(1, 'Name a task; `slctl --help` lists them.')
    .strictCommands()
    .recommendCommands()
    .completion('completion', 'Print a shell completion script (bash/zsh)')
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns || 120))
    .version(false)
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\n\nRun 'slctl --help' for the list of tasks.\n`);
      process.exit(64);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    const { message, exitCode } = describeFailure(e);
    process.stderr.write(`${message}\n`);
    process.exit(exitCode);
  }
}

await main(hideBin(process.argv));
