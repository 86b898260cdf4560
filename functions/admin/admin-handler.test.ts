import { describe, expect, it } from 'vitest';
import type { CommandModule } from 'yargs';
import { CliError } from '../../cli/cli-error.js';
import { commands as slctlCommands } from '../../cli/commands/index.js';
import { print, readAll, readLine, readTaskFile, say, warn } from '../../cli/stdio.js';
import { cliDeps } from '../../cli/target.js';
import { ADMIN_CONTRACT_VERSION, type AdminResponse, type AdminTaskResult } from '../../shared/admin/admin-contract.js';
import type { Deps } from '../../shared/app/deps.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { hexDigest } from '../../shared/domain/checksum.js';
import { createAdminHandler, fitResponse, interleave, LOCAL_ONLY_TASKS, logCrash, logInvocation, taskNames } from './admin-handler.js';
import type { Logger } from '../../shared/app/logger.js';
import { runBounded } from '../../cli/bbb-tasks.js';
import { memo, step } from '../../cli/task-slice.js';

const deps = { config: parseConfig({ DYNAMODB_TABLE: 'the-functions-table', LOADBALANCER_SECRET: 'fn-secret' }) } as unknown as Deps;

const task = (command: string, handler: (argv: Record<string, unknown>) => unknown, aliases?: string[]): CommandModule =>
  ({ command, aliases, describe: command, handler }) as unknown as CommandModule;

const demo = [
  task('demo:fail [ID]', (a) => {
    say(`Removing ${a.ID}...`);
    warn('a warning');
    throw new CliError(`ERROR: No server found with id: ${a.ID}`, 1);
  }),
  task('demo:crash', () => {
    throw new Error('the table is gone');
  }),
  task('demo:zero', () => {
    throw new CliError('WARNING: only a warning', 0);
  }),
  task(
    'demo:ask',
    async () => {
      say('Continue? enter `yes`');
      const first = await readLine();
      say(`first: ${first}`);
      const second = await readLine();
      say(`second: ${second === undefined ? '(end of input)' : second}`);
    },
    ['demo:question'],
  ),
  task('demo:swallow', async () => {
    try {
      await readLine();
    } catch {
      // a task that catches everything must still not run on without its answer
    }
    say('went on');
  }),
  task('demo:input [PATH]', async (a) => {
    print(a.PATH === '-' ? await readAll() : await readTaskFile(String(a.PATH)));
  }),
  task('demo:deps', async (a) => {
    say((await cliDeps({ DYNAMODB_TABLE: 'not-this-one' }, a)).config.dynamodbTable);
  }),
  task('serve', () => say('never here')),
];

const handler = createAdminHandler(() => deps, demo);
const run = (payload: unknown) => handler(payload) as Promise<AdminResponse>;
const result = async (payload: unknown) => {
  const r = await run(payload);
  if ('error' in r) throw new Error(`request error: ${r.error.message}`);
  return r;
};

