import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CYCLE_TENANTS_KEPT, pollCycleRecord, tenantCounts } from '../../shared/app/poll-history.js';
import type { PolledMeeting, PollReport } from '../../shared/app/poll-servers.js';
import { POLL_HISTORY_SLOTS, type PollCycleRecord } from '../../shared/store/poll-history-repo.js';
import { keys } from '../../shared/store/keys.js';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { silentLogger } from '../../shared/app/logger.js';
import { pollAll } from '../../shared/app/poll-servers.js';
import { assemble } from '../../shared/runtime/assemble.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';

const record = (cycle: number, extra: Partial<PollCycleRecord> = {}): PollCycleRecord => ({
  cycle,
  startedAt: cycle * 60_000,
  durationMs: 120,
  servers: 2,
  polled: 2,
  failed: 0,
  skipped: 0,
  errors: 0,
  online: 2,
  offline: 0,
  meetings: 0,
  participants: 0,
  wentOnline: [],
  wentOffline: [],
  tenants: [],
  tenantsOmitted: 0,
  ...extra,
});

const meeting = (serverId: string, tenantId: string, participants: number): PolledMeeting => ({ serverId, bbbMeetingId: `${tenantId}~m`, tenantId, participants, createTime: 0, isBreakout: false });

describe('poll history record (from a cycle report)', () => {
  it('counts meetings and participants per tenant, most participants first; hostile ids stay data', () => {
    const meetings = [meeting('a', '__proto__', 3), meeting('a', 't1', 5), meeting('b', '__proto__', 4), meeting('b', '_', 1)];
    expect(tenantCounts({ meetings })).toEqual([
      { tenantId: '__proto__', meetings: 2, participants: 7 },
      { tenantId: 't1', meetings: 1, participants: 5 },
      { tenantId: '_', meetings: 1, participants: 1 },
    ]);
  });

  it('keeps at most CYCLE_TENANTS_KEPT tenants and counts the rest', () => {
    const meetings = Array.from({ length: CYCLE_TENANTS_KEPT + 5 }, (_, i) => meeting('a', `t${i}`, 1));
    const report = { servers: 1, polled: 1, failed: 0, skipped: 0, errors: 0, online: 1, offline: 0, wentOnline: [], wentOffline: [], drained: [], failures: [], meetingsEnded: 0, writes: 0, durationMs: 5, meetings, serverStats: [] } satisfies PollReport;
    const r = pollCycleRecord(report, { cycle: 9, startedAt: 540_000 });
    expect(r.tenants).toHaveLength(CYCLE_TENANTS_KEPT);
    expect(r.tenantsOmitted).toBe(5);
    expect(r.meetings).toBe(CYCLE_TENANTS_KEPT + 5);
    expect(r.participants).toBe(CYCLE_TENANTS_KEPT + 5);
  });
});

