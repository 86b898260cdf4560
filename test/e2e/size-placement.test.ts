/**
 * Issue 16 items 1–2, through real HTTP and fake BBB servers: server capacities and size hints
 * (`meta_expected-participants`, else `maxParticipants`) in placement, the reservation they make,
 * the poller keeping a young hinted meeting's weight, and placements counted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../shared/app/logger.js';
import { RecordingMetrics } from '../../shared/app/metrics.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const MIN = 60_000;

/** A logger that keeps what it was given. */
function memoryLogger(): Logger & { lines: Array<{ level: string; msg: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  return {
    lines,
    info: (msg, fields) => void lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, fields }),
  };
}

interface Pool {
  t: TestStack;
  log: ReturnType<typeof memoryLogger>;
  /** moves the stack's clock (the fakes keep theirs) */
  advance(ms: number): void;
}

/**
 * A stack with one fake per entry: each holds an old meeting (past LOAD_JOIN_BUFFER_TIME) with `users`
 * attendees, has `capacity` when given, and is polled, so its load is its users.
 */
async function pool(servers: Array<{ id: string; users: number; capacity?: number }>, env: Record<string, string> = {}): Promise<Pool> {
  let offset = 0;
  const log = memoryLogger();
  const t = await startTestStack({ log, clock: () => Date.now() + offset, env });
  for (const s of servers) {
    const fake = await FakeBbb.start();
    t.fakes.push(fake);
    if (s.users > 0) {
      fake.addMeeting({ meetingID: `busy-${s.id}`, createTime: Date.now() - 60 * MIN });
      for (let i = 0; i < s.users; i++) fake.addAttendee(`busy-${s.id}`, { fullName: `u${i}` });
    }
    await t.stack.deps.store.servers.add({ id: s.id, url: fake.url, secret: fake.secret, state: 'enabled', ...(s.capacity ? { capacity: s.capacity } : {}) });
  }
  await t.poll();
  return { t, log, advance: (ms) => void (offset += ms) };
}

async function serverOf(t: TestStack, meetingID: string): Promise<string | undefined> {
  return (await t.stack.deps.store.meetings.get({ meetingID }, t.stack.deps.clock()))?.serverId;
}
const loadOf = async (t: TestStack, id: string) => (await t.stack.deps.store.servers.get(id))!.load;

describe('capacity and a size hint: the proof of issue 16', () => {
  let p: Pool;
  beforeAll(async () => {
    p = await pool([
      { id: 'a', users: 60, capacity: 100 },
      { id: 'b', users: 10, capacity: 100 },
    ]);
  });
  afterAll(() => p.t.close());

  it('two servers of capacity 100 at 60 and 10 users: meta_expected-participants=80 lands on the second, reserving 80', async () => {
    expect(await loadOf(p.t, 'a')).toBe(60);
    expect(await loadOf(p.t, 'b')).toBe(10);
    const res = await p.t.call('create', 'meetingID=lecture&name=Lecture&meta_expected-participants=80&meta_course=101');
    expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
    expect(await serverOf(p.t, 'lecture')).toBe('b');
    expect(await loadOf(p.t, 'b')).toBe(90); // max(LOAD_MIN_USER_COUNT, 80) × 1 instead of the flat 15
    expect(await loadOf(p.t, 'a')).toBe(60);
    const record = await p.t.stack.deps.store.meetings.get({ meetingID: 'lecture' }, p.t.stack.deps.clock());
    expect(record?.expectedParticipants).toBe(80);
    expect(record?.metadata).toEqual({ course: '101' }); // the hint is not stored as metadata either
  });

  it('the fake BBB never receives meta_expected-participants (in any case of its name)', async () => {
    await p.t.call('create', 'meetingID=hinted-2&meta_Expected-Participants=5&maxParticipants=7');
    const creates = p.t.fakes.flatMap((f) => f.requestsFor('create'));
    expect(creates.length).toBeGreaterThanOrEqual(2);
    for (const c of creates) expect(Object.keys(c.params).filter((k) => k.toLowerCase().includes('expected'))).toEqual([]);
    const hinted2 = creates.find((c) => c.params.meetingID === 'hinted-2')!;
    expect(hinted2.params.maxParticipants).toBe('7'); // BBB's own limit is forwarded as given
    for (const f of p.t.fakes) for (const m of f.meetings.values()) expect(JSON.stringify(m)).not.toMatch(/expected-participants/i);
  });

  it('the poller keeps a young hinted meeting at its expected size until LOAD_JOIN_BUFFER_TIME has passed', async () => {
    const before = (await loadOf(p.t, 'b'))!;
    await p.t.poll(); // BBB lists "lecture" with no one in it yet
    expect(await loadOf(p.t, 'b')).toBe(before); // 10 + 80 (+ the floor of hinted-2, wherever it went)
    p.advance(16 * MIN); // past LOAD_JOIN_BUFFER_TIME (15 min): the hint no longer counts
    await p.t.poll();
    expect(await loadOf(p.t, 'b')).toBe(10);
  });
});

