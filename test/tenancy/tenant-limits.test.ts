/**
 * Tenant limits (issue 16 item 3) over a multitenant stack with fake BBB servers: the (N+1)-th concurrent
 * meeting of a limited tenant is refused with maxMeetingsReached, the participant limit holds exactly
 * under concurrent joins, the poller's reconcile frees what ended or left, and the round trips stay
 * within budget (counted at the engine). The clock is the test's: poll cycles move when it says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateServer } from '../../shared/app/server-admin.js';
import { reconcileTenantLoads, setTenantLimits } from '../../shared/app/tenant-limits.js';
import { meetingToken } from '../../shared/domain/tenant-limits.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const SECRET = 'limits-secret';
const MINUTE = 60_000;

describe('tenant limits', () => {
  let t: TenancyStack;
  // half-way through a poll interval (POLL_INTERVAL 60 s): the cycle's joins are the only "recent" ones
  let now = 29_000_000 * MINUTE + 30_000;
  let limited: Tenant;
  let other: Tenant;
  let unlimited: Tenant;

  const create = (tenant: Tenant, meetingID: string) => t.callAt(hostOf(tenant.name), 'create', `meetingID=${meetingID}&moderatorPW=mp&attendeePW=ap`, SECRET);
  const join = (tenant: Tenant, meetingID: string, name = 'Ann') => t.callAt(hostOf(tenant.name), 'join', `meetingID=${meetingID}&fullName=${name}&password=ap`, SECRET);
  /** the next poll cycle, two intervals on (the joins counted before it are then all old ones) */
  const nextCycle = async () => {
    now += 2 * MINUTE;
    await t.poll();
  };
  const endOnBbb = (tenant: Tenant, meetingID: string) => t.fakes.forEach((f) => f.endMeeting(`${tenant.id}~${meetingID}`));
  const limits = async (tenant: Tenant, maxMeetings: number | null, maxParticipants: number | null) => {
    const updated = await setTenantLimits(t.stack.deps, tenant.id, { maxMeetings, maxParticipants });
    t.stack.deps.registry.invalidate();
    return updated;
  };

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 2, clock: () => now, env: { POLL_INTERVAL: '60', REGISTRY_TTL: '3600' } });
    limited = await t.tenant('limited', SECRET);
    other = await t.tenant('other', SECRET);
    unlimited = await t.tenant('free', SECRET);
  });
  afterAll(() => t.close());

  it('the (N+1)-th concurrent meeting fails with maxMeetingsReached; another tenant is unaffected; an existing meeting still creates', async () => {
    limited = await limits(limited, 3, null);
    other = await limits(other, 3, null);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => create(limited, `room-${i}`)));
    const keys = answers.map((r) => xmlValue(r.body, 'returncode') === 'SUCCESS' ? 'SUCCESS' : xmlValue(r.body, 'messageKey'));
    expect(keys.filter((k) => k === 'SUCCESS')).toHaveLength(3);
    expect(keys.filter((k) => k === 'maxMeetingsReached')).toHaveLength(5);
    const refused = answers.find((r) => xmlValue(r.body, 'messageKey') === 'maxMeetingsReached')!;
    expect(refused.status).toBe(200);
    expect(xmlValue(refused.body, 'returncode')).toBe('FAILED');
    expect(xmlValue(refused.body, 'message')).toMatch(/maximum number of concurrent meetings \(3\)/);

    // refused creates never reached BBB and left no record: exactly 3 meetings exist, on BBB and here
    const onBbb = t.fakes.reduce((n, f) => n + f.requestsFor('create').length, 0);
    expect(onBbb).toBe(3);
    expect(await t.stack.deps.store.meetings.listByTenant(limited.id, now)).toHaveLength(3);
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).meetings).toHaveLength(3);

    // another tenant (limited too) has its own 3
    for (let i = 0; i < 3; i++) expect(xmlValue((await create(other, `room-${i}`)).body, 'returncode')).toBe('SUCCESS');
    // and an unlimited tenant gets no counter at all
    for (let i = 0; i < 5; i++) expect(xmlValue((await create(unlimited, `room-${i}`)).body, 'returncode')).toBe('SUCCESS');
    expect(await t.stack.deps.store.tenantLoads.get(unlimited.id)).toEqual({ meetings: [], participants: 0, buckets: {} });

    // at the limit, a create of a running meeting still succeeds
    const succeeded = answers.map((r, i) => (xmlValue(r.body, 'returncode') === 'SUCCESS' ? `room-${i}` : undefined)).filter(Boolean) as string[];
    const again = await create(limited, succeeded[0]);
    expect(xmlValue(again.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(again.body, 'messageKey')).toBe('duplicateWarning');
    expect(xmlValue((await create(limited, 'room-new')).body, 'messageKey')).toBe('maxMeetingsReached');

    // once the poller saw one end (past the grace period), a new one can be created
    endOnBbb(limited, succeeded[0]);
    await nextCycle();
    const load = await t.stack.deps.store.tenantLoads.get(limited.id);
    expect(load.meetings.sort()).toEqual(succeeded.slice(1).map((m) => meetingToken(`${limited.id}~${m}`)).sort());
    expect(xmlValue((await create(limited, 'room-new')).body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue((await create(limited, 'room-newer')).body, 'messageKey')).toBe('maxMeetingsReached');
  });

  it('a re-placement at the limit is not a new meeting: a meeting whose server was disabled moves and is still created', async () => {
    const before = (await t.stack.deps.store.meetings.get({ meetingID: 'room-0', tenantId: other.id }, now))!;
    await updateServer(t.stack.deps, before.serverId, { state: 'disable' });
    t.stack.deps.registry.invalidate();
    try {
      const res = await create(other, 'room-0');
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
      const after = (await t.stack.deps.store.meetings.get({ meetingID: 'room-0', tenantId: other.id }, now))!;
      expect(after.serverId).not.toBe(before.serverId);
      expect((await t.stack.deps.store.tenantLoads.get(other.id)).meetings).toHaveLength(3);
      expect(xmlValue((await create(other, 'room-3')).body, 'messageKey')).toBe('maxMeetingsReached');
    } finally {
      await updateServer(t.stack.deps, before.serverId, { state: 'enable' });
      t.stack.deps.registry.invalidate();
    }
  });

  it('20 concurrent joins at a limit of 10: exactly 10 redirects and 10 maxParticipantsReached (XML, no redirect)', async () => {
    limited = await limits(limited, null, 10);
    expect(xmlValue((await create(limited, 'class')).body, 'returncode')).toBe('SUCCESS');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => join(limited, 'class', `u${i}`)));
    expect(answers.filter((r) => r.status === 302)).toHaveLength(10);
    const refused = answers.filter((r) => r.status === 200);
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(r.headers.location).toBeUndefined();
      expect(xmlValue(r.body, 'returncode')).toBe('FAILED');
      expect(xmlValue(r.body, 'messageKey')).toBe('maxParticipantsReached');
    }
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(10);
    // other tenants join freely
    expect((await join(unlimited, 'room-0')).status).toBe(302);
  });

  it('the reconcile after a poll lowers the count to what BBB reports when participants left', async () => {
    // of the 10 redirected users, 3 are in the meeting by the next poll
    const fake = t.fakes.find((f) => f.meetings.has(`${limited.id}~class`))!;
    for (let i = 0; i < 3; i++) fake.addAttendee(`${limited.id}~class`, { fullName: `u${i}` });
    await nextCycle();
    const load = await t.stack.deps.store.tenantLoads.get(limited.id);
    expect(load.participants).toBe(3);
    expect(load.buckets).toEqual({}); // the joins' buckets are covered by the report: dropped
    for (let i = 0; i < 7; i++) expect((await join(limited, 'class', `late${i}`)).status).toBe(302);
    expect(xmlValue((await join(limited, 'class', 'one-too-many')).body, 'messageKey')).toBe('maxParticipantsReached');

    // a second poller running the same cycle changes nothing (idempotent per cycle)
    const before = await t.stack.deps.store.tenantLoads.get(limited.id);
    await t.poll();
    expect(await t.stack.deps.store.tenantLoads.get(limited.id)).toEqual(before);
  });

  it('joins counted shortly before a poll stay counted by its reconcile (their users may not be on BBB yet)', async () => {
    await nextCycle(); // 3 on BBB, the 7 late joins now covered
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(3);
    now = Math.floor(now / MINUTE) * MINUTE + 50_000;
    for (let i = 0; i < 4; i++) expect((await join(limited, 'class', `fresh${i}`)).status).toBe(302);
    now += 1_000;
    await t.poll(); // the same cycle again: nothing is written
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(7);
    now = (Math.floor(now / MINUTE) + 1) * MINUTE + 5_000; // a poll 15 s after the joins: their users may still be loading
    await t.poll();
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(7);
    now += MINUTE; // a cycle later BBB would list them: not there, so not counted
    await t.poll();
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(3);
  });

  it('a cycle that finds nothing changed writes nothing; a server with its meetings that did not answer keeps the participants', async () => {
    const { pollAll } = await import('../../shared/app/poll-servers.js');
    now += 2 * MINUTE;
    const report = await pollAll(t.stack.deps); // runs the hook for this cycle
    const cycle = { cycle: Math.floor(now / MINUTE) + 1, startedAt: (Math.floor(now / MINUTE) + 1) * MINUTE + 30_000 };
    expect(await reconcileTenantLoads(t.stack.deps, report, cycle)).toEqual({ tenants: 2, writes: 0, participantsKept: [] });
    // the server of 'class' did not answer: its 3 users are unknown, the count stays (never lowered blindly)
    const fake = t.fakes.find((f) => f.meetings.has(`${limited.id}~class`))!;
    const serverId = (await t.stack.deps.store.meetings.get({ meetingID: 'class', tenantId: limited.id }, now))!.serverId;
    fake.removeAttendees(`${limited.id}~class`);
    const partial = { ...report, meetings: report.meetings.filter((m) => m.serverId !== serverId), serverStats: report.serverStats.filter((s) => s.id !== serverId) };
    expect((await reconcileTenantLoads(t.stack.deps, partial, { ...cycle, cycle: cycle.cycle + 1 })).participantsKept).toContain(limited.id);
    expect((await t.stack.deps.store.tenantLoads.get(limited.id)).participants).toBe(3);
  });

  it('removing the limits removes the counters; the tenants listing keeps its shape for unlimited tenants', async () => {
    limited = await limits(limited, 0 || null, null);
    expect(limited.maxMeetings).toBeUndefined();
    expect(await t.stack.deps.store.tenantLoads.get(limited.id)).toEqual({ meetings: [], participants: 0, buckets: {} });
    expect((await join(limited, 'class', 'free-again')).status).toBe(302);
  });

  describe('round trips (counted at the engine, warm snapshot)', () => {
    const ops = async (f: () => Promise<unknown>) => {
      const before = new Map(t.stack.engineOps);
      const res = await f();
      const counted: Record<string, number> = {};
      for (const [op, n] of t.stack.engineOps) if (n - (before.get(op) ?? 0) > 0) counted[op] = n - (before.get(op) ?? 0);
      return { res, counted };
    };

    it('unlimited: join 1 GetItem, create as today; limited: join + 1 conditional write, a new create + 1, an existing create + 0', async () => {
      limited = await limits(limited, 50, 50);
      await create(unlimited, 'warm-up'); // the snapshot is loaded here
      const uNew = await ops(() => create(unlimited, 'rt-u'));
      const uOld = await ops(() => create(unlimited, 'rt-u'));
      const uJoin = await ops(() => join(unlimited, 'rt-u'));
      const lNew = await ops(() => create(limited, 'rt-l'));
      const lOld = await ops(() => create(limited, 'rt-l'));
      const lJoin = await ops(() => join(limited, 'rt-l'));
      expect(uJoin.counted).toEqual({ GetItem: 1 });
      expect(lJoin.counted).toEqual({ GetItem: 1, UpdateItem: 1 });
      expect(uNew.counted).toEqual({ UpdateItem: 3 });
      expect(lNew.counted).toEqual({ UpdateItem: 4 });
      expect(lOld.counted).toEqual(uOld.counted);
    });
  });
});
