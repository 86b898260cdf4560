import { afterAll, describe, expect, it } from 'vitest';
import { startLocalInvoke, type LocalInvokeServer } from '../../cli/local-invoke.js';
import { allRemoteCommands } from '../../cli/commands/remote-commands.js';
import { createAdminHandler } from '../../functions/admin/admin-handler.js';
import type { AdminResponse } from '../../shared/admin/admin-contract.js';
import { silentLogger } from '../../shared/app/logger.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { assemble } from '../../shared/runtime/assemble.js';
import { injectDynamoFaults, throttled } from '../helpers/dynamo-faults.js';
import { DAY_MS } from '../../shared/app/recording-retention.js';
import { recordingFileKey, recordingPrefix } from '../../shared/storage/storage-keys.js';
import { recording } from '../recordings/recording-fixtures.js';
import { SPAWN_TIMEOUT, useSlctlFixture, type SlctlFixture } from './slctl-fixture.js';

/**
 * Long tasks through the admin function in slices (cli/task-slice.ts): with SLCTL_SLICE_ITEMS small, a
 * task of many meetings or servers runs as several invocations — counted here at the function — and
 * prints the bytes the direct target prints; a slice that fails stops the task with a clear message, and
 * running it again finishes the job. Both targets are named on each call (not rerun by `cli-lambda`).
 * POLLER_CONCURRENCY=1 on both: the order of the lines of concurrent BBB calls is then fixed.
 */
const TABLE = 'slctl-slices';
const t: SlctlFixture = useSlctlFixture(TABLE);
const store = () => t.stack.deps.store;

interface CountingFunction {
  url: string;
  invocations: number;
  /** the n-th invocation (1-based) runs, then fails as a Lambda that timed out before answering */
  crashAt?: number;
}

let fn: (CountingFunction & { server: LocalInvokeServer }) | undefined;

/** The admin function over the fixture's table, counting its invocations (from 0 again when `fresh`). */
async function countingFunction(fresh = true): Promise<CountingFunction> {
  if (!fn) {
    const config = parseConfig({ DYNAMODB_TABLE: TABLE, LOADBALANCER_SECRET: 'lbsecret', POLLER_CONCURRENCY: '1' });
    const deps = assemble(config, { db: t.stack.db, storage: t.stack.storage, log: silentLogger, signer: t.stack.deps.signer });
    const admin = createAdminHandler(() => deps, allRemoteCommands);
    const state = { url: '', invocations: 0 } as CountingFunction & { server: LocalInvokeServer };
    state.server = await startLocalInvoke({
      getDeps: () => deps,
      log: silentLogger,
      handler: async (payload): Promise<AdminResponse> => {
        state.invocations++;
        const result = await admin(payload);
        if (state.invocations === state.crashAt) throw new Error('Task timed out after 900.00 seconds');
        return result;
      },
    });
    state.url = state.server.url;
    fn = state;
  }
  if (fresh) {
    fn.invocations = 0;
    fn.crashAt = undefined;
  }
  return fn;
}

const direct = (args: string[], input?: string) => t.slctl(args, { target: 'direct', input, env: { POLLER_CONCURRENCY: '1' }, timeoutMs: SPAWN_TIMEOUT * 2 });
const viaLambda = async (args: string[], items: number, input?: string) =>
  t.slctl(args, { target: 'lambda', input, env: { SLCTL_ENDPOINT_URL: (await countingFunction(false)).url, SLCTL_SLICE_ITEMS: String(items) }, timeoutMs: SPAWN_TIMEOUT * 2 });

/** No servers, no meetings (between the direct run and the one through the function). */
async function reset(): Promise<void> {
  for (const s of await store().servers.list()) {
    for (const m of await store().meetings.listByServer(s.id, Date.now())) await store().meetings.delete(m);
    await store().servers.remove(s.id);
  }
  t.fake.reset();
}

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);

async function meetingsOnFake(n: number): Promise<string[]> {
  await t.seedFakeServer('bbb', {}, { online: true, load: 10 });
  const meetings = ids(n, 'm');
  for (const m of meetings) await t.placeMeeting('bbb', m, `${m}-pw`);
  return meetings;
}

/** `count` recordings without a tenant that started 40 days ago (same ids and times on every call), each with a file. */
async function expiredRecordings(count: number, startTime: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = recording({ meetingID: `old-room-${i}`, recordID: `old-${String(i).padStart(2, '0')}-${startTime}`, startTime: startTime + i * 1000 });
    expect(await store().recordings.save({ ...r, version: undefined })).toBe(true);
    await t.stack.storage!.put(recordingFileKey(r.recordID, 'podcast', 'audio.ogg'), 'ogg');
    ids.push(r.recordID);
  }
  return ids;
}

