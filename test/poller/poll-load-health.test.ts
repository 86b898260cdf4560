/**
 * The poll cycle against fake BBB servers: load and statistics, online/offline hysteresis, self-healing
 * of an offline server's meetings, BBB version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultMode } from '../fake-bbb/fake-bbb-server.js';
import { xmlValue } from '../helpers/test-stack.js';
import { MIN, startPollerFixture, type PollerFixture } from './poller-fixture.js';

let f: PollerFixture;
afterEach(() => f?.close());

describe('load and statistics', () => {
  it('follows the formula: moderators once, breakouts only in the statistics, young-meeting floor, multiplier', async () => {
    f = await startPollerFixture({ servers: 2 });
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { loadMultiplier: 2 });
    // old: 1 moderator + 3 viewers (BBB's participantCount 4, moderatorCount 1), 2 with video
    await f.place(0, 'old', { ageMs: 60 * MIN, users: 4, moderators: 1 });
    f.fakes[0].meetings.get('old')!.attendees.slice(0, 2).forEach((a) => (a.hasVideo = true));
    // young (5 minutes): 2 attendees, counted as LOAD_MIN_USER_COUNT = 15
    await f.place(0, 'young', { ageMs: 5 * MIN, users: 2, moderators: 2 });
    // a breakout room of `old` with 5 users: not in the load
    f.fakes[0].addMeeting({ meetingID: 'old-room-1', createTime: f.now() - MIN, isBreakout: true, parentMeetingID: 'old' });
    for (let i = 0; i < 5; i++) f.fakes[0].addAttendee('old-room-1', { role: 'VIEWER' });

    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ load: (4 + 15) * 2, users: 11, largestMeeting: 5, videos: 2, meetings: 3, online: true });
    expect(await f.server('bbb-2')).toMatchObject({ load: 0, users: 0, meetings: 0 });

    f.advance(11 * MIN); // `young` is 16 minutes old: counted by its attendees
    await f.poll();
    expect((await f.server('bbb-1')).load).toBe((4 + 2) * 2);
  });

  it('honours LOAD_MIN_USER_COUNT and LOAD_JOIN_BUFFER_TIME', async () => {
    f = await startPollerFixture({ servers: 1, env: { LOAD_MIN_USER_COUNT: '5', LOAD_JOIN_BUFFER_TIME: '30' } });
    await f.place(0, 'm', { ageMs: 20 * MIN, users: 1 });
    await f.poll();
    expect((await f.server('bbb-1')).load).toBe(5);
    f.advance(10 * MIN);
    await f.poll();
    expect((await f.server('bbb-1')).load).toBe(1);
  });

  it('keeps no load for a disabled server but still records its health and statistics', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'disabled' });
    await f.place(0, 'd', { users: 3 });
    await f.poll();
    const s = await f.server('bbb-1');
    expect(s.load).toBeUndefined();
    expect(s).toMatchObject({ online: true, users: 3, meetings: 1 });
  });
});

describe('online / offline hysteresis', () => {
  const env = { SERVER_UNHEALTHY_THRESHOLD: '3', SERVER_HEALTHY_THRESHOLD: '2' };

  it('goes offline after SERVER_UNHEALTHY_THRESHOLD failed polls, keeping load and meetings until then', async () => {
    f = await startPollerFixture({ servers: 2, env });
    await f.place(0, 'kept', { users: 2 });
    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ online: true, load: 2 });

    f.fakes[0].setDown(true);
    let report = await f.poll();
    expect(report).toMatchObject({ failed: 1, polled: 1, wentOffline: [] });
    expect(await f.server('bbb-1')).toMatchObject({ online: true, load: 2, unhealthyCounter: 1 });
    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ online: true, load: 2, unhealthyCounter: 2 });
    expect(await f.record('kept')).toBeDefined();

    report = await f.poll();
    expect(report.wentOffline).toEqual(['bbb-1']);
    const s = await f.server('bbb-1');
    expect(s).toMatchObject({ online: false, unhealthyCounter: 0, meetings: 0, users: 0, largestMeeting: 0, videos: 0 });
    expect(s.load).toBeUndefined();
    // the record is kept (a server that is only cut off keeps its meetings); the next create re-places it
    expect((await f.record('kept'))?.serverId).toBe('bbb-1');
  });

  it('a meeting of an offline server is re-placed by the next create (self-healing)', async () => {
    f = await startPollerFixture({ servers: 2, env: { SERVER_UNHEALTHY_THRESHOLD: '1' } });
    const created = await f.t.call('create', 'meetingID=heal&name=Heal');
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    const first = (await f.record('heal'))!.serverId;
    const down = f.fakes[first === 'bbb-1' ? 0 : 1];
    down.setDown(true);
    await f.poll();
    expect((await f.server(first)).online).toBe(false);
    const again = await f.t.call('create', 'meetingID=heal&name=Heal');
    expect(xmlValue(again.body, 'returncode')).toBe('SUCCESS');
    expect((await f.record('heal'))!.serverId).not.toBe(first);
  });

  it('comes back online after SERVER_HEALTHY_THRESHOLD successful polls; a failure in between starts over', async () => {
    f = await startPollerFixture({ servers: 1, env: { ...env, SERVER_UNHEALTHY_THRESHOLD: '1' } });
    f.fakes[0].setDown(true);
    await f.poll();
    expect((await f.server('bbb-1')).online).toBe(false);

    f.fakes[0].setDown(false);
    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ online: false, healthyCounter: 1 });
    expect((await f.server('bbb-1')).load).toBeUndefined();
    f.fakes[0].failNext(1, 'reset');
    await f.poll();
    expect(await f.server('bbb-1')).toMatchObject({ online: false, healthyCounter: 0 });
    await f.poll();
    const report = await f.poll();
    expect(report.wentOnline).toEqual(['bbb-1']);
    expect(await f.server('bbb-1')).toMatchObject({ online: true, healthyCounter: 0, load: 0 });
  });

  it.each<FaultMode>(['reset', 'http500', 'garbage', 'failed'])('counts a %s answer as a failed poll', async (mode) => {
    f = await startPollerFixture({ servers: 1 });
    f.fakes[0].failNext(1, mode, 'getMeetings');
    const report = await f.poll();
    expect(report).toMatchObject({ failed: 1, polled: 0 });
    expect((await f.server('bbb-1')).unhealthyCounter).toBe(1);
    await f.poll();
    expect((await f.server('bbb-1')).unhealthyCounter).toBe(0);
  });

  it('releases the records of meetings that ended while the server was away when it is back', async () => {
    f = await startPollerFixture({ servers: 1, env: { SERVER_UNHEALTHY_THRESHOLD: '1' } });
    await f.place(0, 'survives', { users: 1 });
    await f.place(0, 'ends', { users: 1 });
    await f.poll();
    f.fakes[0].setDown(true);
    await f.poll();
    f.fakes[0].endMeeting('ends');
    f.fakes[0].setDown(false);
    const report = await f.poll();
    expect(report).toMatchObject({ wentOnline: ['bbb-1'], meetingsEnded: 1 });
    expect(await f.record('ends')).toBeUndefined();
    expect(await f.record('survives')).toBeDefined();
  });
});

describe('BBB version', () => {
  it('is stored at the first poll and asked again only when the server comes back online', async () => {
    f = await startPollerFixture({ servers: 2, env: { SERVER_UNHEALTHY_THRESHOLD: '1' }, fakeOptions: (i) => ({ bbbVersion: i === 0 ? '2.7.12' : '' }) });
    expect((await f.server('bbb-1')).bbbVersion).toBe('2.7.12');
    expect((await f.server('bbb-2')).bbbVersion).toBe(''); // BBB hides its version
    const asked = () => f.fakes[0].requestsFor('').length;
    const before = asked();
    await f.poll();
    await f.poll();
    expect(asked()).toBe(before);

    f.fakes[0].setDown(true);
    await f.poll();
    f.fakes[0].setDown(false);
    await f.poll();
    expect(asked()).toBe(before + 1);
    expect((await f.server('bbb-1')).bbbVersion).toBe('2.7.12');
  });
});
