/**
 * The poll cycle under concurrency and failure: admin changes made while a cycle runs, a server that
 * hangs, the cycle's deadline, errors on our side, and the one log line per cycle.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollServer } from '../../shared/app/poll-servers.js';
import { startPollerFixture, until, type PollerFixture } from './poller-fixture.js';

let f: PollerFixture;
afterEach(async () => {
  vi.restoreAllMocks();
  for (const fake of f?.fakes ?? []) fake.hang(false);
  await f?.close();
});

/** Starts a cycle and resolves once fake `index` received its getMeetings (the cycle is then in flight). */
async function cycleInFlight(index: number) {
  const before = f.fakes[index].requestsFor('getMeetings').length;
  f.fakes[index].hang(true);
  const cycle = f.poll();
  await until(() => f.fakes[index].requestsFor('getMeetings').length > before, 'the getMeetings of the cycle');
  return cycle;
}

describe('admin changes during a cycle', () => {
  it('are never overwritten: state, load multiplier, secret, url, tag', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.place(0, 'm', { users: 4 });
    const cycle = cycleInFlight(0);
    const servers = f.t.stack.deps.store.servers;
    await until(async () => (await servers.get('bbb-1')) !== undefined, 'the server');
    await servers.updateConfig('bbb-1', { state: 'cordoned', loadMultiplier: 3, secret: 'rotated-secret', tag: 'eu' });
    f.fakes[0].hang(false);
    await cycle;
    const s = await f.server('bbb-1');
    expect(s).toMatchObject({ state: 'cordoned', loadMultiplier: 3, secret: 'rotated-secret', tag: 'eu', url: f.fakes[0].url });
    expect(s).toMatchObject({ online: true, users: 4, meetings: 1 }); // and the poll's own attributes were written
  });

  it('a server disabled during the cycle keeps no load', async () => {
    f = await startPollerFixture({ servers: 1 });
    await f.place(0, 'm', { users: 4 });
    const cycle = cycleInFlight(0);
    await f.t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'disabled' });
    f.fakes[0].hang(false);
    await cycle;
    const s = await f.server('bbb-1');
    expect(s.state).toBe('disabled');
    expect(s.load).toBeUndefined();
    expect(s.users).toBe(4);
  });

  it('a server removed during the cycle is not brought back by the poll', async () => {
    f = await startPollerFixture({ servers: 2 });
    await f.place(0, 'm', { users: 1 });
    const cycle = cycleInFlight(0);
    expect(await f.t.stack.deps.store.servers.remove('bbb-1')).toBe(true);
    f.fakes[0].hang(false);
    const report = await cycle;
    expect(report.errors).toBe(0);
    expect(await f.t.stack.deps.store.servers.get('bbb-1')).toBeUndefined();
  });
});

describe('a slow or dead server', () => {
  it('does not hold up the others: they are polled and written while it hangs', async () => {
    f = await startPollerFixture({ servers: 4, env: { POLLER_CONCURRENCY: '2', RESPONSE_TIMEOUT: '15' } });
    for (const i of [1, 2, 3]) await f.place(i, `busy-${i}`, { users: i });
    const cycle = cycleInFlight(0);
    // bbb-1 hangs in one slot; bbb-2..4 go through the other one, and their new state is already stored
    await until(async () => {
      const users = await Promise.all(['bbb-2', 'bbb-3', 'bbb-4'].map(async (id) => (await f.server(id)).users));
      return users.join() === '1,2,3';
    }, 'the other servers to be written');
    let settled = false;
    void cycle.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    f.fakes[0].hang(false);
    expect(await cycle).toMatchObject({ polled: 4, failed: 0 });
  });

  it('counts as one failed poll when it does not answer within RESPONSE_TIMEOUT', async () => {
    f = await startPollerFixture({ servers: 3, env: { RESPONSE_TIMEOUT: '0.2' } });
    f.fakes[1].hang(true);
    const report = await f.poll();
    expect(report).toMatchObject({ polled: 2, failed: 1 });
    expect(await f.server('bbb-2')).toMatchObject({ online: true, unhealthyCounter: 1 });
  });

  it('is not blamed when the cycle deadline cut its wait short', async () => {
    f = await startPollerFixture({ servers: 2, env: { RESPONSE_TIMEOUT: '15', CONNECT_TIMEOUT: '5' } });
    f.fakes[0].hang(true);
    const report = await f.poll({ deadline: f.now() + 300 });
    expect(report).toMatchObject({ polled: 1, failed: 0, skipped: 1 });
    expect(await f.server('bbb-1')).toMatchObject({ online: true, unhealthyCounter: 0 });
  });

  it('past the deadline, no server is polled', async () => {
    f = await startPollerFixture({ servers: 2 });
    const asked = () => f.fakes.reduce((n, fake) => n + fake.requests.length, 0);
    const before = asked();
    const report = await f.poll({ deadline: f.now() });
    expect(report).toMatchObject({ servers: 2, polled: 0, skipped: 2, writes: 0 });
    expect(asked()).toBe(before);
  });
});

describe('errors on our side', () => {
  it('a failed write for one server is logged and the others are still polled', async () => {
    f = await startPollerFixture({ servers: 3 });
    for (const i of [0, 1, 2]) await f.place(i, `e-${i}`, { users: 2 });
    const servers = f.t.stack.deps.store.servers;
    const real = servers.recordPoll.bind(servers);
    vi.spyOn(servers, 'recordPoll').mockImplementation(async (id, changes) => {
      if (id === 'bbb-2') throw new Error('ProvisionedThroughputExceededException');
      return real(id, changes);
    });
    const report = await f.poll();
    expect(report).toMatchObject({ servers: 3, polled: 2, errors: 1 });
    expect((await f.server('bbb-1')).users).toBe(2);
    expect((await f.server('bbb-3')).users).toBe(2);
    expect(f.logs).toContainEqual(expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ server: 'bbb-2', error: 'ProvisionedThroughputExceededException' }) }));
  });

  it('a failed read of its meeting records still writes the server’s health and load', async () => {
    f = await startPollerFixture({ servers: 1, env: { SERVER_HEALTHY_THRESHOLD: '1' } });
    await f.place(0, 'r', { users: 5 });
    vi.spyOn(f.t.stack.deps.store.meetings, 'listByServer').mockRejectedValue(new Error('RequestLimitExceeded'));
    const out = await pollServer(f.t.stack.deps, await f.server('bbb-1'));
    expect(out).toMatchObject({ result: 'ok', error: 'RequestLimitExceeded' });
    expect((await f.server('bbb-1')).users).toBe(5);
  });
});

describe('the cycle log', () => {
  it('is one structured line: servers polled, online/offline changes, meetings ended, duration', async () => {
    f = await startPollerFixture({ servers: 2, env: { SERVER_UNHEALTHY_THRESHOLD: '1' } });
    await f.place(0, 'gone', { users: 1 });
    await f.poll();
    f.fakes[0].endMeeting('gone');
    f.fakes[1].setDown(true);
    f.logs.length = 0;
    await f.poll();
    const lines = f.logs.filter((l) => l.msg === 'poll cycle');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      fields: { servers: 2, polled: 1, failed: 1, skipped: 0, errors: 0, online: 1, offline: 1, wentOnline: [], wentOffline: ['bbb-2'], meetingsEnded: 1, durationMs: 0 },
    });
    expect(lines[0].fields.writes).toBeGreaterThan(0);
    expect(JSON.stringify(f.logs)).not.toContain(f.fakes[0].secret);
  });
});