async function filesOf(recordIDs: string[]): Promise<number> {
  let files = 0;
  for (const id of recordIDs) for await (const _ of t.stack.storage!.list(recordingPrefix(id))) files++;
  return files;
}

describe('long tasks through the admin function, in slices', () => {
  it('recordings:purge of 11 expired recordings: slices of 4, the bytes of the direct target, files and items gone', async () => {
    const startTime = Date.now() - 40 * DAY_MS - DAY_MS / 2; // mid-day: both runs see the same ages in whole days
    const purge = ['recordings:purge', '--days', '30'];
    const ids = await expiredRecordings(11, startTime);
    const expected = await t.slctl(purge, { target: 'direct', env: { POLLER_CONCURRENCY: '1', S3_ENDPOINT: t.stack.s3Endpoint }, timeoutMs: SPAWN_TIMEOUT * 2 });
    expect(expected).toMatchObject({ code: 0, stderr: '' });
    expect(expected.stdout.match(/\bdeleted\b/g)?.length).toBeGreaterThanOrEqual(11);
    expect(await filesOf(ids)).toBe(0);

    await expiredRecordings(11, startTime); // the same recordings again
    const f = await countingFunction();
    expect(await viaLambda(purge, 4)).toEqual(expected);
    expect(f.invocations).toBe(Math.ceil(11 / 4));
    expect(await filesOf(ids)).toBe(0);
    for (const id of ids) expect(await store().recordings.get(id)).toBeUndefined();
  }, SPAWN_TIMEOUT * 5);

  it('meetings:end of 24 meetings: a question and 4 slices of 7, the bytes of the direct target, each meeting ended once', async () => {
    const meetings = await meetingsOnFake(24);
    const expected = await direct(['meetings:end'], 'yes\n');
    expect(expected.code).toBe(0);
    expect(expected.stderr).toBe(meetings.map((m) => `Clearing Meeting id=${m}\n`).join(''));

    await reset();
    await meetingsOnFake(24);
    const f = await countingFunction();
    expect(await viaLambda(['meetings:end'], 7, 'yes\n')).toEqual(expected);
    expect(f.invocations).toBe(1 + Math.ceil(24 / 7)); // the question, then the slices
    expect(t.fake.requestsFor('end')).toHaveLength(24);
    expect(new Set(t.fake.requestsFor('end').map((r) => r.params.meetingID))).toEqual(new Set(meetings));
    expect(await store().meetings.listByServer('bbb', Date.now())).toEqual([]);
  }, SPAWN_TIMEOUT * 5);

  it('servers:sync --mode force of 13 servers and two retired ones: 6 slices of 4, the bytes of the direct target', async () => {
    const wanted = ids(13, 's');
    const yaml = ['servers:', ...wanted.flatMap((id) => [`  ${id}:`, `    url: https://${id}.example.com/bigbluebutton/api`, `    secret: ${id}-secret`, '    enabled: true'])].join('\n') + '\n';
    const cluster = async () => {
      await t.seedServer({ id: 's01', state: 'disabled', secret: 'old' });
      await t.seedServer({ id: 'gone-empty', state: 'enabled' });
      await t.seedFakeServer('gone-busy', {}, { online: true, load: 10 });
      for (const m of ids(5, 'b')) await t.placeMeeting('gone-busy', m, `${m}-pw`);
    };
    await cluster();
    const expected = await direct(['servers:sync', '-', '--mode', 'force'], yaml);
    expect(expected).toMatchObject({ code: 0, stderr: '' });
    expect(expected.stdout).toContain('[s01] Server updated: secret=*****\n');
    expect(expected.stdout).toContain('[gone-busy] Try to end meeting id=b05\n[gone-busy] Server removed\n');

    await reset();
    await cluster();
    const f = await countingFunction();
    expect(await viaLambda(['servers:sync', '-', '--mode', 'force'], 4, yaml)).toEqual(expected);
    // 13 servers of the file, gone-empty's removal, gone-busy's cordon, 5 meetings and its removal
    expect(f.invocations).toBe(Math.ceil((13 + 1 + 1 + 5 + 1) / 4));
    expect((await store().servers.list()).map((s) => s.id)).toEqual(wanted);
    expect(t.fake.requestsFor('end')).toHaveLength(5);
  }, SPAWN_TIMEOUT * 5);

  it('servers:panic of a server with 12 meetings: 3 slices of 5, the bytes of the direct target', async () => {
    await meetingsOnFake(12);
    const expected = await direct(['servers:panic', 'bbb']);
    expect(expected).toMatchObject({ code: 0, stderr: '' });

    await reset();
    await meetingsOnFake(12);
    const f = await countingFunction();
    expect(await viaLambda(['servers:panic', 'bbb'], 5)).toEqual(expected);
    expect(f.invocations).toBe(3);
    expect(t.fake.requestsFor('end')).toHaveLength(12);
    expect((await store().servers.get('bbb'))?.state).toBe('disabled');
  }, SPAWN_TIMEOUT * 5);

  it('an invocation that fails after 2 slices: a clear message, exit 1; running the task again ends the rest, none twice', async () => {
    const meetings = await meetingsOnFake(20);
    const f = await countingFunction();
    f.crashAt = 3; // the second slice does its work, then its answer is lost
    const first = await viaLambda(['meetings:end', '--yes'], 5);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('WARNING: You are trying to clear active meetings.\n');
    expect(first.stderr).toBe(
      [
        ...meetings.slice(0, 10).map((m) => `Clearing Meeting id=${m}`),
        'ERROR: the admin function scalelite-admin failed (Error: Task timed out after 900.00 seconds); its log has the details',
        'ERROR: meetings:end stopped after 2 invocations of scalelite-admin (Ending meetings 10/20): what they did stays done; run the task again to finish it',
      ].join('\n') + '\n',
    );
    expect(t.fake.requestsFor('end')).toHaveLength(15); // the third invocation did its slice before it failed

    const again = await viaLambda(['meetings:end', '--yes'], 5);
    expect(again).toEqual({
      code: 0,
      stdout: 'WARNING: You are trying to clear active meetings.\nOK\n',
      stderr: meetings.slice(15).map((m) => `Clearing Meeting id=${m}\n`).join(''),
    });
    expect(t.fake.requestsFor('end').map((r) => r.params.meetingID).sort()).toEqual(meetings);
    expect(await store().meetings.listByServer('bbb', Date.now())).toEqual([]);
  }, SPAWN_TIMEOUT * 5);

  it("a slice whose DynamoDB write fails midway: the task's error as on the direct target, exit 1; running it again finishes", async () => {
    const meetings = await meetingsOnFake(20);
    const f = await countingFunction();
    let deletes = 0;
    // the 13th meeting's record cannot be deleted (throttled): the third slice (meetings 11-15) fails there
    const remove = injectDynamoFaults(t.stack.db, (call) =>
      // the meeting's own (conditional) delete, not its snapshot's
      call.command === 'DeleteItemCommand' && call.pk?.startsWith('MEETING#') && call.input.ConditionExpression !== undefined && ++deletes === 13 ? { fail: throttled() } : undefined,
    );
    let first;
    try {
      first = await viaLambda(['meetings:end', '--yes'], 5);
    } finally {
      remove();
    }
    expect(first).toEqual({
      code: 1,
      stdout: 'WARNING: You are trying to clear active meetings.\n',
      stderr: [...meetings.slice(0, 12).map((m) => `Clearing Meeting id=${m}`), 'ERROR: Rate of requests exceeds the allowed throughput.'].join('\n') + '\n',
    });
    expect(f.invocations).toBe(3);
    expect(t.fake.requestsFor('end')).toHaveLength(12);

    const again = await viaLambda(['meetings:end', '--yes'], 5);
    expect(again).toEqual({
      code: 0,
      stdout: 'WARNING: You are trying to clear active meetings.\nOK\n',
      stderr: meetings.slice(12).map((m) => `Clearing Meeting id=${m}\n`).join(''),
    });
    expect(t.fake.requestsFor('end').map((r) => r.params.meetingID).sort()).toEqual(meetings);
  }, SPAWN_TIMEOUT * 5);

  it('refuses a slice size that is no whole number (exit 2), before invoking anything', async () => {
    const f = await countingFunction();
    const r = await t.slctl(['servers'], { target: 'lambda', env: { SLCTL_ENDPOINT_URL: f.url, SLCTL_SLICE_ITEMS: 'many' } });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'ERROR: SLCTL_SLICE_ITEMS must be a whole number from 1 to 5000 (it is "many")\n' });
    expect(f.invocations).toBe(0);
  }, SPAWN_TIMEOUT);
});

afterAll(async () => {
  await fn?.server.close();
});