describe('PollHistoryRepo and the poll-cycle hook (dynalite)', () => {
  let t: TestStack;
  // a clock that moves only when told: the cycle number (floor(now / POLL_INTERVAL)) never changes by itself
  const base = Date.now();
  let offset = 0;

  beforeAll(async () => {
    t = await startTestStack({ clock: () => base + offset });
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    const { db } = t.stack;
    const table = t.stack.config.dynamodbTable;
    const res = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.pollHistoryPartition() } }));
    for (const item of res.Items ?? []) await db.send(new DeleteCommand({ TableName: table, Key: { pk: item.pk, sk: item.sk } }));
  });

  it('round-trips a record (tenants with hostile ids included)', async () => {
    const r = record(100, { meetings: 3, participants: 9, wentOffline: ['bbb-2'], tenants: [{ tenantId: '__proto__', meetings: 2, participants: 7 }, { tenantId: 'a"b\\c\nd', meetings: 1, participants: 2 }] });
    expect(await t.stack.deps.store.pollHistory.record(r)).toBe(true);
    expect(await t.stack.deps.store.pollHistory.recent()).toEqual([r]);
  });

  it('is bounded: after 25 cycles the last POLL_HISTORY_SLOTS remain, newest first, in as many items', async () => {
    const repo = t.stack.deps.store.pollHistory;
    for (let c = 1000; c < 1025; c++) expect(await repo.record(record(c))).toBe(true);
    const recent = await repo.recent();
    expect(recent.map((r) => r.cycle)).toEqual(Array.from({ length: POLL_HISTORY_SLOTS }, (_, i) => 1024 - i));
    const items = await t.stack.db.send(
      new QueryCommand({ TableName: t.stack.config.dynamodbTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.pollHistoryPartition() }, Select: 'COUNT' }),
    );
    expect(items.Count).toBe(POLL_HISTORY_SLOTS);
    expect((await repo.recent(3)).map((r) => r.cycle)).toEqual([1024, 1023, 1022]);
  });

  it('is idempotent per cycle: a second record of the cycle (or an older one in its slot) changes nothing', async () => {
    const repo = t.stack.deps.store.pollHistory;
    expect(await repo.record(record(2000, { polled: 2 }))).toBe(true);
    expect(await repo.record(record(2000, { polled: 1, failed: 1 }))).toBe(false);
    expect(await repo.record(record(2000 - POLL_HISTORY_SLOTS, { polled: 0 }))).toBe(false);
    expect(await repo.recent()).toEqual([record(2000, { polled: 2 })]);
  });

  it('every poll cycle records itself once: two polls in one interval (one runtime or two) leave one record, the next interval a second, an unchanged one none', async () => {
    const fake = await FakeBbb.start();
    // the history's PutItems, as sent (a refused conditional put is sent, and costs, too)
    let historyWrites = 0;
    t.stack.db.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { Item?: { pk?: unknown } }).Item?.pk === keys.pollHistoryPartition()) historyWrites++;
        return next(args);
      },
      { step: 'initialize', name: 'countHistoryWrites' },
    );
    try {
      await t.addServer(fake, { id: 'hist-1' }); // polls once
      expect(historyWrites).toBe(1);
      fake.addMeeting({ meetingID: 'room', moderatorPW: 'mp', attendeePW: 'ap' });
      await t.poll(); // the same interval: not recorded again, not even tried
      expect(historyWrites).toBe(1);
      let recent = await t.stack.deps.store.pollHistory.recent();
      expect(recent).toHaveLength(1);
      expect(recent[0]).toMatchObject({ servers: 1, polled: 1, online: 1, offline: 0, meetings: 0, wentOnline: ['hist-1'] });

      offset += t.stack.config.pollInterval * 1000;
      await t.poll();
      expect(historyWrites).toBe(2);
      recent = await t.stack.deps.store.pollHistory.recent();
      expect(recent).toHaveLength(2);
      expect(recent[0].cycle).toBe(recent[1].cycle + 1);
      expect(recent[0]).toMatchObject({ servers: 1, polled: 1, meetings: 1, wentOnline: [], tenants: [{ tenantId: '_', meetings: 1 }] });

      // another runtime over the same table (the poller Lambda beside `slctl poll:all`) in the same interval: refused by the condition
      const other = assemble(t.stack.config, { db: t.stack.db, clock: () => base + offset, log: silentLogger });
      fake.addMeeting({ meetingID: 'room-2', moderatorPW: 'mp', attendeePW: 'ap' });
      await pollAll(other);
      expect(historyWrites).toBe(3);
      expect(await t.stack.deps.store.pollHistory.recent()).toEqual(recent);
      fake.endMeeting('room-2');

      // a later cycle that finds the cluster as this runtime last recorded it: not recorded (the poller writes only what changed)
      offset += t.stack.config.pollInterval * 1000;
      await t.poll();
      expect(historyWrites).toBe(3);
      expect(await t.stack.deps.store.pollHistory.recent()).toEqual(recent);
    } finally {
      t.stack.db.middlewareStack.remove('countHistoryWrites');
      await t.stack.deps.store.servers.remove('hist-1');
      await fake.stop();
    }
  });
});
