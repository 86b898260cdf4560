import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeFailure } from './cli-error.js';
import { commands } from './commands/index.js';
import { expandRakeForm, unprotectArgv } from './rake-args.js';

/** slctl: Scalelite's rake tasks as a CLI (`slctl servers:add URL SECRET` or `slctl 'servers:add[URL,SECRET]'`). */
export async function main(argv: string[]): Promise<void> {
  const cli = yargs(expandRakeForm(argv))
    .scriptName('slctl')
    .usage('$0 <task> [args]\n\nManage a serverless Scalelite: servers, meetings, the local stack.')
    .option('endpoint', { type: 'string', describe: 'DynamoDB endpoint (default: DYNAMODB_ENDPOINT, else AWS)', global: true })
    .option('table', { type: 'string', describe: 'DynamoDB table (default: DYNAMODB_TABLE or scalelite)', global: true })
    .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION)', global: true })
    .option('profile', { type: 'string', describe: 'AWS profile for credentials', global: true })
    .middleware(unprotectArgv, true)
    .command(commands)
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
