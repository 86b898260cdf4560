/**
 * The poller Lambda: an EventBridge "Scheduled Event" and a Lambda context in, poll cycles every
 * POLL_INTERVAL within the minute out — stopping before the next scheduled start and the Lambda timeout.
 * Time is the fixture's clock; the handler's sleep advances it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPollerHandler, MIN_LAMBDA_TIMEOUT_SECONDS, pollerWindow, SCHEDULE_PERIOD_MS, STOP_MARGIN_MS } from '../../functions/poller/poller-handler.js';
import type { Env } from '../../shared/config/env-names.js';
import { startPollerFixture, type PollerFixture } from './poller-fixture.js';

const S = 1_000;

/** What EventBridge sends for a `rate(1 minute)` rule. */
function scheduledEvent(time: number) {
  return {
    version: '0',
    id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'eu-central-1',
    resources: ['arn:aws:events:eu-central-1:123456789012:rule/Scalelite-PollerSchedule'],
    detail: {},
  };
}

/** A Lambda context whose timeout is `timeoutMs` after now. */
function lambdaContext(f: PollerFixture, timeoutMs: number) {
  const end = f.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => end - f.now(), awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', functionName: 'Scalelite-Poller' };
}

let f: PollerFixture;
afterEach(async () => {
  vi.restoreAllMocks();
  await f?.close();
});

/** The fixture, a handler whose sleep advances its clock, and the clock at each cycle's start. */
async function setUp(env: Env, servers = 2) {
  f = await startPollerFixture({ servers, env });
  const starts: number[] = [];
  const store = f.t.stack.deps.store.servers;
  const list = store.list.bind(store);
  vi.spyOn(store, 'list').mockImplementation(() => {
    starts.push(f.now());
    return list();
  });
  const handler = createPollerHandler(() => f.t.stack.deps, { sleep: async (ms) => f.advance(ms) });
  const polls = () => f.fakes[0].requestsFor('getMeetings').length;
  return { handler, starts, polls, T: f.now() };
}

describe('the poller Lambda', () => {
  it('runs a cycle every POLL_INTERVAL (10 s) through the minute, start to start, and returns before the next tick', async () => {
    const { handler, starts, polls, T } = await setUp({ POLL_INTERVAL: '10' });
    const before = polls();
    const result = await handler(scheduledEvent(T), lambdaContext(f, 90 * S));
    expect(result).toMatchObject({ cycles: 6, failures: 0 });
    expect(starts.map((s) => (s - T) / S)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(polls() - before).toBe(6);
    expect(f.now()).toBeLessThan(T + SCHEDULE_PERIOD_MS - STOP_MARGIN_MS);
  });

  it('runs one cycle a minute with POLL_INTERVAL=60', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '60' });
    expect(await handler(scheduledEvent(T), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 1 });
    expect(starts).toEqual([T]);
  });

  it('keeps POLL_INTERVAL=120 start to start: every other invocation runs a cycle', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '120' });
    expect(T % 120_000).toBe(0); // the fixture's clock starts on an even minute
    expect(await handler(scheduledEvent(T), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 1 });
    f.advance(60 * S - (f.now() - T));
    expect(await handler(scheduledEvent(T + 60 * S), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 0 });
    f.advance(60 * S);
    expect(await handler(scheduledEvent(T + 120 * S), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 1 });
    expect(starts.map((s) => (s - T) / S)).toEqual([0, 120]);
    expect(f.logs.filter((l) => l.msg.startsWith('poller'))).toEqual([]);
  });

  it('stops before the Lambda timeout when that comes first', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '10' });
    const result = await handler(scheduledEvent(T), lambdaContext(f, 25 * S));
    expect(result).toMatchObject({ cycles: 3, until: new Date(T + 22 * S).toISOString() });
    expect(starts.map((s) => (s - T) / S)).toEqual([0, 10, 20]);
    expect(f.now()).toBeLessThanOrEqual(T + 25 * S - STOP_MARGIN_MS);
  });

  it('starts at once after a slow cold start, then keeps to the schedule', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '10' });
    f.advance(4 * S);
    expect(await handler(scheduledEvent(T), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 6 });
    expect(starts.map((s) => (s - T) / S)).toEqual([4, 10, 20, 30, 40, 50]);
  });

  it('never overlaps cycles: one that overruns the interval is followed at once, and no cycle starts that cannot finish', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '10' });
    const store = f.t.stack.deps.store.servers;
    const spied = vi.mocked(store.list).getMockImplementation()!;
    vi.mocked(store.list).mockImplementation(async () => {
      const servers = await spied();
      f.advance(15 * S); // each cycle takes 15 s
      return servers;
    });
    expect(await handler(scheduledEvent(T), lambdaContext(f, 90 * S))).toMatchObject({ cycles: 3 });
    expect(starts.map((s) => (s - T) / S)).toEqual([0, 15, 30]);
    expect(f.now()).toBeLessThanOrEqual(T + SCHEDULE_PERIOD_MS - STOP_MARGIN_MS);
  });

  it('does nothing for an event delivered after its window (a retry), so it never overlaps the next invocation', async () => {
    const { handler, polls } = await setUp({ POLL_INTERVAL: '10' });
    const before = polls();
    const result = await handler(scheduledEvent(f.now() - 5 * 60 * S), lambdaContext(f, 90 * S));
    expect(result.cycles).toBe(0);
    expect(polls()).toBe(before);
    expect(f.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('after its window') }));
  });

  it('never throws for a failed cycle: it logs it and keeps to the schedule', async () => {
    const { handler, T } = await setUp({ POLL_INTERVAL: '20' });
    vi.mocked(f.t.stack.deps.store.servers.list).mockRejectedValue(new Error('ResourceNotFoundException'));
    const result = await handler(scheduledEvent(T), lambdaContext(f, 90 * S));
    expect(result).toMatchObject({ cycles: 3, failures: 3 });
    expect(f.logs.filter((l) => l.level === 'error' && l.msg === 'poll cycle failed')).toHaveLength(3);
  });

  it('takes any payload (EventBridge Scheduler, a manual test invoke) as this minute’s tick', async () => {
    const { handler, starts, T } = await setUp({ POLL_INTERVAL: '30' });
    expect(await handler({}, lambdaContext(f, 90 * S))).toMatchObject({ cycles: 2 });
    expect(starts.map((s) => (s - T) / S)).toEqual([0, 30]);
  });
});

