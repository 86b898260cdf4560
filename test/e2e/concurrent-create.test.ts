/**
 * Concurrency through real HTTP: many front-ends creating the same meeting at once must agree on one
 * server, one record, one voice bridge; distinct meetings spread; create racing end converges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const serverIdOf = (t: TestStack, fake: FakeBbb) => `bbb-${t.fakes.indexOf(fake) + 1}`;

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('concurrent creates over three fake servers', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 3 });
  });
  afterAll(() => t.close());

  it('100 concurrent creates of one meetingID: all SUCCESS, one server, one record, one voiceBridge', async () => {
    const meetingID = 'herd-1';
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => t.call('create', `meetingID=${meetingID}&name=Herd+room&moderatorPW=mp&attendeePW=ap`)),
    );

    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(xmlValue(a.body, 'returncode'), a.body).toBe('SUCCESS');
      expect(xmlValue(a.body, 'meetingID')).toBe(meetingID);
    }
    const voiceBridges = new Set(answers.map((a) => xmlValue(a.body, 'voiceBridge')));
    const internalIDs = new Set(answers.map((a) => xmlValue(a.body, 'internalMeetingID')));
    expect(voiceBridges.size).toBe(1);
    expect(internalIDs.size).toBe(1);
    expect([...voiceBridges][0]).toMatch(/^\d+$/);

    const holders = t.fakes.filter((f) => f.meetings.has(meetingID));
    expect(holders).toHaveLength(1);
    const [holder] = holders;
    for (const f of t.fakes) {
      const creates = f.requestsFor('create').filter((r) => r.params.meetingID === meetingID);
      if (f === holder) {
        expect(creates).toHaveLength(100);
        expect(creates.every((r) => r.checksumValid)).toBe(true);
        expect(new Set(creates.map((r) => r.params.voiceBridge))).toEqual(voiceBridges);
      } else {
        expect(creates).toHaveLength(0);
      }
    }
    expect(holder.meetings.get(meetingID)!.voiceBridge).toBe([...voiceBridges][0]);
    expect(holder.meetings.get(meetingID)!.internalMeetingID).toBe([...internalIDs][0]);

    const now = Date.now();
    const record = await t.stack.deps.store.meetings.get({ meetingID: meetingID }, now);
    expect(record).toMatchObject({ meetingID, serverId: serverIdOf(t, holder), voiceBridge: [...voiceBridges][0] });
    const listed = (await t.stack.deps.store.meetings.listByTenant(undefined, now)).filter((m) => m.meetingID === meetingID);
    expect(listed).toHaveLength(1);
    for (const f of t.fakes) {
      const onServer = (await t.stack.deps.store.meetings.listByServer(serverIdOf(t, f), now)).filter((m) => m.meetingID === meetingID);
      expect(onServer).toHaveLength(f === holder ? 1 : 0);
    }
  });

  it('50 concurrent creates of 50 distinct meetings: all SUCCESS, spread over more than one server', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `spread-${i}`);
    const answers = await Promise.all(ids.map((id) => t.call('create', `meetingID=${id}&name=Spread+${id}`)));
    answers.forEach((a, i) => {
      expect(xmlValue(a.body, 'returncode'), a.body).toBe('SUCCESS');
      expect(xmlValue(a.body, 'meetingID')).toBe(ids[i]);
    });

    const now = Date.now();
    const perServer = new Map<string, number>();
    for (const id of ids) {
      const holders = t.fakes.filter((f) => f.meetings.has(id));
      expect(holders, id).toHaveLength(1);
      const record = await t.stack.deps.store.meetings.get({ meetingID: id }, now);
      expect(record?.serverId, id).toBe(serverIdOf(t, holders[0]));
      perServer.set(record!.serverId, (perServer.get(record!.serverId) ?? 0) + 1);
    }
    expect(perServer.size).toBeGreaterThan(1);
    expect(new Set(answers.map((a) => xmlValue(a.body, 'voiceBridge'))).size).toBe(50);
  });
});

/**
 * create racing end of the same meeting, with the interleaving forced through fake latency (one server,
 * so a re-create lands where the end goes). Invariant: no record is left pointing at a server that does
 * not have the meeting — at once, or (when BBB ends the meeting after a re-create was accepted, which no
 * balancer can see) after the next poll past the ended-grace window.
 */
describe('create racing end of the same meeting', () => {
  let t: TestStack;
  let offsetMs = 0;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1, clock: () => Date.now() + offsetMs });
  });
  afterAll(() => t.close());

  const fake = () => t.fakes[0];
  const record = (id: string) => t.stack.deps.store.meetings.get({ meetingID: id }, t.stack.deps.clock());

  /** The invariant: a record only ever points at a server that holds the meeting. */
  async function expectConsistent(id: string): Promise<void> {
    const r = await record(id);
    if (r) {
      expect(r.serverId).toBe('bbb-1');
      expect(fake().meetings.has(id)).toBe(true);
    }
  }

  it('end overtakes a create still in flight at BBB: no record is left behind', async () => {
    const id = 'race-end-overtakes';
    fake().setLatencyFor('create', 2_000);
    try {
      const create = t.call('create', `meetingID=${id}&name=Race`);
      // the create is at BBB, so the record was already written
      await until(() => fake().requestsFor('create').some((r) => r.params.meetingID === id), 'the create at BBB');
      expect(await record(id)).toBeDefined();

      const end = await t.call('end', `meetingID=${id}&password=x`);
      expect(xmlValue(end.body, 'messageKey')).toBe('notFound'); // BBB has not created it yet
      expect(await record(id)).toBeUndefined();

      const created = await create;
      expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
      expect(fake().meetings.has(id)).toBe(true); // BBB runs it; the balancer no longer knows it
      expect(await record(id)).toBeUndefined();
      await expectConsistent(id);
    } finally {
      fake().setLatencyFor('create', 0);
    }
  });

  it('a re-create slips in while end is in flight at BBB: consistent after the next poll', async () => {
    const id = 'race-recreate';
    const first = await t.call('create', `meetingID=${id}&name=Race`);
    expect(xmlValue(first.body, 'returncode')).toBe('SUCCESS');

    fake().setLatencyFor('end', 2_000);
    try {
      const end = t.call('end', `meetingID=${id}&password=x`);
      // the end is at BBB, so the record was already deleted
      await until(() => fake().requestsFor('end').some((r) => r.params.meetingID === id), 'the end at BBB');
      expect(await record(id)).toBeUndefined();

      const again = await t.call('create', `meetingID=${id}&name=Race`);
      expect(xmlValue(again.body, 'returncode')).toBe('SUCCESS');
      expect(xmlValue(again.body, 'messageKey')).toBe('duplicateWarning'); // BBB still had it
      expect((await record(id))?.serverId).toBe('bbb-1');

      const ended = await end;
      expect(xmlValue(ended.body, 'returncode')).toBe('SUCCESS');
      expect(fake().meetings.has(id)).toBe(false);
    } finally {
      fake().setLatencyFor('end', 0);
    }

    // The record now points at a server without the meeting (BBB ended it after accepting the re-create).
    // The poller heals it once the record is older than the ended-grace window.
    const { ENDED_GRACE_MS } = await import('../../shared/app/poll-servers.js');
    offsetMs += ENDED_GRACE_MS + 1_000;
    await t.poll();
    expect(await record(id)).toBeUndefined();
    await expectConsistent(id);
  });
});
