import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { formatServer } from '../../cli/format-server.js';
import { listing } from './slctl-fixture.js';

/*
 * Issue 12 item 5: `npm pack` makes a tarball that installs with `npm i -g` and runs without tsx or the
 * sources. The tarball is packed from a copy of the checkout (its node_modules linked, as after `npm ci`),
 * so `prepare` builds there and this run's dist/ is left alone; npm installs from its cache first (the
 * packages `npm ci` fetched), into a prefix of its own.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; devDependencies: Record<string, string> };
/** left out of the copy: installed or generated, never packed */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', '.data', '.bench', 'cdk.out']);
const exec = promisify(execFile);

/** The environment of npm and of the installed slctl: nothing of the `npm test` (npm_*) that may run this. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

const npm = (args: string[], cwd: string) =>
  exec('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });

// once per run: the cli-lambda project (vitest.config.ts) runs test/cli again with SLCTL_TEST_TARGET=lambda
describe.skipIf(process.env.SLCTL_TEST_TARGET === 'lambda')('the packed slctl (npm pack → npm i -g)', () => {
  let work: string;
  let prefix: string;
  let installed: string;
  let bin: string;
  let tarball: string;
  let stack: LocalStack;

  /** Runs the installed slctl from a directory outside the checkout. */
  const slctl = (args: string[], env: Record<string, string> = {}) =>
    exec(bin, args, { cwd: work, env: cleanEnv(env), timeout: 30_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );

  beforeAll(async () => {
    work = realpathSync(mkdtempSync(join(tmpdir(), 'slctl-pack-')));
    const checkout = join(work, 'checkout');
    cpSync(REPO, checkout, { recursive: true, filter: (src) => !NOT_COPIED.has(relative(REPO, src).split('/')[0]) });
    symlinkSync(join(REPO, 'node_modules'), join(checkout, 'node_modules'));
    mkdirSync(join(work, 'pack'));
    await npm(['pack', '--pack-destination', join(work, 'pack')], checkout);
    tarball = join(work, 'pack', readdirSync(join(work, 'pack')).find((f) => f.endsWith('.tgz'))!);

    prefix = join(work, 'prefix');
    await npm(['install', '--global', '--prefix', prefix, tarball], work);
    installed = join(prefix, 'lib', 'node_modules', PACKAGE.name);
    bin = join(prefix, 'bin', 'slctl');

    stack = await startLocalStack({ env: { DYNAMODB_TABLE: 'slctl-packaging', PORT: '0', LOADBALANCER_SECRET: 'lbsecret', ADMIN_SECRET: 'adminsecret', LOG_LEVEL: 'warn' }, poll: false });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the build and the bin, nothing of the sources, tests or infra', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('cli/bin/slctl.js');
    expect(files).toContain('dist/cli/main.mjs');
    expect(files).toContain('package.json');
    expect(files.filter((f) => /\.ts$|^(test|infra|functions|shared|bench|docs)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('cli/') && f !== 'cli/bin/slctl.js')).toEqual([]);
  });

  it('installs without the dev dependencies: no tsx, no esbuild, no TypeScript sources', () => {
    expect(existsSync(join(installed, 'dist', 'cli', 'main.mjs'))).toBe(true);
    expect(existsSync(join(installed, 'cli', 'main.ts'))).toBe(false);
    for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest']) {
      expect(PACKAGE.devDependencies[dev], dev).toBeDefined();
      expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
      expect(existsSync(join(prefix, 'lib', 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('slctl --help lists the tasks', async () => {
    const r = await slctl(['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const task of ['serve', 'servers', 'servers:add', 'servers:sync', 'poll:all', 'status', 'recordings:import']) expect(r.stdout).toContain(`slctl ${task}`);
  }, 30_000);

  it('slctl servers lists the servers of a local stack', async () => {
    const { servers } = stack.deps.store;
    for (const i of [1, 2, 3]) {
      expect(await servers.add({ id: `bbb${i}`, url: `https://bbb${i}.example.com/bigbluebutton/api`, secret: `secret${i}`, state: i === 2 ? 'disabled' : 'enabled', loadMultiplier: i, ...(i === 3 ? { tag: 'big' } : {}) })).toBe(true);
    }
    const expected = listing((await servers.list()).map(formatServer));
    const r = await slctl(['servers'], { DYNAMODB_ENDPOINT: stack.dynamoEndpoint, DYNAMODB_TABLE: 'slctl-packaging' });
    expect(r).toEqual({ code: 0, stdout: expected, stderr: '' });
    expect(r.stdout).toContain('id: bbb3\n\turl: https://bbb3.example.com/bigbluebutton/api\n\tsecret: secret3\n\tenabled\n');
    // the same task sent to the stack's admin function (the Lambda client is in the build too)
    const via = await slctl(['--via', 'lambda', '--function', 'scalelite-admin', '--endpoint-url', stack.url, 'servers']);
    expect(via).toEqual({ code: 0, stdout: expected, stderr: '' });
  }, 30_000);

  it('slctl serve runs the local stack from the installed copy (its embedded DynamoDB and S3 resolve there)', async () => {
    const dataDir = join(work, 'data');
    let child: ChildProcess | undefined;
    try {
      child = spawn(bin, ['serve', '--no-poll'], { cwd: work, env: cleanEnv({ PORT: '0', DATA_DIR: dataDir, LOADBALANCER_SECRET: 'lbsecret', ADMIN_SECRET: 'adminsecret' }), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const ready = new Promise<string>((resolve, reject) => {
        child!.stderr!.setEncoding('utf8').on('data', (c: string) => {
          stderr += c;
          const endpoint = /embedded DynamoDB \(dynalite\) on (\S+),/.exec(stderr)?.[1];
          if (endpoint && stderr.includes('embedded S3 (s3rver) on ') && stderr.includes('finds this stack by itself')) resolve(endpoint);
        });
        child!.on('exit', (code) => reject(new Error(`slctl serve exited (${code}): ${stderr}`)));
      });
      const endpoint = await ready;
      expect(stderr).toMatch(/BBB API on http:\/\/127\.0\.0\.1:\d+\/bigbluebutton\/api/);
      const add = await slctl(['servers:add', 'https://bbb9.example.com/bigbluebutton/api', 's9'], { DYNAMODB_ENDPOINT: endpoint });
      expect(add).toMatchObject({ code: 0, stderr: '' });
      const id = /^id: (.+)$/m.exec(add.stdout)![1];
      expect((await slctl(['servers'], { DYNAMODB_ENDPOINT: endpoint })).stdout).toContain(`id: ${id}\n`);
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }, 60_000);
});
