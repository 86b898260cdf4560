/**
 * The poll cycle and meeting records: ended meetings (without a getMeetingInfo per meeting), the
 * poller-vs-create race (Scalelite #320), snapshots and expiry, cordoned → disabled, and writes only
 * when something changed.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../shared/store/keys.js';
import { ENDED_GRACE_MS } from '../../shared/app/poll-servers.js';
import { MIN, startPollerFixture, until, type PollerFixture } from './poller-fixture.js';

let f: PollerFixture;
afterEach(() => f?.close());

describe('ended meetings', () => {
  it('removes the record of a meeting the server no longer reports, without asking BBB per meeting', async () => {
    f = await startPollerFixture({ servers: 2 });
    await f.place(0, 'a', { users: 1 });
    await f.place(0, 'b', { users: 1 });
    await f.place(1, 'c', { users: 1 });
    await f.poll();
    f.fakes[0].endMeeting('a');
    const report = await f.poll();
    expect(report.meetingsEnded).toBe(1);
    expect(await f.record('a')).toBeUndefined();
    expect(await f.record('b')).toBeDefined();
    expect(await f.record('c')).toBeDefined();
    for (const fake of f.fakes) expect(fake.requestsFor('getMeetingInfo')).toHaveLength(0);
  });

  it('never removes a meeting created within the grace period', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.place(0, 'fresh', { ageMs: ENDED_GRACE_MS - 1_000, onFake: false });
    await f.poll();
    expect(await f.record('fresh')).toBeDefined();
    f.advance(2_000);
    const report = await f.poll();
    expect(report.meetingsEnded).toBe(1);
    expect(await f.record('fresh')).toBeUndefined();
  });

  it('never removes a meeting created after the getMeetings of the cycle was sent (Scalelite #320)', async () => {
    f = await startPollerFixture({ servers: 1 });
    f.fakes[0].hang(true);
    const cycle = f.poll();
    await until(() => f.fakes[0].requestsFor('getMeetings').length >= 2, 'the getMeetings of the cycle'); // 1 from addServer
    // a create lands while the poll is in flight; BBB's answer (sent before) cannot list it
    await f.place(0, 'racing', { ageMs: 0, onFake: false });
    f.advance(ENDED_GRACE_MS + 60_000); // even long after, measured from when the record was written
    f.fakes[0].hang(false);
    const report = await cycle;
    expect(report.meetingsEnded).toBe(0);
    expect(await f.record('racing')).toBeDefined();
  });

  it('counts a meeting placed but not listed yet as a young meeting, so the poll does not erase its reservation', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { loadMultiplier: 2 });
    await f.place(0, 'listed', { users: 3 });
    await f.place(0, 'creating', { ageMs: 1_000, onFake: false });
    await f.poll();
    expect((await f.server('bbb-1')).load).toBe((3 + 15) * 2);
    f.advance(ENDED_GRACE_MS);
    await f.poll(); // BBB never listed it: the record goes, and its weight with it
    expect(await f.record('creating')).toBeUndefined();
    expect((await f.server('bbb-1')).load).toBe(3 * 2);
  });

  it('keeps the server snapshot of each meeting, and renews the expiry only when half of it is left', async () => {
    f = await startPollerFixture({ servers: 1, env: { DEFAULT_MEETING_TTL: '3600' } });
    await f.place(0, 'snap', { users: 1 });
    await f.poll();
    const first = (await f.snapshot('snap'))!;
    expect(first).toContain('<meetingID>snap</meetingID>');
    expect(first).toContain('<participantCount>1</participantCount>');
    expect(f.writesSince()).toBeGreaterThan(0);

    await f.poll();
    expect(f.writesSince()).toBe(0);

    f.fakes[0].addAttendee('snap', { fullName: 'Second' });
    await f.poll();
    expect(await f.snapshot('snap')).toContain('<participantCount>2</participantCount>');
    expect(f.writesSince()).toBe(3); // the meeting's snapshot item + its hash on the record + the server's users and load

    // placed with a 24 h expiry; DEFAULT_MEETING_TTL is 1 h: nothing to renew until less than 30 min is left
    f.advance(23 * 60 * MIN);
    await f.poll();
    expect(f.writesSince()).toBe(0);
    f.advance(31 * MIN);
    await f.poll();
    expect(f.writesSince()).toBe(3); // the record's expiry, its voice bridge's and its snapshot's
    expect((await f.record('snap'))!.expiresAt).toBe(Math.floor(f.now() / 1000) + 3600);
  });
});

describe('hot items stay small (issue 9, item 5)', () => {
  it("a 250-attendee meeting's record stays under 1 KB; its snapshot lives apart and getMeetings still shows it whole", async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.place(0, 'big', { users: 250, moderators: 2 });
    await f.poll();
    const { db, config } = f.t.stack;
    const raw = await db.send(new GetCommand({ TableName: config.dynamodbTable, Key: keys.meeting('big') }));
    const bytes = Buffer.byteLength(JSON.stringify(raw.Item));
    expect(bytes).toBeLessThan(1024);
    expect(raw.Item).not.toHaveProperty('info');
    expect(raw.Item).not.toHaveProperty('xml');
    const snapshot = (await f.snapshot('big'))!;
    expect(snapshot.match(/<attendee>/g)).toHaveLength(250);
    const list = await f.t.call('getMeetings');
    expect(list.body.match(/<attendee>/g)).toHaveLength(250);
    // the stored snapshot item is deflated
    const info = await db.send(new GetCommand({ TableName: config.dynamodbTable, Key: keys.meetingInfo('big') }));
    expect((info.Item!.xmlz as Uint8Array).byteLength).toBeLessThan(Buffer.byteLength(snapshot) / 4);
  });
});

describe('writes only what changed', () => {
  it('a cycle with nothing changed writes nothing (servers, meetings, counters)', async () => {
    f = await startPollerFixture({ servers: 3 });
    await f.place(0, 'w1', { users: 3, moderators: 1 });
    await f.place(2, 'w2', { users: 1 });
    await f.poll();
    f.writesSince();
    const report = await f.poll();
    expect(report).toMatchObject({ writes: 0, polled: 3 });
    expect(f.writesSince()).toBe(0);
  });

  it('a change on one server writes that server only', async () => {
    f = await startPollerFixture({ servers: 3 });
    await f.poll();
    f.writesSince();
    f.fakes[1].failNext(1, 'reset');
    const report = await f.poll();
    expect(report.writes).toBe(1);
    expect(f.writesSince()).toBe(1);
    expect((await f.server('bbb-2')).unhealthyCounter).toBe(1);
  });
});

describe('cordoned servers', () => {
  it('become disabled once they report no meetings — not when their load is 0', async () => {
    f = await startPollerFixture({ servers: 2 });
    await f.place(0, 'empty-but-running', { users: 0 });
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'cordoned' });
    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ state: 'cordoned', load: 0, meetings: 1 });

    f.fakes[0].endMeeting('empty-but-running');
    const report = await f.poll();
    expect(report.drained).toEqual(['bbb-1']);
    const s = await f.server('bbb-1');
    expect(s.state).toBe('disabled');
    expect(s.load).toBeUndefined();
    expect(await f.record('empty-but-running')).toBeUndefined();
  });

  it('wait for a meeting placed on them that BBB does not list yet', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.place(0, 'in-flight', { ageMs: 1_000, onFake: false });
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'cordoned' });
    await f.poll();
    expect((await f.server('bbb-1')).state).toBe('cordoned');
    f.advance(ENDED_GRACE_MS);
    await f.poll(); // the record is removed (BBB never listed it) and the server drains
    expect((await f.server('bbb-1')).state).toBe('disabled');
  });
});
