import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalInvoke, isLoopback, type InvokeRequest } from '../../cli/local-invoke.js';
import { describeInvokeFailure, runRemoteTask, taskArgs, taskInput, writeOutput, type Invoke, type RemoteIo } from '../../cli/remote-task.js';
import type { AdminResponse, AdminTaskRequest, AdminTaskResult } from '../../shared/admin/admin-contract.js';
import type { Deps } from '../../shared/app/deps.js';
import type { Logger } from '../../shared/app/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'slctl-remote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = { functionName: 'scalelite-admin', endpointUrl: 'http://127.0.0.1:3000' };

/** stdin with `text` (then its end), stdout and stderr collected. */
function io(text = '') {
  const stdin = new PassThrough();
  stdin.end(text);
  const out = { stdout: '', stderr: '' };
  const streams: RemoteIo = { stdin, stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } };
  return { streams, out };
}

/** An admin function that answers `answers` in turn and records the requests. */
function fakeFunction(...answers: (Partial<AdminTaskResult> | { raw: string; error?: string })[]) {
  const requests: AdminTaskRequest[] = [];
  const invoke: Invoke = async (payload) => {
    requests.push(JSON.parse(Buffer.from(payload).toString('utf8')) as AdminTaskRequest);
    const a = answers[Math.min(requests.length - 1, answers.length - 1)];
    if ('raw' in a) return { FunctionError: a.error, Payload: Buffer.from(a.raw) };
    return { Payload: Buffer.from(JSON.stringify({ v: 1, stdout: '', stderr: '', exitCode: 0, ...a })) };
  };
  return { invoke, requests };
}

const failure = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error & { exitCode?: number }) => ({ message: e.message, exitCode: e.exitCode }));

describe('remote task: the request', () => {
  it("sends the task's own arguments, without slctl's options", () => {
    const argv = { _: ['servers:tag'], $0: 'slctl', ID: 'bbb1', TAG: 'x', via: 'lambda', function: 'f', 'endpoint-url': 'u', endpointUrl: 'u', context: 'c', region: 'r', profile: 'p', json: false, 'dry-run': true, dryRun: true, unset: undefined };
    expect(taskArgs(argv)).toEqual({ ID: 'bbb1', TAG: 'x', json: false, 'dry-run': true, dryRun: true });
  });

  it('sends the file a task reads, stdin for -, and the error reading a file gave', async () => {
    const file = join(dir, 'servers.yaml');
    writeFileSync(file, 'servers: {}\n');
    expect(await taskInput('servers:sync', { file }, new PassThrough())).toEqual({ files: { [file]: 'servers: {}\n' } });
    expect(await taskInput('servers:addAll', { PATH: file }, new PassThrough())).toEqual({ files: { [file]: 'servers: {}\n' } });
    const stdin = new PassThrough();
    stdin.end('from stdin');
    expect(await taskInput('servers:sync', { PATH: '-' }, stdin)).toEqual({ stdin: 'from stdin' });
    const missing = join(dir, 'missing.yaml');
    expect(await taskInput('servers:sync', { file: missing }, new PassThrough())).toEqual({
      files: { [missing]: { error: `ENOENT: no such file or directory, open '${missing}'`, code: 'ENOENT' } },
    });
    expect(await taskInput('servers', {}, new PassThrough())).toEqual({});
  });

  it("refuses input over Lambda's 6 MB before sending anything (exit 1)", async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'x'.repeat(6 * 1024 * 1024));
    const f = fakeFunction({});
    expect(await failure(runRemoteTask(target, 'servers:sync', { file: big }, { invoke: f.invoke, io: io().streams }))).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^ERROR: servers:sync's input \(\d+ bytes\) is over what one invocation of the admin function may carry \(6 MB\); run it with --via direct$/),
    });
    expect(f.requests).toEqual([]);
  });
});