describe('admin handler: the contract', () => {
  it.each([
    ['not an object', 'badRequest', 'x'],
    ['an array', 'badRequest', [1]],
    ['another version', 'unsupportedVersion', { v: 2, task: 'demo:fail', args: {} }],
    ['no version', 'unsupportedVersion', { task: 'demo:fail', args: {} }],
    ['a task that is no name', 'badRequest', { v: 1, task: '../etc', args: {} }],
    ['args that are no object', 'badRequest', { v: 1, task: 'demo:fail', args: ['a'] }],
    ['stdin that is no text', 'badRequest', { v: 1, task: 'demo:input', args: {}, stdin: 5 }],
    ['files that are no texts', 'badRequest', { v: 1, task: 'demo:input', args: {}, files: { a: 1 } }],
    ['answers that are no lines', 'badRequest', { v: 1, task: 'demo:ask', args: {}, answers: [1] }],
    ['too many answers', 'badRequest', { v: 1, task: 'demo:ask', args: {}, answers: Array(21).fill('yes') }],
  ])('refuses %s (%s)', async (_what, code, payload) => {
    const r = await run(payload);
    expect(r).toMatchObject({ v: ADMIN_CONTRACT_VERSION, error: { code } });
  });

  it('refuses a task it does not have, and one that runs on the operator machine only', async () => {
    expect(await run({ v: 1, task: 'demo:nope', args: {} })).toEqual({ v: 1, error: { code: 'unknownTask', message: 'no task named demo:nope' } });
    expect(await run({ v: 1, task: 'serve', args: {} })).toMatchObject({ v: 1, error: { code: 'localOnlyTask', message: expect.stringMatching(/^serve runs on the operator's machine only .*use the direct target$/) } });
  });

  it("refuses slctl's local-only tasks by their real names", async () => {
    const real = createAdminHandler(() => deps, slctlCommands);
    for (const name of ['serve', 'recordings:import', 'recordings:import-published', 'playback:install', 'context', 'context:set', 'context:use', 'context:list', 'context:remove']) {
      expect(slctlCommands.some((c) => taskNames(c).includes(name))).toBe(true);
      expect(await real({ v: 1, task: name, args: {} })).toMatchObject({ error: { code: 'localOnlyTask' } });
    }
    expect(LOCAL_ONLY_TASKS.has('servers')).toBe(false);
  });
});

describe('admin handler: running a task', () => {
  it("answers a failing task's output and exit code as slctl would print them", async () => {
    expect(await result({ v: 1, task: 'demo:fail', args: { ID: 'bbb9' } })).toEqual({
      v: 1,
      stdout: 'Removing bbb9...\n',
      stderr: 'a warning\nERROR: No server found with id: bbb9\n',
      interleave: [17, -47],
      exitCode: 1,
    });
  });

  it('describes an unexpected error as slctl does (exit 1), and a CliError of exit 0 as a warning', async () => {
    expect(await result({ v: 1, task: 'demo:crash', args: {} })).toMatchObject({ stdout: '', stderr: 'ERROR: the table is gone\n', exitCode: 1 });
    expect(await result({ v: 1, task: 'demo:zero', args: {} })).toMatchObject({ stderr: 'WARNING: only a warning\n', exitCode: 0 });
  });

  it('asks for input it does not have, then runs with the answers (an alias names the task too)', async () => {
    expect(await result({ v: 1, task: 'demo:ask', args: {} })).toEqual({ v: 1, stdout: 'Continue? enter `yes`\n', stderr: '', interleave: [22], exitCode: 0, needsInput: true });
    expect(await result({ v: 1, task: 'demo:question', args: {}, answers: ['yes'] })).toMatchObject({ stdout: 'Continue? enter `yes`\nfirst: yes\n', needsInput: true });
    expect(await result({ v: 1, task: 'demo:ask', args: {}, answers: ['yes', null] })).toEqual({
      v: 1,
      stdout: 'Continue? enter `yes`\nfirst: yes\nsecond: (end of input)\n',
      stderr: '',
      interleave: [56],
      exitCode: 0,
    });
  });

  it('asks again even when the task swallowed the question', async () => {
    expect(await result({ v: 1, task: 'demo:swallow', args: {} })).toMatchObject({ stdout: 'went on\n', needsInput: true });
    expect(await result({ v: 1, task: 'demo:swallow', args: {}, answers: ['x'] })).not.toHaveProperty('needsInput');
  });

  it('reads the stdin and the files sent with the request, and fails as on the operator machine for a file it could not read', async () => {
    expect(await result({ v: 1, task: 'demo:input', args: { PATH: '-' }, stdin: 'from stdin' })).toMatchObject({ stdout: 'from stdin', exitCode: 0 });
    expect(await result({ v: 1, task: 'demo:input', args: { PATH: 's.yaml' }, files: { 's.yaml': 'servers: {}\n' } })).toMatchObject({ stdout: 'servers: {}\n' });
    const missing = "ENOENT: no such file or directory, open 'gone.yaml'";
    expect(await result({ v: 1, task: 'demo:input', args: { PATH: 'gone.yaml' }, files: { 'gone.yaml': { error: missing, code: 'ENOENT' } } })).toMatchObject({
      stderr: `ERROR: ${missing}\n`,
      exitCode: 1,
    });
    expect(await result({ v: 1, task: 'demo:input', args: { PATH: 'other.yaml' } })).toMatchObject({ stderr: expect.stringContaining('slctl did not send it'), exitCode: 1 });
  });

  it("gives the task the function's deps, not the environment's", async () => {
    expect(await result({ v: 1, task: 'demo:deps', args: {} })).toMatchObject({ stdout: 'the-functions-table\n' });
  });

  it("signs api:url with the function's LOADBALANCER_SECRET", async () => {
    const real = createAdminHandler(() => deps, slctlCommands);
    const r = await real({ v: 1, task: 'api:url', args: { call: 'getMeetings', query: '' } });
    expect(r).toMatchObject({ stdout: `http://127.0.0.1:3000/bigbluebutton/api/getMeetings?checksum=${hexDigest('SHA256', 'getMeetingsfn-secret')}\n`, exitCode: 0 });
  });
});

describe('admin handler: the log line of an invocation', () => {
  it('names the task, its exit code (or the refusal) and the time; never the arguments', async () => {
    const lines: unknown[][] = [];
    const log: Logger = { info: (...a) => lines.push(['info', ...a]), warn: (...a) => lines.push(['warn', ...a]), error: (...a) => lines.push(['error', ...a]) };
    const payload = { v: 1, task: 'demo:fail', args: { ID: 'bbb9', SECRET: 'never-logged' } };
    logInvocation(log, payload, await run(payload), 12);
    logInvocation(log, { v: 1, task: 'demo:ask', args: {} }, await run({ v: 1, task: 'demo:ask', args: {} }), 3);
    logInvocation(log, { v: 2, task: '<script>', args: {} }, await run({ v: 2, task: '<script>', args: {} }), 1);
    logCrash(log, payload, new Error('boom'), 7);
    expect(lines).toEqual([
      ['info', 'admin task', { task: 'demo:fail', exitCode: 1, ms: 12 }],
      ['info', 'admin task', { task: 'demo:ask', exitCode: 0, needsInput: true, ms: 3 }],
      ['warn', 'admin request refused', { task: undefined, error: 'unsupportedVersion', ms: 1 }],
      ['error', 'admin task crashed', { task: 'demo:fail', error: 'boom', ms: 7 }],
    ]);
    expect(JSON.stringify(lines)).not.toContain('never-logged');
  });
});

describe('admin handler: what is sent back', () => {
  it('merges runs of one stream in the interleaving', () => {
    expect(interleave({ stdout: ['ab', 'c', 'g'], stderr: ['d', 'ef'], order: [1, 1, 2, 1, 2] })).toEqual([3, -1, 1, -2]);
  });

  it("cuts output over Lambda's response limit, says so and exits 1", () => {
    const big: AdminTaskResult = { v: 1, stdout: 'x'.repeat(50_000), stderr: 'w\n', interleave: [50_000, -2], exitCode: 0 };
    const fitted = fitResponse(big, 20_000);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(20_000);
    expect(fitted.stdout).toBe('x'.repeat(fitted.stdout.length));
    expect(fitted.stdout.length).toBeGreaterThan(1000);
    expect(fitted.stderr).toMatch(/^w\nERROR: the task's output \(50002 bytes\) is over the admin function's 6 MB response limit and was cut short; run it with the direct target \(--via direct\)\n$/);
    expect(fitted.exitCode).toBe(1);
    expect(fitted.interleave).toBeUndefined();
    expect(fitResponse({ ...big, exitCode: 3 }, 20_000).exitCode).toBe(3);
    const small: AdminTaskResult = { v: 1, stdout: 'ok\n', stderr: '', exitCode: 0 };
    expect(fitResponse(small, 20_000)).toBe(small);
  });
});

// ------------------------------------------------------------------------------------------------ slices

/** A table the demo tasks work on: the items left (a step removes one, as meetings:end forgets a meeting). */
const table = { left: [] as string[], done: [] as string[], clock: 0, failOn: '' };

const longTasks = [
  task('demo:long', async (a) => {
    const deps = await cliDeps({}, a);
    const items = await memo(async () => [...table.left]);
    say(`Ending ${items.length}`);
    if (a.ask) {
      say('enter `yes`');
      if ((await readLine()) !== 'yes') throw new CliError('declined', 1);
    }
    await runBounded(deps, 'Ending items', items, async (item) => {
      table.clock += 10_000;
      if (item === table.failOn) throw new CliError(`ERROR: cannot end ${item}`, 1);
      table.left = table.left.filter((x) => x !== item);
      table.done.push(item);
      warn(`ended ${item}`);
      return item.toUpperCase();
    }).then((r) => say(`results: ${r.join(',')}`));
    say('OK');
  }),
  task('demo:steps', async () => {
    // sequential steps, as servers:sync applies a file
    for (const item of await memo(async () => [...table.left])) {
      await step(async () => {
        table.done.push(item);
        say(`[${item}] synced`);
      });
    }
  }),
  task('demo:drift', async () => {
    // a course that depends on a read that is not memoized: a later slice may go another way
    if (table.left.length > 2) for (const item of [...table.left]) await step(async () => void table.left.shift());
    say(`left: ${table.left.length}`);
  }),
];

const sliced = createAdminHandler(() => ({ ...deps, config: { ...deps.config, pollerConcurrency: 3 } }) as Deps, longTasks, { now: () => table.clock });

/** Runs a task as slctl does: invocation after invocation with the continuation, answering questions. */
async function runSliced(t: string, args: Record<string, unknown>, slice: { items?: number; seconds?: number } = {}, answers: string[] = []) {
  const sent: (string | null)[] = [];
  let continuation: string | undefined;
  const out = { stdout: '', stderr: '', invocations: 0, progress: [] as unknown[] };
  for (;;) {
    out.invocations++;
    const r = (await sliced({ v: 1, task: t, args, ...(sent.length ? { answers: sent } : {}), slice: { ...slice, ...(continuation ? { continuation } : {}) } })) as AdminTaskResult;
    out.stdout += r.stdout;
    out.stderr += r.stderr;
    if (r.progress) out.progress.push(r.progress);
    continuation = r.continuation;
    if (r.needsInput) {
      sent.push(answers.shift() ?? null);
      continue;
    }
    if (!continuation) return { ...out, exitCode: r.exitCode };
  }
}

const items = (n: number) => Array.from({ length: n }, (_, i) => `i${i + 1}`);

describe('admin handler: long tasks in slices', () => {
  it('does at most `items` steps per invocation, goes on from the continuation, and prints what one run prints', async () => {
    Object.assign(table, { left: items(10), done: [], failOn: '' });
    const whole = (await sliced({ v: 1, task: 'demo:long', args: {} })) as AdminTaskResult; // version 1: no slice, all at once
    expect(whole).toMatchObject({ exitCode: 0, stdout: 'Ending 10\nresults: I1,I2,I3,I4,I5,I6,I7,I8,I9,I10\nOK\n' });
    expect(whole).not.toHaveProperty('continuation');
    expect(table.done).toEqual(items(10));

    Object.assign(table, { left: items(10), done: [] });
    const r = await runSliced('demo:long', {}, { items: 4 });
    expect(r).toMatchObject({ invocations: 3, exitCode: 0, stdout: whole.stdout, stderr: whole.stderr });
    expect(table.done).toEqual(items(10)); // each once
    expect(r.progress).toEqual([
      { label: 'Ending items', done: 4, total: 10 },
      { label: 'Ending items', done: 8, total: 10 },
    ]);
  });

  it('sequential steps too; one item per slice at the least', async () => {
    Object.assign(table, { left: items(3), done: [] });
    expect(await runSliced('demo:steps', {}, { items: 1 })).toMatchObject({ invocations: 3, exitCode: 0, stdout: '[i1] synced\n[i2] synced\n[i3] synced\n' });
    expect(table.done).toEqual(items(3));
  });

  it('ends a slice at its time budget: no step starts after it (one always does)', async () => {
    Object.assign(table, { left: items(7), done: [], clock: 0 });
    // each step takes 10 s: steps start at 0, 10 and 20 s; the fourth would start at 30 s ≥ 25 s
    const r = await runSliced('demo:long', {}, { items: 100, seconds: 25 });
    expect(r).toMatchObject({ invocations: 3, exitCode: 0 });
    expect(table.done).toEqual(items(7));
  });

  it('answers a question in the middle of the slices and shows its prompt once', async () => {
    Object.assign(table, { left: items(5), done: [] });
    const r = await runSliced('demo:long', { ask: true }, { items: 2 }, ['yes']);
    expect(r).toMatchObject({ invocations: 4, exitCode: 0, stdout: 'Ending 5\nenter `yes`\nresults: I1,I2,I3,I4,I5\nOK\n', stderr: items(5).map((i) => `ended ${i}\n`).join('') });
  });

  it('a step that fails: the output so far and the error, no continuation; the steps after it never start', async () => {
    Object.assign(table, { left: items(9), done: [], failOn: 'i5' });
    const r = await runSliced('demo:long', {}, { items: 4 });
    expect(r.exitCode).toBe(1);
    expect(r.invocations).toBe(2);
    expect(r.stderr).toMatch(/^ended i1\nended i2\nended i3\nended i4\n(ended i[67]\n)*ERROR: cannot end i5\n$/);
    expect(table.done).not.toContain('i5');
    // concurrency 3: i6 and i7 were under way when i5 failed (they finish), nothing after them starts
    expect(table.done.filter((i) => ['i8', 'i9'].includes(i))).toEqual([]);
    table.failOn = '';
  });

  it('a task that goes another way in a later slice (a read it did not memoize) fails with a clear message', async () => {
    Object.assign(table, { left: items(4), done: [] });
    expect(await runSliced('demo:drift', {}, { items: 2 })).toMatchObject({
      exitCode: 1,
      stderr: 'ERROR: demo:drift went another way than in its earlier invocations (the servers or meetings changed meanwhile); what it did stays done: run it again\n',
    });
  });

  it('refuses a continuation it did not make, or made for another task', async () => {
    Object.assign(table, { left: items(3), done: [] });
    const first = (await sliced({ v: 1, task: 'demo:steps', args: {}, slice: { items: 1 } })) as AdminTaskResult;
    expect(first.continuation).toEqual(expect.any(String));
    expect(await sliced({ v: 1, task: 'demo:long', args: {}, slice: { continuation: first.continuation } })).toMatchObject({ error: { code: 'badRequest' } });
    expect(await sliced({ v: 1, task: 'demo:steps', args: {}, slice: { continuation: 'bm9wZQ==' } })).toMatchObject({ error: { code: 'badRequest' } });
    expect(await sliced({ v: 1, task: 'demo:steps', args: {}, slice: { items: 0 } })).toMatchObject({ error: { code: 'badRequest' } });
  });
});
