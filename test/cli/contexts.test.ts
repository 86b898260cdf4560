import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeContexts, contextsFilePath, loadContexts } from '../../cli/contexts.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { silentLogger } from '../../shared/app/logger.js';
import { runSlctl } from './run-slctl.js';
import { SPAWN_TIMEOUT } from './slctl-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'slctl-contexts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A contexts file of its own (written with `text`, or absent). */
const configFile = (text?: string) => {
  const path = join(dir, `c${++n}`, 'slctl', 'config.yml');
  if (text !== undefined) {
    mkdirSync(join(dir, `c${n}`, 'slctl'), { recursive: true });
    writeFileSync(path, text);
  }
  return path;
};
const failure = async (p: Promise<unknown>) => p.then(() => 'loaded', (e: Error & { exitCode?: number }) => ({ message: e.message, exitCode: e.exitCode }));

describe('the contexts file', () => {
  it('is $SLCTL_CONFIG, else under $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(contextsFilePath({ SLCTL_CONFIG: '/etc/slctl.yml', XDG_CONFIG_HOME: '/x', HOME: '/home/op' })).toBe('/etc/slctl.yml');
    expect(contextsFilePath({ XDG_CONFIG_HOME: '/x', HOME: '/home/op' })).toBe('/x/slctl/config.yml');
    expect(contextsFilePath({ HOME: '/home/op' })).toBe('/home/op/.config/slctl/config.yml');
  });

  it('absent or empty: no contexts', async () => {
    expect(await loadContexts({ SLCTL_CONFIG: configFile() })).toMatchObject({ exists: false, contexts: new Map() });
    expect(await loadContexts({ SLCTL_CONFIG: configFile('') })).toMatchObject({ exists: true, contexts: new Map() });
  });

  it('reads the contexts and the current one', async () => {
    const path = configFile('current: prod\ncontexts:\n  prod: { via: lambda, function: prod-admin, region: eu-west-1 }\n  local:\n    endpoint: http://127.0.0.1:8000\n');
    const file = await loadContexts({ SLCTL_CONFIG: path });
    expect(file).toEqual({
      path,
      exists: true,
      current: 'prod',
      contexts: new Map([
        ['prod', { via: 'lambda', function: 'prod-admin', region: 'eu-west-1' }],
        ['local', { endpoint: 'http://127.0.0.1:8000' }],
      ]),
    });
  });

  it.each([
    ['not YAML', 'contexts: [a', /not valid YAML/],
    ['not a mapping', '- a\n', /must be a mapping with `contexts`/],
    ['an unknown top-level key', 'context:\n  prod: {}\n', /unknown key "context" \(known: current, contexts\)/],
    ['an unknown key in a context', 'contexts:\n  prod:\n    functon: x\n', /context prod: unknown key "functon" \(known: via, function, endpointUrl, region, profile, endpoint, table, s3Endpoint, bucket\)/],
    ['a bad via', 'contexts:\n  prod: { via: remote }\n', /context prod: via must be `direct` or `lambda`, not "remote"/],
    ['a number where a string belongs', 'contexts:\n  prod: { region: 5 }\n', /context prod: region must be a string/],
    ['an endpoint that is no URL', 'contexts:\n  prod: { endpoint: localhost:8000 }\n', /context prod: endpoint must be an http\(s\) URL/],
    ['a name that is no word', 'contexts:\n  "a b": { region: eu-west-1 }\n', /"a b" is not a context name/],
    ['a __proto__ name', 'contexts:\n  __proto__: { region: eu-west-1 }\n', /"__proto__" is not a context name/],
    ['a duplicate key', 'contexts:\n  prod: {}\n  prod: {}\n', /not valid YAML/],
  ])('refuses %s, naming the file (exit 2)', async (_what, text, problem) => {
    const path = configFile(text);
    const f = await failure(loadContexts({ SLCTL_CONFIG: path }));
    expect(f).toMatchObject({ exitCode: 2, message: expect.stringContaining(`ERROR: ${path}: `) });
    expect((f as { message: string }).message).toMatch(problem);
  });

  it('is written 0600 in a 0700 directory, keeping comments and what it does not change', async () => {
    const path = configFile('# my clusters\ncontexts:\n  staging: { region: eu-central-1 } # the small one\n');
    await changeContexts({ SLCTL_CONFIG: path }, { set: { name: 'prod', context: { via: 'lambda', function: 'f', region: 'eu-west-1' } } });
    await changeContexts({ SLCTL_CONFIG: path }, { use: 'prod' });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# my clusters');
    expect(text).toContain('# the small one');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadContexts({ SLCTL_CONFIG: path })).toMatchObject({ current: 'prod', contexts: new Map([['staging', { region: 'eu-central-1' }], ['prod', { via: 'lambda', function: 'f', region: 'eu-west-1' }]]) });
    await changeContexts({ SLCTL_CONFIG: path }, { remove: 'prod' });
    expect(await loadContexts({ SLCTL_CONFIG: path })).toMatchObject({ current: undefined, contexts: new Map([['staging', { region: 'eu-central-1' }]]) });
    const fresh = configFile();
    await changeContexts({ SLCTL_CONFIG: fresh }, { set: { name: 'a', context: { table: 'tbl' } } });
    expect(statSync(join(fresh, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('is not rewritten when it is broken', async () => {
    const path = configFile('contexts: [a');
    expect(await failure(changeContexts({ SLCTL_CONFIG: path }, { use: undefined }))).toMatchObject({ exitCode: 2 });
    expect(readFileSync(path, 'utf8')).toBe('contexts: [a');
  });
});

describe('slctl context tasks', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ env: { DYNAMODB_TABLE: 'slctl-contexts', PORT: '0' }, poll: false, log: silentLogger });
    await stack.deps.store.servers.add({ id: 'bbb-ctx', url: 'https://bbb-ctx/bigbluebutton/api', secret: 's', state: 'enabled' });
  });
  afterAll(() => stack?.close());

  const slctl = (config: string, args: string[], env: Record<string, string> = {}) => runSlctl(args, { env: { SLCTL_CONFIG: config, ...env }, timeoutMs: SPAWN_TIMEOUT });

  it('set, list, use, name on the command line, remove', async () => {
    const config = configFile();
    expect(await slctl(config, ['context:list'])).toEqual({ code: 0, stdout: '', stderr: `No contexts in ${config}\n` });
    expect(await slctl(config, ['context:set', 'local', '--endpoint', stack.dynamoEndpoint, '--table', 'slctl-contexts'])).toEqual({ code: 0, stdout: `Context local saved in ${config}\n`, stderr: '' });
    expect(await slctl(config, ['context:set', 'fn', '--via', 'lambda', '--endpoint-url', stack.url])).toMatchObject({ code: 0 });
    expect(await slctl(config, ['context:list'])).toEqual({
      code: 0,
      stdout: `  local: endpoint ${stack.dynamoEndpoint}, table slctl-contexts\n  fn: via lambda, endpoint-url ${stack.url}\n`,
      stderr: '',
    });

    // one flag switches, both targets reach the same table and print the same bytes
    const direct = await slctl(config, ['--context', 'local', 'servers']);
    expect(direct).toMatchObject({ code: 0, stderr: '' });
    expect(direct.stdout).toMatch(/^id: bbb-ctx\n/);
    expect(await slctl(config, ['--context', 'fn', 'servers'])).toEqual(direct);
    expect(await slctl(config, ['servers'], { SLCTL_CONTEXT: 'fn' })).toEqual(direct);

    expect(await slctl(config, ['context:use', 'fn'])).toEqual({ code: 0, stdout: 'Current context: fn\n', stderr: '' });
    expect((await slctl(config, ['context:list'])).stdout).toContain('* fn: via lambda');
    expect(await slctl(config, ['servers'])).toEqual(direct);
    expect(await slctl(config, ['context:remove', 'fn'])).toEqual({ code: 0, stdout: 'Context fn removed (it was the current one: no current context now)\n', stderr: '' });
    expect(await slctl(config, ['context:use', 'fn'])).toEqual({ code: 1, stdout: '', stderr: `ERROR: no context named fn in ${config}\n` });
    expect(await slctl(config, ['--context', 'fn', 'servers'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `ERROR: no context named fn in ${config} (--context); \`slctl context:list\` lists them\n`,
    });
  });

  it('context shows the target a task would use and where each value comes from', async () => {
    const config = configFile(`contexts:\n  local:\n    endpoint: ${stack.dynamoEndpoint}\n    table: slctl-contexts\n`);
    const r = await slctl(config, ['context', '--context', 'local', '--table', 'other'], { S3_BUCKET_NAME: 'my-bucket' });
    expect(r).toEqual({
      code: 0,
      stdout: [
        `Target: the table other at ${stack.dynamoEndpoint}`,
        `  via          direct${' '.repeat(stack.dynamoEndpoint.length - 6)}  --table`,
        `  endpoint     ${stack.dynamoEndpoint}  context local`,
        `  table        other${' '.repeat(stack.dynamoEndpoint.length - 5)}  --table`,
        `  region       -${' '.repeat(stack.dynamoEndpoint.length - 1)}  not needed`,
        `  profile      -${' '.repeat(stack.dynamoEndpoint.length - 1)}  AWS SDK default chain`,
        `  s3-endpoint  AWS${' '.repeat(stack.dynamoEndpoint.length - 3)}  default`,
        `  bucket       my-bucket${' '.repeat(stack.dynamoEndpoint.length - 9)}  S3_BUCKET_NAME`,
        `Context: local (--context); contexts file ${config}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('refuses a context:set without a target or with a bad value (exit 64), and a broken file for every task (exit 2)', async () => {
    const config = configFile();
    expect(await slctl(config, ['context:set', 'x'])).toMatchObject({ code: 64, stderr: expect.stringMatching(/^ERROR: give the context's target: --via, --function/) });
    expect(await slctl(config, ['context:set', 'x', '--endpoint', 'localhost'])).toEqual({ code: 64, stdout: '', stderr: 'ERROR: --endpoint must be an http(s) URL, not "localhost"\n' });
    expect(await slctl(config, ['context:set', 'a/b', '--region', 'eu-west-1'])).toMatchObject({ code: 64, stderr: expect.stringContaining('is not a context name') });
    const broken = configFile('contexts:\n  prod: { vai: lambda }\n');
    const expected = { code: 2, stdout: '', stderr: `ERROR: ${broken}: context prod: unknown key "vai" (known: via, function, endpointUrl, region, profile, endpoint, table, s3Endpoint, bucket)\n` };
    expect(await slctl(broken, ['servers'], { DYNAMODB_ENDPOINT: stack.dynamoEndpoint })).toEqual(expected);
    expect(await slctl(broken, ['context:list'])).toEqual(expected);
  });
});
