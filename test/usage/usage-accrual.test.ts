/**
 * The usage ledger's poll-cycle accrual on real parts (issue 16 item 4): fake BBB servers and dynalite, the
 * poller fixture's hand-moved clock (POLL_INTERVAL 60 s), pollAll with its hooks. docs/OPERATIONS.md "Usage ledger".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/app/logger.js';
import { pollAll } from '../../shared/app/poll-servers.js';
import { accrueUsage } from '../../shared/app/usage-accrual.js';
import { assemble } from '../../shared/runtime/assemble.js';
import type { UsageDay } from '../../shared/domain/usage-report.js';
import { injectDynamoFaults, throttled } from '../helpers/dynamo-faults.js';
import { MIN, startPollerFixture, type PollerFixture } from '../poller/poller-fixture.js';

let f: PollerFixture;
const DAY = '2026-01-05';
/** a createTime of the day before: not started on DAY */
const YESTERDAY = Date.UTC(2026, 0, 4, 12);

beforeAll(async () => {
  f = await startPollerFixture({ servers: 2, env: { MULTITENANCY_ENABLED: 'true' } });
});
afterAll(async () => {
  await f?.close();
});
afterEach(() => {
  for (const fake of f.fakes) for (const id of [...fake.meetings.keys()]) fake.endMeeting(id);
});

const usage = () => f.t.stack.deps.store.usage;
/** the tenant's day as stored (zeros when there is no item) */
async function dayOf(tenant: string, day = DAY): Promise<Omit<UsageDay, 'tenantId' | 'day'>> {
  const [d] = await usage().listTenant(tenant, day, day);
  const { tenantId: _t, day: _d, ...rest } = d ?? { tenantId: '', day: '', meetingsStarted: 0, meetingSeconds: 0, participantSeconds: 0, breakoutParticipantSeconds: 0, peakParticipants: 0, recordings: 0, recordingBytes: 0 };
  return rest;
}
/** a meeting on fake `index` created `createTime`, with `users` attendees */
function meeting(index: number, meetingID: string, createTime: number, users: number) {
  const m = f.fakes[index].addMeeting({ meetingID, createTime });
  for (let i = 0; i < users; i++) f.fakes[index].addAttendee(meetingID, { role: i === 0 ? 'MODERATOR' : 'VIEWER' });
  return m;
}
/** moves the clock to the next whole minute + `offsetMs` (the cycles are minutes: POLL_INTERVAL 60) */
function nextMinute(offsetMs = 0) {
  f.advance(MIN - (f.now() % MIN) + offsetMs);
}

/** Counts the ledger's UpdateItems (at the client, by key), until the returned function is called. */
function countLedgerWrites(): { count: () => number; stop: () => void } {
  let n = 0;
  const stop = injectDynamoFaults(f.t.stack.db, (call) => {
    if (call.command === 'UpdateItemCommand' && call.pk?.startsWith('USAGE#')) n++;
    return undefined;
  });
  return { count: () => n, stop };
}