describe('remote task: the answer', () => {
  it('writes stdout and stderr exactly and resolves to the exit code', async () => {
    const f = fakeFunction({ stdout: 'Removing server x...\n', stderr: 'ERROR: No server found with id: x\n', exitCode: 1 });
    const { streams, out } = io();
    expect(await runRemoteTask(target, 'servers:remove', { _: ['servers:remove'], $0: 'slctl', ID: 'x' }, { invoke: f.invoke, io: streams })).toBe(1);
    expect(out).toEqual({ stdout: 'Removing server x...\n', stderr: 'ERROR: No server found with id: x\n' });
    // `slice`: this slctl continues long tasks (a version-1 function ignores it and runs the task whole)
    expect(f.requests).toEqual([{ v: 1, task: 'servers:remove', args: { ID: 'x' }, slice: {} }]);
  });

  it('answers questions from stdin, one line per invocation, showing each part of the output once', async () => {
    const prompt = 'WARNING: …\nIf you still wish to continue please enter `yes`\n';
    const f = fakeFunction(
      { stdout: prompt, needsInput: true },
      { stdout: `${prompt}really?\n`, needsInput: true },
      { stdout: `${prompt}really?\nOK\n`, stderr: 'Clearing Meeting id=m1\n', exitCode: 0 },
    );
    const { streams, out } = io('yes\nsure\n');
    expect(await runRemoteTask(target, 'meetings:end', {}, { invoke: f.invoke, io: streams })).toBe(0);
    expect(out).toEqual({ stdout: `${prompt}really?\nOK\n`, stderr: 'Clearing Meeting id=m1\n' });
    expect(f.requests.map((r) => r.answers)).toEqual([undefined, ['yes'], ['yes', 'sure']]);
  });

  it('sends null for an answer once stdin has ended (as readLine gives no line)', async () => {
    const f = fakeFunction({ stdout: 'enter `yes`\n', needsInput: true }, { stdout: 'enter `yes`\nOK\n' });
    const { streams, out } = io('');
    expect(await runRemoteTask(target, 'servers:disable', { ID: 'a' }, { invoke: f.invoke, io: streams })).toBe(0);
    expect(f.requests[1].answers).toEqual([null]);
    expect(out.stdout).toBe('enter `yes`\nOK\n');
  });

  it('shows an activity line on a terminal while the function works, cleared before the output', async () => {
    const f = fakeFunction({ stdout: 'OK\n', stderr: 'w\n' });
    const { streams, out } = io();
    const tty = { ...streams, stderr: { isTTY: true, write: streams.stderr.write } };
    expect(await runRemoteTask(target, 'poll:all', {}, { invoke: f.invoke, io: tty })).toBe(0);
    expect(out).toEqual({ stdout: 'OK\n', stderr: '\r\x1b[Kpoll:all: waiting for scalelite-admin 0 s\r\x1b[Kw\n' });
  });

  it('continues a long task slice after slice: sends each continuation back, writes each output once', async () => {
    const f = fakeFunction(
      { stdout: 'WARNING: …\n', stderr: 'ended m1\nended m2\n', continuation: 'c1', progress: { label: 'Ending meetings', done: 2, total: 5 } },
      { stderr: 'ended m3\nended m4\n', continuation: 'c2', progress: { label: 'Ending meetings', done: 4, total: 5 } },
      { stdout: 'OK\n', stderr: 'ended m5\n', exitCode: 0 },
    );
    const { streams, out } = io();
    expect(await runRemoteTask(target, 'meetings:end', { yes: true }, { invoke: f.invoke, io: streams, env: { SLCTL_SLICE_ITEMS: '2' } })).toBe(0);
    expect(out).toEqual({ stdout: 'WARNING: …\nOK\n', stderr: 'ended m1\nended m2\nended m3\nended m4\nended m5\n' });
    expect(f.requests.map((r) => r.slice)).toEqual([{ items: 2 }, { items: 2, continuation: 'c1' }, { items: 2, continuation: 'c2' }]);
  });

  it("shows the task's progress between slices on a terminal, in the direct target's form", async () => {
    const f = fakeFunction({ stderr: 'w\n', continuation: 'c1', progress: { label: 'Ending meetings', done: 200, total: 500 } }, { stdout: 'OK\n' });
    const { streams, out } = io();
    const tty = { ...streams, stderr: { isTTY: true, write: streams.stderr.write } };
    expect(await runRemoteTask(target, 'meetings:end', {}, { invoke: f.invoke, io: tty, env: {} })).toBe(0);
    expect(out).toEqual({ stdout: 'OK\n', stderr: '\r\x1b[Kmeetings:end: waiting for scalelite-admin 0 s\r\x1b[Kw\n\r\x1b[KEnding meetings 200/500\r\x1b[K' });
    // not a terminal: no progress at all
    const piped = io();
    await runRemoteTask(target, 'meetings:end', {}, { invoke: fakeFunction({ continuation: 'c1', progress: { label: 'Ending meetings', done: 1, total: 2 } }, { stdout: 'OK\n' }).invoke, io: piped.streams, env: {} });
    expect(piped.out).toEqual({ stdout: 'OK\n', stderr: '' });
  });

  it('a question after slices: the answer goes with the continuation, and the prompt is written once', async () => {
    const f = fakeFunction({ stdout: 'enter `yes`\n', continuation: 'q1', needsInput: true }, { stdout: 'OK\n' });
    const { streams, out } = io('yes\n');
    expect(await runRemoteTask(target, 'meetings:end', {}, { invoke: f.invoke, io: streams, env: {} })).toBe(0);
    expect(out.stdout).toBe('enter `yes`\nOK\n');
    expect(f.requests[1]).toMatchObject({ answers: ['yes'], slice: { continuation: 'q1' } });
  });

  it('an invocation that fails after slices did their work: says how far the task got and that running it again finishes it', async () => {
    const f = fakeFunction(
      { stderr: 'ended m1\n', continuation: 'c1', progress: { label: 'Ending meetings', done: 1, total: 3 } },
      { raw: '{"errorType":"Error","errorMessage":"Task timed out after 900.00 seconds"}', error: 'Unhandled' },
    );
    const { streams, out } = io();
    expect(await failure(runRemoteTask(target, 'meetings:end', {}, { invoke: f.invoke, io: streams, env: {} }))).toEqual({
      message:
        'ERROR: the admin function scalelite-admin failed (Error: Task timed out after 900.00 seconds); its log has the details\n' +
        'ERROR: meetings:end stopped after 1 invocation of scalelite-admin (Ending meetings 1/3): what they did stays done; run the task again to finish it',
      exitCode: 1,
    });
    expect(out.stderr).toBe('ended m1\n');
  });

  it('refuses slice knobs that are no whole numbers in range (exit 2)', async () => {
    for (const env of [{ SLCTL_SLICE_ITEMS: '0' }, { SLCTL_SLICE_ITEMS: '2.5' }, { SLCTL_SLICE_SECONDS: '601' }]) {
      const f = fakeFunction({});
      expect(await failure(runRemoteTask(target, 'servers', {}, { invoke: f.invoke, io: io().streams, env }))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^ERROR: SLCTL_SLICE_(ITEMS|SECONDS) must be a whole number from 1 to \d+/) });
      expect(f.requests).toEqual([]);
    }
  });

  it('keeps the order the task wrote in across both streams', () => {
    const chunks: string[] = [];
    const sink = { stdout: { write: (t: string) => chunks.push(`1:${t}`) }, stderr: { write: (t: string) => chunks.push(`2:${t}`) } };
    const r: AdminTaskResult = { v: 1, stdout: 'a\nb\n', stderr: 'w\n', interleave: [2, -2, 2], exitCode: 0 };
    writeOutput(r, { stdout: 0, stderr: 0 }, sink);
    expect(chunks).toEqual(['1:a\n', '2:w\n', '1:b\n']);
    chunks.length = 0;
    writeOutput(r, { stdout: 3, stderr: 0 }, sink); // after `a\nb` was shown
    expect(chunks).toEqual(['2:w\n', '1:\n']);
    chunks.length = 0;
    writeOutput({ ...r, interleave: [9] }, { stdout: 0, stderr: 0 }, sink); // unsound: stdout, then stderr
    expect(chunks).toEqual(['1:a\nb\n', '2:w\n']);
  });

  it('maps what the function refuses to one line and a documented exit code', async () => {
    const refusal = (code: string) => fakeFunction({ raw: JSON.stringify({ v: 1, error: { code, message: 'the reason' } }) });
    const run = (f: ReturnType<typeof fakeFunction>) => failure(runRemoteTask(target, 'servers', {}, { invoke: f.invoke, io: io().streams }));
    expect(await run(refusal('unsupportedVersion'))).toEqual({ message: 'ERROR: scalelite-admin refused servers: the reason', exitCode: 2 });
    expect(await run(refusal('unknownTask'))).toMatchObject({ exitCode: 2 });
    expect(await run(refusal('localOnlyTask'))).toMatchObject({ exitCode: 64 });
    expect(await run(refusal('badRequest'))).toMatchObject({ exitCode: 1 });
    expect(await run(fakeFunction({ raw: '{"errorType":"Error","errorMessage":"Task timed out after 900.00 seconds"}', error: 'Unhandled' }))).toEqual({
      message: 'ERROR: the admin function scalelite-admin failed (Error: Task timed out after 900.00 seconds); its log has the details',
      exitCode: 1,
    });
    expect(await run(fakeFunction({ raw: '"hello"' }))).toMatchObject({ exitCode: 2, message: expect.stringContaining('did not answer as an admin function of contract version 1') });
  });

  it('maps SDK failures: unreachable, unknown function, denied, no credentials, no region', () => {
    const d = (e: object) => {
      const c = describeInvokeFailure(e, { functionName: 'f', region: 'eu-west-1' });
      return { message: c.message, exitCode: c.exitCode };
    };
    expect(describeInvokeFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }), { functionName: 'f', endpointUrl: 'http://127.0.0.1:9' })).toMatchObject({
      message: 'ERROR: cannot reach the admin function at http://127.0.0.1:9 (connect ECONNREFUSED 127.0.0.1:9); check --endpoint-url / SLCTL_ENDPOINT_URL',
      exitCode: 3,
    });
    expect(d({ name: 'Error', message: 'socket hang up', code: 'ECONNRESET' })).toEqual({
      message: 'ERROR: the connection to the admin function at AWS Lambda in eu-west-1 was lost before its answer (socket hang up): the task may have run; look (slctl servers, status) before running it again',
      exitCode: 3,
    });
    expect(d({ name: 'ResourceNotFoundException', message: 'Function not found: f' })).toEqual({
      message: 'ERROR: there is no admin function f at AWS Lambda in eu-west-1 (Function not found: f); check --function / SLCTL_FUNCTION',
      exitCode: 3,
    });
    expect(d({ name: 'AccessDeniedException', message: 'not authorized' })).toEqual({
      message: "ERROR: not allowed to invoke f (not authorized); the caller needs lambda:InvokeFunction on it (the stack's slctl-operator policy)",
      exitCode: 3,
    });
    expect(d({ name: 'CredentialsProviderError', message: 'Could not load credentials' })).toMatchObject({ exitCode: 3, message: expect.stringMatching(/^ERROR: no AWS credentials/) });
    expect(d({ name: 'Error', message: 'Region is missing' })).toMatchObject({ exitCode: 3, message: expect.stringMatching(/^ERROR: no target: /) });
    expect(d({ name: 'TooManyRequestsException', message: 'Rate exceeded' })).toEqual({ message: 'ERROR: invoking f failed (TooManyRequestsException: Rate exceeded)', exitCode: 1 });
  });
});