describe('capacities change the choice; without them, placement is as today', () => {
  it('skips the least-loaded server when the meeting does not fit its capacity', async () => {
    const p = await pool([
      { id: 'big', users: 60, capacity: 200 },
      { id: 'small', users: 10, capacity: 50 },
    ]);
    try {
      await p.t.call('create', 'meetingID=m80&meta_expected-participants=80');
      expect(await serverOf(p.t, 'm80')).toBe('big'); // 10 + 80 > 50; 60 + 80 <= 200
      await p.t.call('create', 'meetingID=m30&meta_expected-participants=30');
      expect(await serverOf(p.t, 'm30')).toBe('small'); // 10 + 30 <= 50, and it is the least loaded
      // BBB's maxParticipants is the size when no hint is given
      await p.t.call('create', 'meetingID=mp&maxParticipants=45');
      expect(await serverOf(p.t, 'mp')).toBe('big'); // small: 40 + 45 > 50
    } finally {
      await p.t.close();
    }
  });

  it('the same servers without capacities: the least loaded wins, as today (hint or not)', async () => {
    const p = await pool([
      { id: 'big', users: 60 },
      { id: 'small', users: 10 },
    ]);
    try {
      await p.t.call('create', 'meetingID=m80&meta_expected-participants=80');
      expect(await serverOf(p.t, 'm80')).toBe('small');
      expect(await loadOf(p.t, 'small')).toBe(90); // the hint is still reserved
      await p.t.call('create', 'meetingID=plain');
      expect(await serverOf(p.t, 'plain')).toBe('big'); // 60 < 90
      expect(await loadOf(p.t, 'big')).toBe(75); // an unhinted create reserves the flat floor
    } finally {
      await p.t.close();
    }
  });

  it('no server has room: placed by load as today and logged, never refused', async () => {
    const p = await pool([
      { id: 'a', users: 50, capacity: 60 },
      { id: 'b', users: 30, capacity: 50 },
    ]);
    try {
      const res = await p.t.call('create', 'meetingID=huge&meta_expected-participants=300');
      expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
      expect(await serverOf(p.t, 'huge')).toBe('b');
      const line = p.log.lines.find((l) => l.msg.startsWith('placement: no server has room'));
      expect(line).toMatchObject({ level: 'warn', fields: { meetingID: 'huge', server: 'b', expected: 300, capacity: 50, committed: 30 } });
    } finally {
      await p.t.close();
    }
  });

  it('an invalid hint is ignored with a log line; the create succeeds as an unhinted one', async () => {
    const p = await pool([{ id: 'a', users: 0, capacity: 100 }]);
    try {
      const res = await p.t.call('create', 'meetingID=bad&meta_expected-participants=lots');
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
      expect(await loadOf(p.t, 'a')).toBe(15);
      expect(p.log.lines.find((l) => l.msg.includes('meta_expected-participants ignored'))).toMatchObject({ fields: { meetingID: 'bad', value: 'lots' } });
      expect((await p.t.stack.deps.store.meetings.get({ meetingID: 'bad' }, Date.now()))?.expectedParticipants).toBeUndefined();
    } finally {
      await p.t.close();
    }
  });
});

describe('a reservation refused for capacity moves the meeting (another instance filled the server)', () => {
  it('the conditional ADD finds the load over the room left, and the meeting goes elsewhere before BBB is called', async () => {
    const p = await pool(
      [
        { id: 'a', users: 0, capacity: 100 },
        { id: 'b', users: 0, capacity: 100 },
      ],
      { REGISTRY_TTL: '3600' },
    );
    try {
      await p.t.stack.deps.registry.listServers(); // the snapshot: both empty
      await p.t.stack.deps.store.servers.reserveLoad('a', 70); // another instance's reservations, unseen here
      p.t.stack.deps.random = () => 0; // the draw among the two (equal in the snapshot) picks a
      const res = await p.t.call('create', 'meetingID=moved&meta_expected-participants=50');
      expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
      expect(await serverOf(p.t, 'moved')).toBe('b');
      expect(await loadOf(p.t, 'a')).toBe(70); // nothing booked there
      expect(await loadOf(p.t, 'b')).toBe(50);
      expect(p.t.fakes[0].requestsFor('create')).toEqual([]);
    } finally {
      await p.t.close();
    }
  });
});

describe('50 concurrent hinted creates', () => {
  let p: Pool;
  afterEach(() => p?.t.close());

  it('spread within capacity: no server over it, every create SUCCESS, each placement counted', async () => {
    const capacities = [150, 200, 250, 300, 400]; // 1,300 users of room for 50 × 20 = 1,000
    p = await pool(capacities.map((capacity, i) => ({ id: `s${i + 1}`, users: 0, capacity })));
    const metrics = new RecordingMetrics();
    p.t.stack.deps.metrics = metrics;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => p.t.call('create', `meetingID=burst-${i}&meta_expected-participants=20`)));
    for (const a of answers) expect(xmlValue(a.body, 'returncode'), a.body).toBe('SUCCESS');

    const perServer = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const id = (await serverOf(p.t, `burst-${i}`))!;
      perServer.set(id, (perServer.get(id) ?? 0) + 1);
    }
    for (const [i, capacity] of capacities.entries()) {
      const id = `s${i + 1}`;
      const users = 20 * (perServer.get(id) ?? 0);
      expect(users, id).toBeLessThanOrEqual(capacity);
      expect(await loadOf(p.t, id)).toBe(users); // the reservations, atomically added
      expect(metrics.total('Placements', { server: id })).toBe(perServer.get(id) ?? 0);
    }
    expect(perServer.size).toBeGreaterThan(1);
    expect(metrics.total('Placements')).toBe(50);
    for (const f of p.t.fakes) for (const c of f.requestsFor('create')) expect(c.params).not.toHaveProperty('meta_expected-participants');
  });
});
