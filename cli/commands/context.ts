import type { Argv, CommandModule } from 'yargs';
import { CliError } from '../cli-error.js';
import { CONTEXT_KEYS, CONTEXT_NAME, changeContexts, contextValueProblem, loadContexts, type ContextKey, type SlctlContext } from '../contexts.js';
import { say, warn } from '../stdio.js';
import { FLAG_OF, NO_TARGET, resolveTarget, type Target, type TargetArgs, type TargetKey } from '../target-resolution.js';

/**
 * `slctl context` and `context:*`: which target a task would use, and the named contexts of the contexts
 * file (cli/contexts.ts). They run on this machine whatever the target (functions/admin TARGETLESS_TASKS).
 */

type Args = TargetArgs & { NAME?: string; none?: boolean };

const DIRECT_SHOWN: readonly TargetKey[] = ['endpoint', 'table', 'region', 'profile', 's3Endpoint', 'bucket'];
const LAMBDA_SHOWN: readonly TargetKey[] = ['function', 'endpointUrl', 'region', 'profile'];
/** What a direct target uses for a value nobody gave. */
const DIRECT_DEFAULTS: Partial<Record<TargetKey, string>> = { endpoint: 'AWS', table: 'scalelite', s3Endpoint: 'AWS', bucket: 'scalelite-recordings' };

const label = (key: TargetKey) => FLAG_OF[key].replace(/^--/, '');

/** Can the AWS SDK find a region by itself (AWS_PROFILE's or the default profile's `~/.aws/config`)? */
async function sdkRegion(profile: string | undefined): Promise<string | undefined> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient(profile ? { profile } : {});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** The rows of `slctl context`: value and where it comes from. */
async function targetRows(target: Target, env: NodeJS.ProcessEnv): Promise<{ rows: [string, string, string][]; none: boolean }> {
  const rows: [string, string, string][] = [['via', target.via, target.viaSource]];
  let none = false;
  for (const key of target.via === 'lambda' ? LAMBDA_SHOWN : DIRECT_SHOWN) {
    const set = target.values[key];
    if (set) {
      rows.push([label(key), set.value, set.source]);
    } else if (key === 'region') {
      const needed = target.via === 'lambda' || !target.values.endpoint;
      const found = needed ? await sdkRegion(target.values.profile?.value) : undefined;
      if (needed && !found) none = true;
      rows.push([label(key), found ?? '-', found ? 'AWS SDK (~/.aws/config)' : needed ? 'none' : 'not needed']);
    } else if (key === 'profile') {
      rows.push([label(key), env.AWS_PROFILE || '-', env.AWS_PROFILE ? 'AWS_PROFILE' : 'AWS SDK default chain']);
    } else {
      rows.push([label(key), DIRECT_DEFAULTS[key] ?? '-', DIRECT_DEFAULTS[key] ? 'default' : 'none']);
    }
  }
  return { rows, none };
}

/** `slctl context`: the target a task would use with these flags and this environment, and why. */
export const contextCommand: CommandModule<object, Args> = {
  command: 'context',
  describe: 'Show the target a task would use (direct or the admin function) and where each value comes from',
  handler: async (argv) => {
    const target = await resolveTarget(process.env, argv);
    const { rows, none } = await targetRows(target, process.env);
    const v = (k: TargetKey) => target.values[k]?.value;
    if (target.via === 'lambda') say(`Target: the admin function ${v('function') ?? '(none named)'} at ${v('endpointUrl') ?? `AWS Lambda${v('region') ? ` in ${v('region')}` : ''}`}`);
    else say(`Target: the table ${v('table') ?? 'scalelite'} at ${v('endpoint') ?? `AWS DynamoDB${v('region') ? ` in ${v('region')}` : ''}`}`);
    const width = (i: number) => Math.max(...rows.map((r) => r[i].length));
    for (const [k, value, source] of rows) say(`  ${k.padEnd(width(0))}  ${value.padEnd(width(1))}  ${source}`);
    say(`Context: ${target.context ? `${target.context.name} (${target.context.source})` : 'none'}; contexts file ${target.contextsFile}`);
    if (target.localStack) say(`Local stack: ${target.localStack.file} (pid ${target.localStack.pid})`);
    if (target.via === 'lambda' && !v('function')) throw new CliError('ERROR: no admin function named: --function, SLCTL_FUNCTION or a context', 2);
    if (none) throw new CliError(NO_TARGET, 3);
  },
};

