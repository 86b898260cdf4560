import { describe, expect, it } from 'vitest';
import { pollAll } from '../../shared/app/poll-servers.js';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-servers-disable');
const { slctl, seedServer, seedFakeServer, placeMeeting } = t;

describe('servers:disable', () => {
  const WARNING = [
    'WARNING: You are trying to disable a server with active load. You should use the cordon option if',
    '          you do not want to clear all the meetings',
  ];
  const PROMPT = 'If you still wish to continue please enter `yes`';

  /** An enabled fake server with two meetings, polled (in this process) so that its load is > 0. */
  async function loadedServer(): Promise<string> {
    const id = (await seedFakeServer()).id;
    await placeMeeting(id, 'm1', 'mp1');
    await placeMeeting(id, 'm2', 'mp2');
    await pollAll(t.stack.deps);
    expect((await t.stack.deps.store.servers.get(id))?.load).toBe(30);
    t.fake.clearRequests();
    return id;
  }

  const meetingIds = async (serverId: string) => (await t.stack.deps.store.meetings.listByServer(serverId, Date.now())).map((m) => m.meetingID).sort();

  it('disables a server without load at once', async () => {
    const { id } = await seedServer({ id: 'bbb1', state: 'enabled' });
    expect(await slctl(['servers:disable', id])).toEqual({ code: 0, stdout: `Disabling server ${id}...\nOK\n`, stderr: '' });
    expect((await t.stack.deps.store.servers.get(id))?.state).toBe('disabled');
  }, SPAWN_TIMEOUT * 3);

  it('with load: `yes` ends the meetings on the server and disables it', async () => {
    const id = await loadedServer();
    const r = await slctl(['servers:disable', id], { input: 'YES\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([`Disabling server ${id}...`, ...WARNING, PROMPT]);
    expect(lines.slice(4, 6).sort()).toEqual(['Clearing Meeting id=m1', 'Clearing Meeting id=m2']);
    expect(lines.slice(6)).toEqual(['OK', '']);

    const ends = t.fake.requestsFor('end').map((q) => ({ meetingID: q.params.meetingID, password: q.params.password, checksumValid: q.checksumValid }));
    expect(ends.sort((x, y) => x.meetingID.localeCompare(y.meetingID))).toEqual([
      { meetingID: 'm1', password: 'mp1', checksumValid: true },
      { meetingID: 'm2', password: 'mp2', checksumValid: true },
    ]);
    expect(t.fake.meetings.size).toBe(0);
    expect(await meetingIds(id)).toEqual([]);
    expect((await t.stack.deps.store.servers.get(id))?.state).toBe('disabled');
    expect((await slctl(['servers'])).stdout).toContain('\tdisabled\n\tload: unavailable\n');
  }, SPAWN_TIMEOUT * 8);

  it('with load: any other answer, or no answer at all, does nothing, says so and exits 1', async () => {
    const id = await loadedServer();
    for (const input of ['no\n', 'yes please\n', '']) {
      const r = await slctl(['servers:disable', id], { input });
      expect(r).toEqual({
        code: 1,
        stdout: listing([`Disabling server ${id}...`, ...WARNING, PROMPT]),
        stderr: `Nothing was done: server ${id} is still enabled and its meetings go on. Answer \`yes\` to go ahead, or pass --yes.\n`,
      });
    }
    expect(t.fake.requestsFor('end')).toEqual([]);
    expect(await meetingIds(id)).toEqual(['m1', 'm2']);
    expect((await t.stack.deps.store.servers.get(id))?.state).toBe('enabled');
  }, SPAWN_TIMEOUT * 8);

  it('with load: --yes skips the question', async () => {
    const id = await loadedServer();
    const r = await slctl(['servers:disable', id, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([`Disabling server ${id}...`, ...WARNING]);
    expect(lines.slice(3, 5).sort()).toEqual(['Clearing Meeting id=m1', 'Clearing Meeting id=m2']);
    expect(lines.slice(5)).toEqual(['OK', '']);
    expect(t.fake.requestsFor('end')).toHaveLength(2);
    expect((await t.stack.deps.store.servers.get(id))?.state).toBe('disabled');
  }, SPAWN_TIMEOUT * 8);

  it('warns on stderr when a meeting cannot be ended, and still disables', async () => {
    const { id } = await seedFakeServer();
    await placeMeeting(id, 'ghost', 'gp', false); // recorded by the balancer, unknown to BBB
    t.fake.addMeeting({ meetingID: 'busy', moderatorPW: 'bp' }); // gives the server a load
    await pollAll(t.stack.deps);
    expect((await t.stack.deps.store.servers.get(id))?.load).toBeGreaterThan(0);
    const r = await slctl(['servers:disable', id], { input: 'yes\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(listing([`Disabling server ${id}...`, ...WARNING, PROMPT, 'Clearing Meeting id=ghost', 'OK']));
    expect(r.stderr).toMatch(/^WARNING: Could not end meeting id=ghost: \S.*\n$/);
    expect(await meetingIds(id)).toEqual([]);
    expect((await t.stack.deps.store.servers.get(id))?.state).toBe('disabled');
  }, SPAWN_TIMEOUT * 6);
});