describe('local invoke endpoint', () => {
  const logged: unknown[][] = [];
  const log: Logger = { info: (...a) => logged.push(['info', ...a]), warn: (...a) => logged.push(['warn', ...a]), error: (...a) => logged.push(['error', ...a]) };
  const request = (over: Partial<InvokeRequest> & { json?: unknown } = {}): InvokeRequest => ({
    method: 'POST',
    path: '/2015-03-31/functions/scalelite-admin/invocations',
    header: () => undefined,
    body: async () => Buffer.from(JSON.stringify(over.json ?? { v: 1, task: 'servers:add', args: { URL: 'https://b', SECRET: 'top-secret' } })),
    remoteAddress: '127.0.0.1',
    ...over,
  });
  const answering = (result: AdminResponse) => createLocalInvoke({ getDeps: () => ({}) as Deps, log, handler: async () => result });

  it('answers loopback callers only', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.1', '::ffff:192.168.1.2', '0.0.0.0', '', undefined].map(isLoopback)).toEqual([false, false, false, false, false]);
  });

  it("runs the function and answers its JSON as Lambda does; logs task, exit code and time, never the arguments", async () => {
    logged.length = 0;
    const a = await answering({ v: 1, stdout: 'OK\n', stderr: '', exitCode: 0 })(request());
    expect(a).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: '{"v":1,"stdout":"OK\\n","stderr":"","exitCode":0}' });
    expect(logged).toEqual([['info', 'admin task', { task: 'servers:add', exitCode: 0, ms: expect.any(Number) }]]);
    expect(JSON.stringify(logged)).not.toContain('top-secret');
  });

  it('passes other requests to the app, and refuses callers, names and bodies as Lambda does', async () => {
    const invoke = answering({ v: 1, stdout: '', stderr: '', exitCode: 0 });
    expect(await invoke(request({ method: 'GET' }))).toBeUndefined();
    expect(await invoke(request({ path: '/bigbluebutton/api/create' }))).toBeUndefined();
    expect(await invoke(request({ remoteAddress: '10.0.0.7' }))).toMatchObject({ status: 403, headers: { 'x-amzn-ErrorType': 'AccessDeniedException' } });
    expect(await invoke(request({ path: '/2015-03-31/functions/other/invocations' }))).toEqual({
      status: 404,
      headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ResourceNotFoundException' },
      body: JSON.stringify({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:other' }),
    });
    expect(await invoke(request({ path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ascalelite-admin/invocations' }))).toMatchObject({ status: 200 });
    expect(await invoke(request({ body: async () => undefined }))).toMatchObject({ status: 413, headers: { 'x-amzn-ErrorType': 'RequestEntityTooLargeException' } });
    expect(await invoke(request({ body: async () => Buffer.from('{nope') }))).toMatchObject({ status: 400, headers: { 'x-amzn-ErrorType': 'InvalidRequestContentException' } });
    expect(await invoke(request({ header: (n) => (n === 'x-amz-invocation-type' ? 'DryRun' : undefined) }))).toEqual({ status: 204, headers: {}, body: '' });
  });

  it('answers a crash of the function as Lambda does: 200 with X-Amz-Function-Error: Unhandled', async () => {
    logged.length = 0;
    const invoke = createLocalInvoke({
      getDeps: () => ({}) as Deps,
      log,
      handler: async () => {
        throw new TypeError('boom');
      },
    });
    expect(await invoke(request())).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorType: 'TypeError', errorMessage: 'boom' }),
    });
    expect(logged).toEqual([['error', 'admin task crashed', { task: 'servers:add', error: 'boom', ms: expect.any(Number) }]]);
  });
});
