import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContextsFile } from '../../cli/contexts.js';
import { lambdaTarget, readLocalStack, resolveTarget, SERVE_FILE, type LocalStackInfo, type TargetArgs } from '../../cli/target-resolution.js';

const dir = mkdtempSync(join(tmpdir(), 'slctl-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data directory with a local stack announced by process `pid`. */
function stackDir(name: string, pid = 4242, info: Partial<LocalStackInfo> = {}): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  const full: LocalStackInfo = { url: 'http://127.0.0.1:3000', dynamoEndpoint: 'http://127.0.0.1:8000', s3Endpoint: 'http://127.0.0.1:9000', table: 'local-table', bucket: 'local-bucket', pid, ...info };
  writeFileSync(join(d, SERVE_FILE), JSON.stringify(full));
  return d;
}

const noContexts: ContextsFile = { path: '/nowhere/config.yml', exists: false, contexts: new Map() };
const contexts = (current?: string): ContextsFile => ({
  path: '/home/op/.config/slctl/config.yml',
  exists: true,
  current,
  contexts: new Map([
    ['prod', { via: 'lambda', function: 'prod-admin', region: 'eu-west-1', profile: 'ops' }],
    ['staging', { region: 'eu-central-1', table: 'staging-table' }],
    ['fn', { function: 'implied-lambda', region: 'us-west-2' }],
  ]),
});

const alive = (pid: number) => pid === 4242;
const resolve = (env: Record<string, string>, flags: TargetArgs = {}, file: ContextsFile = noContexts) =>
  resolveTarget({ DATA_DIR: join(dir, 'no-stack'), ...env }, flags, { contexts: file, alive, cwd: dir });
const values = async (...args: Parameters<typeof resolve>) => {
  const t = await resolve(...args);
  return { via: `${t.via} (${t.viaSource})`, ...Object.fromEntries(Object.entries(t.values).map(([k, s]) => [k, `${s!.value} (${s!.source})`])) };
};
const failure = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error & { exitCode?: number }) => ({ message: e.message, exitCode: e.exitCode }));

describe('target resolution: layers', () => {
  it('with nothing at all: direct, no value (AWS defaults decide, or there is no target)', async () => {
    expect(await values({})).toEqual({ via: 'direct (default)' });
  });

  it('flags over env over the named context over AWS_REGION', async () => {
    const env = { DYNAMODB_TABLE: 'env-table', AWS_REGION: 'us-east-2' };
    expect(await values(env, { context: 'staging' }, contexts())).toEqual({
      via: 'direct (default)',
      table: 'env-table (DYNAMODB_TABLE)',
      region: 'eu-central-1 (context staging)',
    });
    expect(await values(env, { context: 'staging', table: 'flag-table', region: 'ap-south-1' }, contexts())).toMatchObject({
      via: 'direct (--table)',
      table: 'flag-table (--table)',
      region: 'ap-south-1 (--region)',
    });
    expect(await values(env)).toEqual({ via: 'direct (default)', table: 'env-table (DYNAMODB_TABLE)', region: 'us-east-2 (AWS_REGION)' });
  });

  it('chooses the context by --context, else SLCTL_CONTEXT, else the file’s current', async () => {
    expect((await resolve({ SLCTL_CONTEXT: 'staging' }, { context: 'prod' }, contexts('fn'))).context).toEqual({ name: 'prod', source: '--context' });
    expect((await resolve({ SLCTL_CONTEXT: 'staging' }, {}, contexts('fn'))).context).toEqual({ name: 'staging', source: 'SLCTL_CONTEXT' });
    expect((await resolve({}, {}, contexts('fn'))).context).toEqual({ name: 'fn', source: 'current in /home/op/.config/slctl/config.yml' });
    expect((await resolve({}, {}, contexts())).context).toBeUndefined();
  });

  it('a lambda context gives the function, its region and profile; one with a function and no via is a lambda one', async () => {
    expect(await values({}, { context: 'prod' }, contexts())).toEqual({
      via: 'lambda (context prod)',
      function: 'prod-admin (context prod)',
      region: 'eu-west-1 (context prod)',
      profile: 'ops (context prod)',
    });
    expect(lambdaTarget(await resolve({}, { context: 'prod' }, contexts()))).toEqual({ functionName: 'prod-admin', region: 'eu-west-1', profile: 'ops', endpointUrl: undefined });
    expect(await values({}, { context: 'fn' }, contexts())).toMatchObject({ via: 'lambda (context fn)' });
    expect(await values({ SLCTL_VIA: 'direct' }, { context: 'fn' }, contexts())).toMatchObject({ via: 'direct (SLCTL_VIA)' });
  });

  it('refuses a context the file does not have (exit 2), naming the file', async () => {
    expect(await failure(resolve({}, { context: 'qa' }, contexts()))).toEqual({
      message: 'ERROR: no context named qa in /home/op/.config/slctl/config.yml (--context); `slctl context:list` lists them',
      exitCode: 2,
    });
    expect(await failure(resolve({}, {}, contexts('gone')))).toMatchObject({ exitCode: 2, message: expect.stringContaining('no context named gone') });
  });
});

