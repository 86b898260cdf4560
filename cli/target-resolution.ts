import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCAL_ADMIN_FUNCTION } from '../shared/admin/admin-contract.js';
import type { Env } from '../shared/config/env-names.js';
import { CliError } from './cli-error.js';
import { CONTEXT_KEYS, loadContexts, type ContextKey, type ContextsFile, type SlctlContext } from './contexts.js';

/**
 * Which target a task uses, and where each of its values comes from (`slctl context` shows it).
 *
 * Two kinds of target: `direct` (this machine reaches the table and the bucket) and `lambda` (the
 * deployment's admin function runs the task: `--function`, `--endpoint-url` for a non-AWS endpoint such
 * as the local stack's). Each value is taken from the first layer that has it:
 *
 *   1. the command line (`--via`, `--function`, `--endpoint-url`, `--region`, `--profile`, `--endpoint`,
 *      `--table`, `--s3-endpoint`, `--bucket`);
 *   2. the environment (`SLCTL_VIA`, `SLCTL_FUNCTION`, `SLCTL_ENDPOINT_URL`, `DYNAMODB_ENDPOINT`,
 *      `DYNAMODB_TABLE`, `S3_ENDPOINT`, `S3_BUCKET_NAME`);
 *   3. the named context (`--context`, else `SLCTL_CONTEXT`, else the file's `current`; cli/contexts.ts);
 *   4. the local stack that `slctl serve` announces in `<DATA_DIR>/slctl-serve.json` (while its process
 *      lives) — only when none of the layers above says where to go (an endpoint, a function, a region, a
 *      profile or a context);
 *   5. AWS's defaults: `AWS_REGION` / `AWS_DEFAULT_REGION`, and the SDK's own chain (`AWS_PROFILE`,
 *      `~/.aws/config`).
 *
 * On the command line a flag of one kind implies its target: `--endpoint`, `--table`, `--s3-endpoint`,
 * `--bucket` the direct one, `--function`, `--endpoint-url` the admin function (mixing them, or
 * contradicting `--via`, is a usage error). A context that names a function and no `via` is a lambda one.
 */

export type Via = 'direct' | 'lambda';
export type TargetKey = ContextKey;

/** The target flags of the command line (yargs' argv). */
export interface TargetArgs {
  via?: string;
  function?: string;
  endpointUrl?: string;
  context?: string;
  region?: string;
  profile?: string;
  endpoint?: string;
  table?: string;
  s3Endpoint?: string;
  bucket?: string;
}

export interface Setting {
  value: string;
  /** `--region`, `AWS_REGION`, `context prod`, `local stack`, `default` */
  source: string;
}

/** What `slctl serve` announces in `<DATA_DIR>/slctl-serve.json`. */
export interface LocalStackInfo {
  /** the stack's HTTP server: the BBB API, and the admin function's Lambda Invoke endpoint */
  url: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  table: string;
  bucket: string;
  pid: number;
}

export const SERVE_FILE = 'slctl-serve.json';

export interface Target {
  via: Via;
  viaSource: string;
  values: Partial<Record<TargetKey, Setting>>;
  /** the context in use, and what chose it */
  context?: { name: string; source: string };
  contextsFile: string;
  /** the local stack, when its values are used */
  localStack?: { file: string; pid: number };
}

export const NO_TARGET =
  'ERROR: no target: start the local stack (npm start) in this directory, or set DYNAMODB_ENDPOINT (--endpoint) or AWS_REGION (--region), or name a context (--context)';

const NO_FUNCTION =
  'ERROR: no admin function to invoke: name it with --function (SLCTL_FUNCTION) or in a context (slctl context:set NAME --via lambda --function FUNCTION --region REGION)';

/** The flag of each value, as an operator types it. */
export const FLAG_OF: Record<TargetKey, string> = {
  via: '--via',
  function: '--function',
  endpointUrl: '--endpoint-url',
  region: '--region',
  profile: '--profile',
  endpoint: '--endpoint',
  table: '--table',
  s3Endpoint: '--s3-endpoint',
  bucket: '--bucket',
};

