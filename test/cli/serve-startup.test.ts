import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startupFailure } from '../../cli/commands/serve.js';
import { runSlctl } from './run-slctl.js';

describe('startupFailure: one line with the fix', () => {
  const listenError = (code: string) => Object.assign(new Error(`listen ${code}: 127.0.0.1:3000`), { code, syscall: 'listen', address: '127.0.0.1', port: 3000 });

  it('names the address and what to change for a port that is taken, forbidden, or an address not on this machine', () => {
    expect(startupFailure(listenError('EADDRINUSE'), {})).toMatchObject({
      exitCode: 1,
      message: 'ERROR: cannot listen on 127.0.0.1:3000: the port is in use (another slctl serve / npm start?). Stop that process, or set PORT to a free port (PORT=3001 npm start).',
    });
    expect(startupFailure(listenError('EACCES'), {})?.message).toMatch(/^ERROR: not allowed to listen on 127\.0\.0\.1:3000 .*Set PORT to 1024 or above\.$/);
    expect(startupFailure(listenError('EADDRNOTAVAIL'), {})?.message).toMatch(/^ERROR: cannot listen on 127\.0\.0\.1:3000: .*Set BIND/);
  });

  it('says that DATA_DIR is held by another serve (dynalite only says "Database is closed")', () => {
    expect(startupFailure(new Error('Database is closed'), { dataDir: '/tmp/sl' })?.message).toBe(
      'ERROR: DATA_DIR /tmp/sl is in use by another slctl serve (npm start): its embedded DynamoDB can be opened by one process only. Stop the other one, or give this one its own directory (DATA_DIR=/tmp/sl2 npm start).',
    );
    // with DYNAMODB_ENDPOINT there is no DATA_DIR engine: not this explanation
    expect(startupFailure(new Error('Database is closed'), {})).toBeUndefined();
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/root/x'"), { code: 'EACCES', path: '/root/x' });
    expect(startupFailure(denied, { dataDir: '/root/x' })?.message).toBe("ERROR: cannot use DATA_DIR /root/x: EACCES: permission denied, mkdir '/root/x'. Set DATA_DIR to a directory this user can write.");
    expect(startupFailure(new Error('something else'), { dataDir: '/tmp/sl' })).toBeUndefined();
  });
});

// `serve` runs on this machine whatever the test target: these run once
describe.skipIf(process.env.SLCTL_TEST_TARGET === 'lambda')('slctl serve start-up failures (spawned)', () => {
  const BIN = fileURLToPath(new URL('../../cli/bin/slctl.js', import.meta.url));
  const quiet = { LOADBALANCER_SECRET: 'lb', ADMIN_SECRET: 'admin', LOG_LEVEL: 'error' };
  let first: ChildProcess | undefined;
  let blocker: Server | undefined;

  afterEach(async () => {
    if (first && first.exitCode === null) {
      const exited = new Promise((resolve) => first!.once('exit', resolve));
      first.kill('SIGTERM');
      await exited;
    }
    first = undefined;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

  it('a port in use: one line, exit 1', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const r = await runSlctl(['serve', '--no-poll'], { env: { ...quiet, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'slctl-serve-')) }, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ERROR: cannot listen on 127.0.0.1:${port}: the port is in use (another slctl serve / npm start?). Stop that process, or set PORT to a free port (PORT=3001 npm start).\n`);
  }, 40_000);

  it('a second serve on the same DATA_DIR: one line naming the directory, exit 1; the first goes on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slctl-serve-'));
    first = spawn(process.execPath, [BIN, 'serve', '--no-poll'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...quiet, PORT: '0', DATA_DIR: dataDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let banner = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the first serve did not start: ${banner}`)), 30_000);
      first!.stderr!.setEncoding('utf8').on('data', (c: string) => {
        banner += c;
        if (banner.includes('finds this stack by itself')) {
          clearTimeout(timer);
          resolve();
        }
      });
      first!.once('exit', () => reject(new Error(`the first serve ended: ${banner}`)));
    });
    const r = await runSlctl(['serve', '--no-poll'], { env: { ...quiet, PORT: '0', DATA_DIR: dataDir }, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    noStackTrace(r.stderr);
    expect(r.stderr).toBe(
      `ERROR: DATA_DIR ${dataDir} is in use by another slctl serve (npm start): its embedded DynamoDB can be opened by one process only. Stop the other one, or give this one its own directory (DATA_DIR=/tmp/sl2 npm start).\n`,
    );
    expect(first.exitCode).toBeNull();
  }, 70_000);
});
