import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Document } from 'yaml';
import { loadYaml } from './load-yaml.js';
import type { Env } from '../shared/config/env-names.js';
import { CliError } from './cli-error.js';

/**
 * slctl's named contexts: a small YAML file that names targets, so that an operator with several clusters
 * switches with one flag (`slctl --context prod servers`) or once for all (`slctl context:use prod`).
 *
 * ```yaml
 * current: prod                    # optional: the context used when none is named
 * contexts:
 *   prod:    { via: lambda, function: scalelite-prod-AdminFunction-X1, region: eu-west-1, profile: ops }
 *   staging: { region: eu-central-1, table: scalelite-staging }      # direct: the table itself
 * ```
 */

/** What a context may say; every key is optional (cli/target-resolution.ts fills the rest). */
export const CONTEXT_KEYS = ['via', 'function', 'endpointUrl', 'region', 'profile', 'endpoint', 'table', 's3Endpoint', 'bucket'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
export type SlctlContext = Partial<Record<ContextKey, string>>;

export interface ContextsFile {
  path: string;
  /** the file is there (an absent file is an empty one) */
  exists: boolean;
  current?: string;
  contexts: Map<string, SlctlContext>;
}

/** A context's name: a word for the command line (`--context prod`). */
export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const URL_VALUE = /^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/;
/** How each value must look (the same rules for the file and for `context:set`). */
const VALUE_RULES: Record<ContextKey, { test: (v: string) => boolean; what: string }> = {
  via: { test: (v) => v === 'direct' || v === 'lambda', what: '`direct` or `lambda`' },
  function: { test: (v) => /^[A-Za-z0-9_:.$-]{1,170}$/.test(v), what: "a Lambda function's name or ARN" },
  endpointUrl: { test: (v) => URL_VALUE.test(v), what: 'an http(s) URL' },
  region: { test: (v) => /^[a-z0-9-]{1,40}$/.test(v), what: 'an AWS region such as eu-west-1' },
  profile: { test: (v) => /^[^\s\x00-\x1f\x7f]{1,128}$/.test(v), what: 'an AWS profile name' },
  endpoint: { test: (v) => URL_VALUE.test(v), what: 'an http(s) URL' },
  table: { test: (v) => /^[A-Za-z0-9_.-]{3,255}$/.test(v), what: 'a DynamoDB table name' },
  s3Endpoint: { test: (v) => URL_VALUE.test(v), what: 'an http(s) URL' },
  bucket: { test: (v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v), what: 'an S3 bucket name' },
};

const MAX_FILE_BYTES = 256 * 1024;

/** `$SLCTL_CONFIG`, else `$XDG_CONFIG_HOME/slctl/config.yml`, else `~/.config/slctl/config.yml`. */
export function contextsFilePath(env: Env): string {
  if (env.SLCTL_CONFIG) return env.SLCTL_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'slctl', 'config.yml');
}

/** A problem with the file: names it, exit 2 (configuration). */
const fileError = (path: string, problem: string) => new CliError(`ERROR: ${path}: ${problem}`, 2);

/** One value of a context, checked; the problem as a sentence, or undefined. */
export function contextValueProblem(key: ContextKey, value: string): string | undefined {
  const rule = VALUE_RULES[key];
  return rule.test(value) ? undefined : `${key} must be ${rule.what}, not ${JSON.stringify(value)}`;
}

function checkContext(path: string, name: string, raw: unknown): SlctlContext {
  if (!(raw instanceof Map)) throw fileError(path, `context ${name} must be a mapping of ${CONTEXT_KEYS.join(', ')}`);
  const context: SlctlContext = {};
  for (const [key, value] of raw) {
    if (typeof key !== 'string' || !(CONTEXT_KEYS as readonly string[]).includes(key)) {
      throw fileError(path, `context ${name}: unknown key ${JSON.stringify(String(key))} (known: ${CONTEXT_KEYS.join(', ')})`);
    }
    if (typeof value !== 'string') throw fileError(path, `context ${name}: ${key} must be a string`);
    const problem = contextValueProblem(key as ContextKey, value);
    if (problem) throw fileError(path, `context ${name}: ${problem}`);
    context[key as ContextKey] = value;
  }
  return context;
}

async function readDocument(path: string): Promise<Document | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw fileError(path, `cannot read it (${(e as Error).message})`);
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw fileError(path, `larger than ${MAX_FILE_BYTES / 1024} KiB: not a contexts file`);
  const { parseDocument } = await loadYaml();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw fileError(path, `not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
  return doc as unknown as Document;
}

function checkDocument(path: string, doc: Document | undefined): Omit<ContextsFile, 'path'> {
  if (!doc) return { exists: false, contexts: new Map() };
  const top = doc.toJS({ mapAsMap: true, maxAliasCount: 50 }) as unknown;
  if (top === null || top === undefined) return { exists: true, contexts: new Map() };
  if (!(top instanceof Map)) throw fileError(path, 'must be a mapping with `contexts` (and optionally `current`)');
  const contexts = new Map<string, SlctlContext>();
  let current: string | undefined;
  for (const [key, value] of top) {
    if (key === 'current') {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' || !CONTEXT_NAME.test(value)) throw fileError(path, '`current` must name a context');
      current = value;
    } else if (key === 'contexts') {
      if (value === null || value === undefined) continue;
      if (!(value instanceof Map)) throw fileError(path, '`contexts` must map names to contexts');
      for (const [name, raw] of value) {
        if (typeof name !== 'string' || !CONTEXT_NAME.test(name)) throw fileError(path, `${JSON.stringify(String(name))} is not a context name (letters, digits, _ . -)`);
        contexts.set(name, checkContext(path, name, raw));
      }
    } else {
      throw fileError(path, `unknown key ${JSON.stringify(String(key))} (known: current, contexts)`);
    }
  }
  return { exists: true, current, contexts };
}

/** The contexts file, checked completely (a problem names the file and what is wrong, exit 2). */
export async function loadContexts(env: Env): Promise<ContextsFile> {
  const path = contextsFilePath(env);
  return { path, ...checkDocument(path, await readDocument(path)) };
}

export type ContextsChange = { set: { name: string; context: SlctlContext } } | { remove: string } | { use: string | undefined };

/**
 * Changes the file (checked first, as loadContexts does; comments and the order of what is kept survive)
 * and writes it with mode 0600 in a directory of mode 0700 (a new file is written beside it and renamed
 * over it, so a crash leaves the old file or the new one).
 */
export async function changeContexts(env: Env, change: ContextsChange): Promise<ContextsFile> {
  const path = contextsFilePath(env);
  const yaml = await loadYaml();
  const { isMap } = yaml;
  const doc = (await readDocument(path)) ?? new yaml.Document({});
  checkDocument(path, doc);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  if ('set' in change) {
    const { name, context } = change.set;
    if (!isMap(doc.get('contexts'))) doc.set('contexts', doc.createNode({}));
    const entries = CONTEXT_KEYS.filter((k) => context[k] !== undefined).map((k) => [k, context[k]] as const);
    doc.setIn(['contexts', name], doc.createNode(Object.fromEntries(entries)));
  } else if ('remove' in change) {
    doc.deleteIn(['contexts', change.remove]);
    if (doc.get('current') === change.remove) doc.delete('current');
  } else if (change.use === undefined) {
    doc.delete('current');
  } else {
    doc.set('current', change.use);
  }
  const text = String(doc);
  const result = { path, ...checkDocument(path, yaml.parseDocument(text) as unknown as Document) };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await chmod(temp, 0o600); // whatever the umask
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw fileError(path, `cannot write it (${(e as Error).message})`);
  }
  return result;
}