/** The environment variable of each value (region and profile: AWS's own, a layer further down). */
const ENV_OF: Partial<Record<TargetKey, string>> = {
  function: 'SLCTL_FUNCTION',
  endpointUrl: 'SLCTL_ENDPOINT_URL',
  endpoint: 'DYNAMODB_ENDPOINT',
  table: 'DYNAMODB_TABLE',
  s3Endpoint: 'S3_ENDPOINT',
  bucket: 'S3_BUCKET_NAME',
};

const DIRECT_KEYS: readonly TargetKey[] = ['endpoint', 'table', 's3Endpoint', 'bucket'];
const LAMBDA_KEYS: readonly TargetKey[] = ['function', 'endpointUrl'];
/** Values that say where to go: any of them (or a context) and the local stack is not looked for. */
const WHERE_KEYS: readonly TargetKey[] = ['endpoint', 'endpointUrl', 'function', 'region', 'profile'];

const present = (v: unknown): v is string => typeof v === 'string' && v !== '';

function parseVia(value: string, where: string, exitCode: number): Via {
  if (value === 'direct' || value === 'lambda') return value;
  throw new CliError(`ERROR: ${where} must be direct or lambda, not ${JSON.stringify(value)}`, exitCode);
}

/** The path of the local stack's announcement: `<DATA_DIR or ./.data>/slctl-serve.json`. */
export function serveFilePath(env: Env, cwd = process.cwd()): string {
  return resolve(cwd, env.DATA_DIR || './.data', SERVE_FILE);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM'; // alive, someone else's
  }
}

/** The local stack announced in `file`, if the file is sound and its process alive. */
export function readLocalStack(file: string, alive: (pid: number) => boolean = processAlive): LocalStackInfo | undefined {
  let info: Partial<LocalStackInfo>;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalStackInfo>;
  } catch {
    return undefined;
  }
  const strings = [info?.url, info?.dynamoEndpoint, info?.s3Endpoint, info?.table, info?.bucket];
  if (!strings.every(present) || !Number.isSafeInteger(info.pid) || (info.pid as number) <= 0) return undefined;
  return alive(info.pid as number) ? (info as LocalStackInfo) : undefined;
}

export interface ResolveOptions {
  cwd?: string;
  alive?: (pid: number) => boolean;
  /** the contexts file, already read (tests) */
  contexts?: ContextsFile;
}