describe('usage ledger: the poller accrues per tenant and day', () => {
  it('3 participants polled over 10 minutes: 10 meeting-minutes, 30 participant-minutes, one meeting started, peak 3', async () => {
    nextMinute();
    meeting(0, 'ten1~lecture', f.now() + 20_000, 3);
    for (let i = 0; i < 10; i++) {
      nextMinute(1_000);
      await f.poll();
    }
    f.fakes[0].endMeeting('ten1~lecture');
    nextMinute(1_000);
    await f.poll();
    expect(await dayOf('ten1')).toEqual({ meetingsStarted: 1, meetingSeconds: 600, participantSeconds: 1800, breakoutParticipantSeconds: 0, peakParticipants: 3, recordings: 0, recordingBytes: 0 });
  });

  it('a repeated cycle adds nothing: the same cycle run again (slctl poll:all after the poller), and two pollers at once', async () => {
    nextMinute();
    meeting(1, 'ten2~room', f.now() + 1_000, 2);
    nextMinute(500);
    await f.poll();
    const once = await dayOf('ten2');
    expect(once).toMatchObject({ meetingsStarted: 1, meetingSeconds: 60, participantSeconds: 120, peakParticipants: 2 });
    // later in the same interval, another poller (`slctl poll:all`, its own process over the same table):
    // the same cycle number, refused by the ledger's condition
    f.advance(40_000);
    f.fakes[1].addAttendee('ten2~room', {});
    const other = assemble(f.t.stack.config, { db: f.t.stack.db, log: silentLogger, clock: f.now });
    const writes = countLedgerWrites();
    try {
      await pollAll(other);
      expect(writes.count()).toBe(1);
      // and this process again: it knows it accrued this cycle, no write at all
      await f.poll();
      expect(writes.count()).toBe(1);
    } finally {
      writes.stop();
    }
    expect(await dayOf('ten2')).toEqual(once);
    // the next cycle, polled by two pollers at the same time: counted once
    nextMinute(2_000);
    await Promise.all([f.poll(), f.poll()]);
    expect(await dayOf('ten2')).toEqual({ ...once, meetingSeconds: 120, participantSeconds: 300, peakParticipants: 3 });
  });

  it('tenants accrue separately; meetings of no tenant go to `_`; one write per tenant-day, not per meeting', async () => {
    nextMinute();
    const before = { a: await dayOf('ten-a'), b: await dayOf('ten-b'), none: await dayOf('_') };
    for (let k = 0; k < 4; k++) meeting(k % 2, `ten-a~m${k}`, YESTERDAY, 2);
    meeting(0, 'ten-b~m', YESTERDAY, 5);
    meeting(1, 'no-tenant-room', YESTERDAY, 1);
    nextMinute(1_000);
    const writes = countLedgerWrites();
    try {
      await f.poll();
    } finally {
      writes.stop();
    }
    // 3 tenant-days touched, 6 meetings: 3 writes (the peaks are set by the same write on a new day item)
    expect(writes.count()).toBe(3);
    expect(await dayOf('ten-a')).toEqual({ ...before.a, meetingSeconds: 240, participantSeconds: 480, peakParticipants: 8 });
    expect(await dayOf('ten-b')).toEqual({ ...before.b, meetingSeconds: 60, participantSeconds: 300, peakParticipants: 5 });
    expect(await dayOf('_')).toEqual({ ...before.none, meetingSeconds: 60, participantSeconds: 60, peakParticipants: 1 });
    // meetings of the day before: none started today
    expect((await dayOf('ten-a')).meetingsStarted).toBe(0);
  });

  it("the peak is the highest cycle's concurrent participants: a second, conditional write only when it rises", async () => {
    nextMinute();
    meeting(0, 'ten-p~a', f.now() - MIN, 4);
    nextMinute(1_000);
    await f.poll();
    f.fakes[0].addAttendee('ten-p~a', {});
    f.fakes[0].addAttendee('ten-p~a', {});
    nextMinute(1_000);
    let writes = countLedgerWrites();
    await f.poll();
    writes.stop();
    expect(writes.count()).toBe(2);
    expect((await dayOf('ten-p')).peakParticipants).toBe(6);
    f.fakes[0].removeAttendees('ten-p~a');
    nextMinute(1_000);
    writes = countLedgerWrites();
    await f.poll();
    writes.stop();
    expect(writes.count()).toBe(1);
    expect(await dayOf('ten-p')).toMatchObject({ peakParticipants: 6, meetingSeconds: 180, participantSeconds: 600 });
  });

  it("a breakout room's participants go to its parent's tenant (apart from participant-minutes: BBB lists them in the parent too)", async () => {
    nextMinute();
    const parent = meeting(1, 'ten-k~class', YESTERDAY, 6);
    // BBB names the room by an id of its own and the parent by its internal id
    f.fakes[1].addMeeting({ meetingID: 'f3a9c1d2e4b5a6978812345678901234567890ab-1767607200000', isBreakout: true, parentMeetingID: parent.internalMeetingID, createTime: f.now() - MIN });
    for (let i = 0; i < 2; i++) f.fakes[1].addAttendee('f3a9c1d2e4b5a6978812345678901234567890ab-1767607200000', {});
    const noneBefore = await dayOf('_');
    nextMinute(1_000);
    const report = await f.poll();
    expect(report.meetings.find((m) => m.isBreakout)).toMatchObject({ breakoutOf: 'ten-k~class', tenantId: '_' });
    expect(await dayOf('ten-k')).toEqual({ meetingsStarted: 0, meetingSeconds: 60, participantSeconds: 360, breakoutParticipantSeconds: 120, peakParticipants: 6, recordings: 0, recordingBytes: 0 });
    expect(await dayOf('_')).toEqual(noneBefore);
  });

  it('meetings started: counted once, in the cycle after their createTime, also across skipped cycles', async () => {
    nextMinute();
    // created between cycles, polled 5 minutes later (4 cycles skipped): the tenant-day's first cycle
    meeting(0, 'ten-s~one', f.now() + 30_000, 1);
    f.advance(5 * MIN);
    await f.poll();
    expect((await dayOf('ten-s')).meetingsStarted).toBe(1);
    // the next cycle, then a gap of 2 cycles in which a second meeting started: counted by the rare second write
    nextMinute(1_000);
    await f.poll();
    f.fakes[0].endMeeting('ten-s~one'); // (the peak stays 1: no peak write below)
    meeting(0, 'ten-s~two', f.now() + 10_000, 1);
    f.advance(3 * MIN);
    const writes = countLedgerWrites();
    await f.poll();
    writes.stop();
    expect(writes.count()).toBe(2);
    expect((await dayOf('ten-s')).meetingsStarted).toBe(2);
    // polled on: nothing more started
    for (let i = 0; i < 3; i++) {
      nextMinute(1_000);
      await f.poll();
    }
    // created just after this cycle's poll, stamped by a BBB clock 3 s behind (before the cycle's start):
    // the windows end 5 s before each cycle, so the next cycle counts it
    nextMinute(1_000);
    await f.poll();
    f.advance(500);
    meeting(0, 'ten-s~three', f.now() - 3_000, 1);
    nextMinute(1_000);
    await f.poll();
    expect((await dayOf('ten-s')).meetingsStarted).toBe(3);
  });

  it('a cycle crossing midnight counts for the day it started; the next cycle for the new day', async () => {
    // to 23:59:30 of 2026-01-05
    f.advance(Date.UTC(2026, 0, 5, 23, 59, 30) - f.now());
    meeting(0, 'ten-n~late', Date.UTC(2026, 0, 4, 23, 30), 2);
    await f.poll(); // cycle 23:59, started at 23:59:30
    // created at 23:59:58: its window is the 00:01 cycle's (the windows end 5 s before each cycle)
    meeting(1, 'ten-n~midnight', Date.UTC(2026, 0, 5, 23, 59, 58), 1);
    f.advance(40_000); // 00:00:10
    await f.poll();
    f.advance(MIN); // 00:01:10
    await f.poll();
    expect(await dayOf('ten-n', '2026-01-05')).toMatchObject({ meetingSeconds: 60, participantSeconds: 120, meetingsStarted: 0 });
    expect(await dayOf('ten-n', '2026-01-06')).toMatchObject({ meetingSeconds: 120 + 120, participantSeconds: 180 + 180, meetingsStarted: 1, peakParticipants: 3 });
  });

  it('a failed ledger write is logged and never stops the poller or the other tenants', async () => {
    nextMinute();
    meeting(0, 'ten-f~x', f.now() - MIN, 1);
    meeting(0, 'ten-g~x', f.now() - MIN, 1);
    const before = await dayOf('ten-g', '2026-01-06');
    nextMinute(1_000);
    const stop = injectDynamoFaults(f.t.stack.db, (call) => (call.pk === 'USAGE#ten-f' ? { fail: throttled() } : undefined));
    try {
      const report = await f.poll();
      expect(report.polled).toBe(2);
    } finally {
      stop();
    }
    expect(await dayOf('ten-f', '2026-01-06')).toMatchObject({ meetingSeconds: 0 });
    expect(await dayOf('ten-g', '2026-01-06')).toMatchObject({ meetingSeconds: before.meetingSeconds + 60 });
    expect(f.logs.some((l) => l.level === 'error' && l.msg === 'usage ledger: tenant-days not accrued' && l.fields.failed === 1)).toBe(true);
  });

  it('accrueUsage reports what it did: a cycle counted already is skipped without a second write', async () => {
    const cycle = { cycle: Math.floor(f.now() / MIN) + 1_000, startedAt: f.now() };
    const meetings = [{ serverId: 'bbb-1', bbbMeetingId: 'ten-r~x', tenantId: 'ten-r', participants: 2, createTime: 0, isBreakout: false }];
    expect(await accrueUsage(f.t.stack.deps, meetings, cycle)).toEqual({ tenantDays: 1, counted: 1, writes: 1, failed: 0 });
    expect(await accrueUsage(f.t.stack.deps, meetings, cycle)).toEqual({ tenantDays: 1, counted: 0, writes: 1, failed: 0 });
    // an older cycle arriving late (an overtaken poller) is not counted either
    expect(await accrueUsage(f.t.stack.deps, meetings, { ...cycle, cycle: cycle.cycle - 1 })).toMatchObject({ counted: 0 });
  });
});
