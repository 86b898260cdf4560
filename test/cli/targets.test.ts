import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { NO_TARGET, SERVE_FILE } from '../../cli/target-resolution.js';
import type { Logger } from '../../shared/app/logger.js';
import { runSlctl } from './run-slctl.js';
import { SPAWN_TIMEOUT } from './slctl-fixture.js';

/**
 * The two targets end to end: slctl finds the local stack by itself (`<DATA_DIR>/slctl-serve.json`), reaches
 * its table directly or its admin function through @aws-sdk/client-lambda, and says what is wrong in one
 * line with a documented exit code. (The whole CLI suite runs on both targets: vitest.config.ts.)
 */

const dir = mkdtempSync(join(tmpdir(), 'slctl-targets-'));
const dataDir = join(dir, 'data');
/** nothing of this machine's AWS set-up either: no ~/.aws, no AWS_* variables (run-slctl passes none) */
const bare = { HOME: dir, AWS_CONFIG_FILE: join(dir, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials') };
const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = { info: (msg, fields) => logged.push({ msg, fields }), warn: (msg, fields) => logged.push({ msg, fields }), error: (msg, fields) => logged.push({ msg, fields }) };

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ env: { DYNAMODB_TABLE: 'slctl-targets', PORT: '0' }, poll: false, log, serveFile: join(dataDir, SERVE_FILE) });
  await stack.deps.store.servers.add({ id: 'bbb-t1', url: 'https://bbb-t1/bigbluebutton/api', secret: 't1-secret', state: 'enabled' });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const slctl = (args: string[], env: Record<string, string> = {}, input?: string) => runSlctl(args, { env: { ...bare, ...env }, input, timeoutMs: SPAWN_TIMEOUT });
const LISTING = ['id: bbb-t1', '\turl: https://bbb-t1/bigbluebutton/api', '\tsecret: t1-secret', '\tenabled', '\tload: unavailable', '\tload multiplier: 1.0', '\tbbb version: ', '\ttag: ', '\toffline', ''].join('\n');

describe('the local stack, found by itself', () => {
  it('is announced while it runs', () => {
    expect(JSON.parse(readFileSync(join(dataDir, SERVE_FILE), 'utf8'))).toEqual({
      url: stack.url,
      dynamoEndpoint: stack.dynamoEndpoint,
      s3Endpoint: stack.s3Endpoint,
      table: 'slctl-targets',
      bucket: 'scalelite-recordings',
      pid: process.pid,
    });
  });

  it('is reached directly and through its admin function, with the same bytes', async () => {
    expect(await slctl(['servers'], { DATA_DIR: dataDir })).toEqual({ code: 0, stdout: LISTING, stderr: '' });
    expect(await slctl(['--via', 'lambda', 'servers'], { DATA_DIR: dataDir })).toEqual({ code: 0, stdout: LISTING, stderr: '' });
    // the README's walkthrough: the Lambda Invoke endpoint named in full
    expect(await slctl(['--via', 'lambda', '--function', 'scalelite-admin', '--endpoint-url', stack.url, 'servers'])).toEqual({ code: 0, stdout: LISTING, stderr: '' });
  });

  it('logs one line per invocation: task, exit code, time; never the arguments', async () => {
    logged.length = 0;
    const r = await slctl(['--via', 'lambda', 'servers:add', 'https://bbb-t2/bigbluebutton/api', 'never-logged-secret'], { DATA_DIR: dataDir });
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^OK\nid: [0-9a-f-]{36}\n$/) });
    expect(logged).toEqual([{ msg: 'admin task', fields: { task: 'servers:add', exitCode: 0, ms: expect.any(Number) } }]);
    await stack.deps.store.servers.remove(/^id: (.+)$/m.exec(r.stdout)![1]);
  });

  it('slctl context says where each value comes from', async () => {
    const r = await slctl(['context', '--via', 'lambda'], { DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' | '))).toEqual([
      `Target: the admin function scalelite-admin at ${stack.url}`,
      'via | lambda | --via',
      'function | scalelite-admin | local stack',
      `endpoint-url | ${stack.url} | local stack`,
      'region | us-east-1 | default',
      'profile | - | AWS SDK default chain',
      `Context: none; contexts file ${join(tmpdir(), `slctl-test-${process.pid}-absent`, 'config.yml')}`,
      `Local stack: ${join(dataDir, SERVE_FILE)} (pid ${process.pid})`,
      '',
    ]);
  });

  it('refuses a task that reads local files on the lambda target (exit 64)', async () => {
    expect(await slctl(['--via', 'lambda', 'playback:install', dir], { DATA_DIR: dataDir })).toEqual({
      code: 64,
      stdout: '',
      stderr: 'ERROR: playback:install reads files on this machine and runs here only: use the direct target (--via direct, with --endpoint/--table/--region or a context that reaches the table)\n',
    });
  });
});

describe('no target, or one that does not answer', () => {
  it('with nothing at all: says what to set (exit 3), on both targets', async () => {
    expect(await slctl(['servers'])).toEqual({ code: 3, stdout: '', stderr: `${NO_TARGET}\n` });
    expect(await slctl(['--via', 'lambda', '--function', 'prod-admin', 'servers'])).toEqual({ code: 3, stdout: '', stderr: `${NO_TARGET}\n` });
    expect(await slctl(['context'])).toMatchObject({ code: 3, stderr: `${NO_TARGET}\n`, stdout: expect.stringMatching(/\n {2}region +- +none\n/) });
  });

  it('an admin function the endpoint does not have, or an endpoint that does not answer (exit 3)', async () => {
    expect(await slctl(['--function', 'other', '--endpoint-url', stack.url, 'servers'])).toEqual({
      code: 3,
      stdout: '',
      stderr: `ERROR: there is no admin function other at ${stack.url} (Function not found: arn:aws:lambda:us-east-1:000000000000:function:other); check --function / SLCTL_FUNCTION\n`,
    });
    expect(await slctl(['--endpoint-url', 'http://127.0.0.1:9', 'servers'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: cannot reach the admin function at http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9); check --endpoint-url / SLCTL_ENDPOINT_URL\n',
    });
  });

  it('a stopped stack takes its announcement with it', async () => {
    const other = join(dir, 'other');
    const s = await startLocalStack({ env: { DYNAMODB_TABLE: 'slctl-targets-2', PORT: '0' }, poll: false, log, serveFile: join(other, SERVE_FILE) });
    expect(existsSync(join(other, SERVE_FILE))).toBe(true);
    await s.close();
    expect(existsSync(join(other, SERVE_FILE))).toBe(false);
    expect(await slctl(['servers'], { DATA_DIR: other })).toEqual({ code: 3, stdout: '', stderr: `${NO_TARGET}\n` });
  });
});