/** The target of a task: see the top of this file. Reads the contexts file and the local stack's announcement. */
export async function resolveTarget(env: Env, flags: TargetArgs, opts: ResolveOptions = {}): Promise<Target> {
  const values: Partial<Record<TargetKey, Setting>> = {};

  // 1. the command line
  const given = (keys: readonly TargetKey[]) => keys.filter((k) => present(flags[k as keyof TargetArgs]));
  const direct = given(DIRECT_KEYS);
  const lambda = given(LAMBDA_KEYS);
  const names = (keys: TargetKey[]) => keys.map((k) => FLAG_OF[k]).join(', ');
  if (direct.length > 0 && lambda.length > 0) {
    throw new CliError(`ERROR: ${names(direct)} (the direct target) and ${names(lambda)} (the admin function) cannot be used together`, 64);
  }
  let via: Setting | undefined;
  if (present(flags.via)) {
    const v = parseVia(flags.via, '--via', 64);
    const wrong = v === 'lambda' ? direct : lambda;
    if (wrong.length > 0) throw new CliError(`ERROR: ${names(wrong)} cannot be used with --via ${v}`, 64);
    via = { value: v, source: '--via' };
  } else if (direct.length > 0) via = { value: 'direct', source: FLAG_OF[direct[0]] };
  else if (lambda.length > 0) via = { value: 'lambda', source: FLAG_OF[lambda[0]] };
  for (const key of CONTEXT_KEYS) {
    const v = flags[key as keyof TargetArgs];
    if (key !== 'via' && present(v)) values[key] = { value: v, source: FLAG_OF[key] };
  }

  // 2. the environment
  if (!via && present(env.SLCTL_VIA)) via = { value: parseVia(env.SLCTL_VIA, 'SLCTL_VIA', 2), source: 'SLCTL_VIA' };
  for (const [key, name] of Object.entries(ENV_OF) as [TargetKey, string][]) {
    if (!values[key] && present(env[name])) values[key] = { value: env[name] as string, source: name };
  }

  // 3. the named context
  const file = opts.contexts ?? (await loadContexts(env));
  const chosen = present(flags.context)
    ? { name: flags.context, source: '--context' }
    : present(env.SLCTL_CONTEXT)
      ? { name: env.SLCTL_CONTEXT, source: 'SLCTL_CONTEXT' }
      : file.current
        ? { name: file.current, source: `current in ${file.path}` }
        : undefined;
  let context: SlctlContext | undefined;
  if (chosen) {
    context = file.contexts.get(chosen.name);
    if (!context) throw new CliError(`ERROR: no context named ${chosen.name} in ${file.path} (${chosen.source}); \`slctl context:list\` lists them`, 2);
    const source = `context ${chosen.name}`;
    if (!via && context.via) via = { value: context.via as Via, source };
    if (!via && (context.function || context.endpointUrl)) via = { value: 'lambda', source };
    for (const key of CONTEXT_KEYS) {
      const v = context[key];
      if (key !== 'via' && !values[key] && present(v)) values[key] = { value: v, source };
    }
  }

  const viaValue: Via = (via?.value as Via | undefined) ?? 'direct';

  // 4. the local stack, when nothing above says where to go
  let localStack: Target['localStack'];
  if (!chosen && !WHERE_KEYS.some((k) => values[k])) {
    const serveFile = serveFilePath(env, opts.cwd);
    const stack = readLocalStack(serveFile, opts.alive);
    if (stack) {
      localStack = { file: serveFile, pid: stack.pid };
      const source = 'local stack';
      const fromStack: Partial<Record<TargetKey, string>> =
        viaValue === 'lambda'
          ? { endpointUrl: stack.url, function: LOCAL_ADMIN_FUNCTION }
          : { endpoint: stack.dynamoEndpoint, table: stack.table, s3Endpoint: stack.s3Endpoint, bucket: stack.bucket };
      for (const [key, v] of Object.entries(fromStack) as [TargetKey, string][]) values[key] ??= { value: v, source };
    }
  }

  // 5. AWS's defaults
  if (!values.region) {
    const name = present(env.AWS_REGION) ? 'AWS_REGION' : present(env.AWS_DEFAULT_REGION) ? 'AWS_DEFAULT_REGION' : undefined;
    if (name) values.region = { value: env[name] as string, source: name };
  }
  if (viaValue === 'lambda' && values.endpointUrl) {
    // a non-AWS endpoint (the local stack's) checks no signature: any region, the local function's name
    values.region ??= { value: 'us-east-1', source: 'default' };
    values.function ??= { value: LOCAL_ADMIN_FUNCTION, source: 'default' };
  }

  return {
    via: viaValue,
    viaSource: via?.source ?? 'default',
    values,
    ...(chosen ? { context: chosen } : {}),
    contextsFile: file.path,
    ...(localStack ? { localStack } : {}),
  };
}

/** The admin function a lambda target invokes, or the configuration error that there is none. */
export function lambdaTarget(target: Target): { functionName: string; endpointUrl?: string; region?: string; profile?: string } {
  const fn = target.values.function?.value;
  if (!fn) throw new CliError(NO_FUNCTION, 2);
  return { functionName: fn, endpointUrl: target.values.endpointUrl?.value, region: target.values.region?.value, profile: target.values.profile?.value };
}
