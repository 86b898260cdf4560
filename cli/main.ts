import type { CommandModule } from 'yargs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeFailure } from './cli-error.js';
import { expandRakeForm, unprotectArgv } from './rake-args.js';
import { useDirectTarget } from './target.js';
import { namesNoTask, TASK_LIST } from './task-list.js';

// slctl's own tasks reach the table and the bucket themselves (the admin function's run with its deps)
useDirectTarget(() => import('./direct-deps.js'));

/**
 * The tasks for yargs. Arguments that name no task (`slctl --help`, `slctl`) need only the task list the
 * build wrote into slctl (cli/task-list.ts): no command module is loaded. Otherwise every task is
 * registered from cli/commands/index.ts, each on its target (cli/task-targets.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function tasksFor(args: string[]): Promise<CommandModule<any, any>[]> {
  if (TASK_LIST && namesNoTask(args)) return TASK_LIST.map((t) => ({ ...t, aliases: t.aliases ? [...t.aliases] : undefined, command: t.command as string, handler: () => {} }));
  const [{ commands }, { onItsTarget }] = await Promise.all([import('./commands/index.js'), import('./task-targets.js')]);
  return commands.map(onItsTarget);
}

/** slctl: Scalelite's rake tasks as a CLI (`slctl servers:add URL SECRET` or `slctl 'servers:add[URL,SECRET]'`). */
export async function main(argv: string[]): Promise<void> {
  const args = expandRakeForm(argv);
  const cli = yargs(args)
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
    .command(await tasksFor(args))
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
