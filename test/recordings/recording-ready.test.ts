/**
 * The recording-ready callback (reference §5.8) with retries: after an import the balancer POSTs
 * `signed_parameters=<JWT>` to the URL the meeting's create carried; timeouts, transport errors and 5xx
 * are tried again after 1, 2, 4, 8, 15 and 30 minutes (the poller's `deliverDueCallbacks`, driven here by
 * moving the stack's clock), 2xx/404/410 end it, and one import is announced once.
 * Single-tenant; ALLOW_PRIVATE_CALLBACK_URLS=true so a loopback receiver may be called.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPollerInvocation } from '../../shared/app/poller-loop.js';
import { announceRecording, deliverDueCallbacks, RECORDING_READY_MAX_ATTEMPTS, recordingReadyAlgorithm } from '../../shared/app/recording-ready.js';
import type { Recording } from '../../shared/domain/recording.js';
import { LB_SECRET, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';
import { memoryLog } from '../tenancy/tenancy-stack.js';
import { startReadyReceiver, verifiedToken, type ReadyReceiver } from './recording-ready-receiver.js';

const MIN = 60_000;
const START = Date.UTC(2026, 2, 2, 9, 0, 0);

let serial = 0;
/** A recording of `meetingID` as the importer hands it over (only the ids matter here). */
function recording(meetingID: string, tenantId?: string): Recording {
  serial++;
  return {
    recordID: `${'0f'.repeat(20)}-${1_772_000_000_000 + serial}`,
    meetingID,
    tenantId,
    name: 'Lecture',
    published: true,
    protected: false,
    state: 'published',
    startTime: START - 3_600_000,
    endTime: START - 60_000,
    metadata: {},
    formats: {},
  };
}
const upload = (r: Recording, n = 1) => `uploads/bbb-1/${r.recordID}/upload-${n}.tar`;