/** The values `context:set` takes from its flags (the global target flags and the bucket's). */
function contextFromFlags(argv: Args & Record<string, unknown>): SlctlContext {
  const context: SlctlContext = {};
  for (const key of CONTEXT_KEYS) {
    const value = argv[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new CliError(`ERROR: ${FLAG_OF[key]} takes one value`, 64);
    const problem = contextValueProblem(key as ContextKey, value);
    if (problem) throw new CliError(`ERROR: ${problem.replace(/^\w+/, FLAG_OF[key])}`, 64);
    context[key] = value;
  }
  return context;
}

const namePositional = <T>(y: Argv<T>) => y.positional('NAME', { type: 'string', describe: 'Context name (letters, digits, _ . -)' });

function checkName(name: string | undefined): string {
  if (!name) throw new CliError('ERROR: name the context', 64);
  if (!CONTEXT_NAME.test(name)) throw new CliError(`ERROR: ${JSON.stringify(name)} is not a context name (letters, digits, _ . -; at most 63)`, 64);
  return name;
}

/** `slctl context:set NAME --via lambda --function F --region R …`: creates or replaces a context. */
export const contextSetCommand: CommandModule<object, Args> = {
  command: 'context:set <NAME>',
  describe: 'Create or replace a named target, given by the target flags',
  builder: (y) =>
    namePositional(y)
      .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint of the recordings bucket (direct target)' })
      .option('bucket', { type: 'string', describe: 'Recordings bucket (direct target)' })
      .example('$0 context:set prod --via lambda --function scalelite-prod-AdminFunction-X1 --region eu-west-1 --profile ops', '')
      .example('$0 context:set staging --region eu-central-1 --table scalelite-staging', '') as Argv<Args>,
  handler: async (argv) => {
    const name = checkName(argv.NAME);
    const context = contextFromFlags(argv as Args & Record<string, unknown>);
    if (Object.keys(context).length === 0) throw new CliError(`ERROR: give the context's target: ${CONTEXT_KEYS.map((k) => FLAG_OF[k]).join(', ')}`, 64);
    const file = await changeContexts(process.env, { set: { name, context } });
    say(`Context ${name} saved in ${file.path}`);
  },
};

/** `slctl context:use NAME` (or `--none`): the context tasks use when none is named. */
export const contextUseCommand: CommandModule<object, Args> = {
  command: 'context:use [NAME]',
  describe: 'Make a context the one tasks use when none is named (--none: no such context)',
  builder: (y) => namePositional(y).option('none', { type: 'boolean', default: false, describe: 'Clear the current context' }) as Argv<Args>,
  handler: async (argv) => {
    if (argv.none) {
      if (argv.NAME) throw new CliError('ERROR: give a NAME or --none, not both', 64);
      const file = await changeContexts(process.env, { use: undefined });
      say(`No current context in ${file.path}`);
      return;
    }
    const name = checkName(argv.NAME);
    const { contexts, path } = await loadContexts(process.env);
    if (!contexts.has(name)) throw new CliError(`ERROR: no context named ${name} in ${path}`, 1);
    await changeContexts(process.env, { use: name });
    say(`Current context: ${name}`);
  },
};

const summary = (c: SlctlContext) =>
  CONTEXT_KEYS.filter((k) => c[k] !== undefined)
    .map((k) => `${label(k)} ${c[k]}`)
    .join(', ');

/** `slctl context:list`: the contexts, the current one marked `*`. */
export const contextListCommand: CommandModule<object, Args> = {
  command: 'context:list',
  describe: 'List the named targets (* marks the current one)',
  handler: async () => {
    const { contexts, current, path } = await loadContexts(process.env);
    if (contexts.size === 0) warn(`No contexts in ${path}`);
    for (const [name, c] of contexts) say(`${name === current ? '*' : ' '} ${name}: ${summary(c)}`);
  },
};

/** `slctl context:remove NAME`. */
export const contextRemoveCommand: CommandModule<object, Args> = {
  command: 'context:remove <NAME>',
  describe: 'Remove a named target',
  builder: (y) => namePositional(y) as Argv<Args>,
  handler: async (argv) => {
    const name = checkName(argv.NAME);
    const { contexts, current, path } = await loadContexts(process.env);
    if (!contexts.has(name)) throw new CliError(`ERROR: no context named ${name} in ${path}`, 1);
    await changeContexts(process.env, { remove: name });
    say(`Context ${name} removed${current === name ? ' (it was the current one: no current context now)' : ''}`);
  },
};

export const contextCommands = [contextCommand, contextSetCommand, contextUseCommand, contextListCommand, contextRemoveCommand];