describe('pollerWindow', () => {
  const T = Date.UTC(2026, 0, 5, 10, 0, 6);

  it('owns the slots from the scheduled time (less the margin) to the next tick (less the margin)', () => {
    expect(pollerWindow(scheduledEvent(T), T + 800, 90 * S)).toEqual({ from: T - STOP_MARGIN_MS, until: T + 60 * S - STOP_MARGIN_MS, anchor: 6 * S });
  });

  it('ends before the Lambda timeout when that is sooner', () => {
    expect(pollerWindow(scheduledEvent(T), T + 1 * S, 30 * S).until).toBe(T + 31 * S - STOP_MARGIN_MS);
  });

  it('treats a missing, unreadable or far-future time as now', () => {
    for (const event of [undefined, {}, { time: 'yesterday' }, { time: new Date(T + 3_600 * S).toISOString() }]) {
      expect(pollerWindow(event, T, 90 * S).from).toBe(T - STOP_MARGIN_MS);
    }
  });

  it('needs a Lambda timeout of a bit over a minute', () => {
    expect(MIN_LAMBDA_TIMEOUT_SECONDS).toBe(66);
  });
});

describe('functions/poller/handler.ts (the deployed entry point)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('polls the servers of the configured table once for a scheduled event', async () => {
    f = await startPollerFixture({ servers: 1 });
    f.fakes[0].addMeeting({ meetingID: 'via-lambda', createTime: Date.now() - 3_600_000 });
    f.fakes[0].addAttendee('via-lambda', { role: 'MODERATOR' });
    f.fakes[0].addAttendee('via-lambda', { role: 'VIEWER' });
    Object.assign(process.env, {
      DYNAMODB_ENDPOINT: f.t.stack.dynamoEndpoint,
      DYNAMODB_TABLE: f.t.stack.config.dynamodbTable,
      LOADBALANCER_SECRET: 'lambda-test',
      POLL_INTERVAL: '60',
      LOG_LEVEL: 'silent',
    });
    const { handler } = await import('../../functions/poller/handler.js');
    // fired 50 s ago: the window ends in about 7 s, so exactly this one cycle runs, at once
    const fired = Math.floor(Date.now() / 1000) * 1000 - 50 * S;
    const result = await handler(scheduledEvent(fired), { getRemainingTimeInMillis: () => 80 * S });
    expect(result.cycles).toBe(1);
    expect(await f.server('bbb-1')).toMatchObject({ online: true, users: 2, meetings: 1 });
  });
});