describe('recording-ready callback', () => {
  let time = START;
  const clock = () => time;
  const log = memoryLog();
  let t: TestStack;
  let rx: ReadyReceiver;

  /** A meeting created through the API with `meta_bbb-recording-ready-url` = `url`. */
  async function meeting(meetingID: string, url: string | null = rx.url): Promise<void> {
    const res = await t.call('create', `meetingID=${meetingID}${url ? `&meta_bbb-recording-ready-url=${encodeURIComponent(url)}` : ''}`);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
  }
  const deliver = () => deliverDueCallbacks(t.stack.deps);
  const outbox = (r: Recording, n = 1) => t.stack.deps.store.callbackOutbox.get(r.recordID, upload(r, n));

  beforeAll(async () => {
    t = await startTestStack({ servers: 1, clock, log, env: { ALLOW_PRIVATE_CALLBACK_URLS: 'true' } });
    rx = await startReadyReceiver(clock);
  });
  afterAll(async () => {
    await rx?.close();
    await t?.close();
  });
  beforeEach(async () => {
    rx.reset();
    log.lines.length = 0;
    // nothing of an earlier test is left to deliver
    time += 24 * 60 * MIN;
    expect((await deliver()).due).toBe(0);
  });

  it('posts signed_parameters, a JWT of {meeting_id, record_id} signed HS256 with the LB secret', async () => {
    await meeting('m-valid');
    const r = recording('m-valid');
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });

    expect(rx.posts).toHaveLength(1);
    const [post] = rx.posts;
    expect(post.path).toBe('/recording-ready');
    expect(post.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(post.form)).toEqual(['signed_parameters']);
    expect(await verifiedToken(post.token, 'not-the-secret', 'HS256')).toBeUndefined();
    expect(await verifiedToken(post.token, LB_SECRET, 'HS256')).toEqual({ header: { alg: 'HS256' }, payload: { meeting_id: 'm-valid', record_id: r.recordID } });
    expect(await outbox(r)).toMatchObject({ state: 'delivered', attempts: 1, lastResult: 'HTTP 200' });
  });

  it('picks the JWT algorithm from LOADBALANCER_CHECKSUM_ALGORITHM as Scalelite does', () => {
    expect(recordingReadyAlgorithm(['SHA1', 'SHA256', 'SHA384', 'SHA512'])).toBe('HS256');
    expect(recordingReadyAlgorithm(['SHA1', 'SHA512'])).toBe('HS512');
    expect(recordingReadyAlgorithm(['SHA1'])).toBe('HS256');
    expect(recordingReadyAlgorithm(['SHA384'])).toBe('HS256');
  });

  it('a receiver that fails twice (500) gets the third try once the clock has passed each backoff', async () => {
    await meeting('m-retry');
    const r = recording('m-retry');
    rx.statuses.push(500, 500);
    const t0 = time;
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(rx.posts).toHaveLength(1);
    expect(await outbox(r)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: t0 + MIN, lastResult: 'HTTP 500' });

    expect((await deliver()).due).toBe(0); // not due yet
    time = t0 + MIN - 1;
    await deliver();
    expect(rx.posts).toHaveLength(1);
    time = t0 + MIN;
    expect(await deliver()).toMatchObject({ due: 1, retrying: 1 });
    expect(rx.posts).toHaveLength(2);

    time = t0 + 3 * MIN - 1; // the second wait is 2 minutes
    await deliver();
    expect(rx.posts).toHaveLength(2);
    time = t0 + 3 * MIN;
    expect(await deliver()).toMatchObject({ due: 1, delivered: 1 });
    expect(rx.posts.map((p) => p.at - t0)).toEqual([0, MIN, 3 * MIN]);
    expect(await outbox(r)).toMatchObject({ state: 'delivered', attempts: 3, lastResult: 'HTTP 200' });
    for (const p of rx.posts) expect((await verifiedToken(p.token, LB_SECRET, 'HS256'))?.payload).toEqual({ meeting_id: 'm-retry', record_id: r.recordID });

    time += 24 * 60 * MIN;
    expect((await deliver()).due).toBe(0);
    expect(rx.posts).toHaveLength(3);
  });

  it('a dropped connection is retried like a 5xx', async () => {
    await meeting('m-drop');
    const r = recording('m-drop');
    rx.statuses.push(0);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(await outbox(r)).toMatchObject({ state: 'pending', attempts: 1 });
    time += MIN;
    expect(await deliver()).toMatchObject({ delivered: 1 });
    expect(rx.posts).toHaveLength(2);
  });

  it.each([404, 410])('%i stops at once: never tried again', async (status) => {
    await meeting(`m-${status}`);
    const r = recording(`m-${status}`);
    rx.statuses.push(status);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(await outbox(r)).toMatchObject({ state: 'stopped', attempts: 1, lastResult: `HTTP ${status}` });
    time += 2 * 60 * MIN;
    expect((await deliver()).due).toBe(0);
    expect(rx.posts).toHaveLength(1);
  });

  it('another 4xx (every secret refused) is not retried either', async () => {
    await meeting('m-401');
    const r = recording('m-401');
    rx.statuses.push(401);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(await outbox(r)).toMatchObject({ state: 'failed', lastResult: 'HTTP 401' });
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'recording-ready callback rejected')).toBe(true);
    time += 2 * 60 * MIN;
    await deliver();
    expect(rx.posts).toHaveLength(1);
  });

  it(`gives up after ${RECORDING_READY_MAX_ATTEMPTS} attempts over about an hour, with a warning`, async () => {
    await meeting('m-down');
    const r = recording('m-down');
    rx.statuses.push(...Array<number>(20).fill(502));
    const t0 = time;
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    // the poller runs every minute for two hours
    for (let m = 1; m <= 120; m++) {
      time = t0 + m * MIN;
      await deliver();
    }
    expect(rx.posts.map((p) => (p.at - t0) / MIN)).toEqual([0, 1, 3, 7, 15, 30, 60]);
    expect(await outbox(r)).toMatchObject({ state: 'failed', attempts: RECORDING_READY_MAX_ATTEMPTS, lastResult: 'HTTP 502' });
    const gaveUp = log.lines.filter((l) => l.msg === 'recording-ready callback: giving up after the last attempt');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({ level: 'warn', fields: { recordID: r.recordID, meetingID: 'm-down', host: new URL(rx.url).host } });
  });

  it('the same import announced twice (even at once) posts once; another upload of the recording is announced again', async () => {
    await meeting('m-once');
    const r = recording('m-once');
    await Promise.all([announceRecording(t.stack.deps, r, { uploadKey: upload(r) }), announceRecording(t.stack.deps, r, { uploadKey: upload(r) })]);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(rx.posts).toHaveLength(1);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r, 2) });
    expect(rx.posts).toHaveLength(2);
  });

  it('a redelivered import of an announcement still being retried adds no attempt', async () => {
    await meeting('m-redelivered');
    const r = recording('m-redelivered');
    rx.statuses.push(500);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(rx.posts).toHaveLength(1);
    expect(await outbox(r)).toMatchObject({ state: 'pending', attempts: 1 });
    time += MIN;
    await deliver();
    expect(rx.posts).toHaveLength(2);
    expect(await outbox(r)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('two pollers at once make one attempt of a due announcement', async () => {
    await meeting('m-race');
    const r = recording('m-race');
    rx.statuses.push(500);
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    time += MIN;
    const reports = await Promise.all([deliver(), deliver(), deliver()]);
    expect(rx.posts).toHaveLength(2);
    expect(reports.reduce((n, x) => n + x.delivered, 0)).toBe(1);
    expect(await outbox(r)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('a meeting created without a recording-ready URL is not announced', async () => {
    await meeting('m-none', null);
    const r = recording('m-none');
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    expect(await outbox(r)).toBeUndefined();
    expect(rx.posts).toHaveLength(0);
  });

  it('the poller loop delivers due callbacks after its cycles', async () => {
    await meeting('m-poller');
    const r = recording('m-poller');
    rx.statuses.push(503);
    const t0 = time;
    await announceRecording(t.stack.deps, r, { uploadKey: upload(r) });
    const run = await runPollerInvocation(t.stack.deps, {
      from: t0,
      until: t0 + 3 * MIN,
      sleep: async (ms) => {
        time += ms;
      },
    });
    expect(run.cycles).toBe(3);
    expect(rx.posts.map((p) => p.at - t0)).toEqual([0, MIN]);
    expect(await outbox(r)).toMatchObject({ state: 'delivered', attempts: 2 });
  });
});