describe('target resolution: which target', () => {
  it('takes SLCTL_VIA, and refuses a value that is neither direct nor lambda (exit 2)', async () => {
    expect(await values({ SLCTL_VIA: 'lambda', SLCTL_FUNCTION: 'f' })).toMatchObject({ via: 'lambda (SLCTL_VIA)', function: 'f (SLCTL_FUNCTION)' });
    expect(await failure(resolve({ SLCTL_VIA: 'Lambda' }))).toEqual({ message: 'ERROR: SLCTL_VIA must be direct or lambda, not "Lambda"', exitCode: 2 });
  });

  it('a direct flag on the command line picks the direct target over SLCTL_VIA and a context', async () => {
    expect(await values({ SLCTL_VIA: 'lambda' }, { endpoint: 'http://127.0.0.1:9' })).toMatchObject({ via: 'direct (--endpoint)' });
    expect(await values({}, { context: 'prod', table: 't1' }, contexts())).toMatchObject({ via: 'direct (--table)', region: 'eu-west-1 (context prod)' });
    expect(await values({}, { function: 'f' })).toMatchObject({ via: 'lambda (--function)' });
  });

  it('refuses flags of both targets, or one that contradicts --via (exit 64)', async () => {
    expect(await failure(resolve({}, { function: 'f', table: 't' }))).toEqual({ message: 'ERROR: --table (the direct target) and --function (the admin function) cannot be used together', exitCode: 64 });
    expect(await failure(resolve({}, { via: 'lambda', bucket: 'b' }))).toEqual({ message: 'ERROR: --bucket cannot be used with --via lambda', exitCode: 64 });
    expect(await failure(resolve({}, { via: 'direct', endpointUrl: 'http://x' }))).toEqual({ message: 'ERROR: --endpoint-url cannot be used with --via direct', exitCode: 64 });
  });

  it('an endpoint URL without region or function: the local function’s name, region us-east-1', async () => {
    expect(await values({ SLCTL_VIA: 'lambda', SLCTL_ENDPOINT_URL: 'http://127.0.0.1:3000' })).toEqual({
      via: 'lambda (SLCTL_VIA)',
      endpointUrl: 'http://127.0.0.1:3000 (SLCTL_ENDPOINT_URL)',
      region: 'us-east-1 (default)',
      function: 'scalelite-admin (default)',
    });
  });

  it('a lambda target without a function is a configuration error (exit 2)', async () => {
    const t = await resolve({ SLCTL_VIA: 'lambda', AWS_REGION: 'eu-west-1' });
    expect(() => lambdaTarget(t)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^ERROR: no admin function to invoke: name it with --function \(SLCTL_FUNCTION\)/) }));
  });
});

describe('target resolution: the local stack', () => {
  it('is used when nothing says where to go, also when AWS_REGION is set', async () => {
    const d = stackDir('alive');
    const t = await resolveTarget({ DATA_DIR: d, AWS_REGION: 'eu-west-1', DYNAMODB_TABLE: 'mine' }, {}, { contexts: noContexts, alive });
    expect(t.localStack).toEqual({ file: join(d, SERVE_FILE), pid: 4242 });
    expect(Object.fromEntries(Object.entries(t.values).map(([k, s]) => [k, `${s!.value} (${s!.source})`]))).toEqual({
      endpoint: 'http://127.0.0.1:8000 (local stack)',
      table: 'mine (DYNAMODB_TABLE)',
      s3Endpoint: 'http://127.0.0.1:9000 (local stack)',
      bucket: 'local-bucket (local stack)',
      region: 'eu-west-1 (AWS_REGION)',
    });
  });

  it('gives a lambda target its invoke endpoint and function', async () => {
    const t = await resolveTarget({ DATA_DIR: stackDir('lambda') }, { via: 'lambda' }, { contexts: noContexts, alive });
    expect(lambdaTarget(t)).toEqual({ functionName: 'scalelite-admin', endpointUrl: 'http://127.0.0.1:3000', region: 'us-east-1', profile: undefined });
  });

  it('is not used once an endpoint, a function, a region flag, a profile or a context says where to go', async () => {
    const d = stackDir('named');
    for (const [env, flags] of [
      [{ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' }, {}],
      [{}, { region: 'eu-west-1' }],
      [{}, { profile: 'ops' }],
      [{ SLCTL_VIA: 'lambda', SLCTL_FUNCTION: 'f' }, {}],
      [{}, { context: 'staging' }],
    ] as [Record<string, string>, TargetArgs][]) {
      const t = await resolveTarget({ DATA_DIR: d, ...env }, flags, { contexts: contexts(), alive });
      expect(t.localStack).toBeUndefined();
      expect(t.values.endpoint?.source).not.toBe('local stack');
    }
  });

  it('is ignored when its process is gone or its file is not sound', () => {
    expect(readLocalStack(join(stackDir('ok'), SERVE_FILE), alive)).toMatchObject({ pid: 4242 });
    expect(readLocalStack(join(stackDir('dead', 99999), SERVE_FILE), alive)).toBeUndefined();
    expect(readLocalStack(join(stackDir('no-url', 4242, { url: '' }), SERVE_FILE), alive)).toBeUndefined();
    const broken = join(stackDir('broken'), SERVE_FILE);
    writeFileSync(broken, '{"url": ');
    expect(readLocalStack(broken, alive)).toBeUndefined();
    expect(readLocalStack(join(dir, 'absent', SERVE_FILE), alive)).toBeUndefined();
  });
});
