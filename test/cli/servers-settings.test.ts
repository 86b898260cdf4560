import { describe, expect, it } from 'vitest';
import { pollAll } from '../../shared/app/poll-servers.js';
import { SPAWN_TIMEOUT, listing, until, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-servers-settings');
const { slctl, seedServer, seedFakeServer, placeMeeting } = t;
const stored = (id: string) => t.stack.deps.store.servers.get(id);
const WARNING = 'WARNING! Load-multiplier was not readable or 0, so it is now 1';
const unknown = (verb: string) => ({ code: 1, stdout: verb ? `${verb} server nope...\n` : '', stderr: 'ERROR: No server found with id: nope\n' });

describe('servers:update', () => {
  it('changes only what is given, in both call forms', async () => {
    await seedServer({ id: 's1', secret: 'old', loadMultiplier: 1.5, tag: 'a' });
    const ok = { code: 0, stdout: 'Updating server s1...\nOK\n', stderr: '' };

    expect(await slctl(['servers:update', 's1', 'new', '2', 'b'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ secret: 'new', loadMultiplier: 2, tag: 'b', state: 'disabled' });

    expect(await slctl(['servers:update', 's1'])).toEqual(ok); // nothing given: nothing changes
    expect(await stored('s1')).toMatchObject({ secret: 'new', loadMultiplier: 2, tag: 'b' });

    // rake form: empty secret and multiplier leave them; an empty tag removes the tag
    expect(await slctl(['servers:update[s1,,,]'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ secret: 'new', loadMultiplier: 2, tag: undefined });

    // a rake argument starting with a dash is a value, not a flag
    expect(await slctl(['servers:update[s1,-s3cr3t,3,--fast]'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ secret: '-s3cr3t', loadMultiplier: 3, tag: '--fast' });

    expect(await slctl(['servers:update', 's1', '', 'abc'])).toEqual({ ...ok, stdout: `Updating server s1...\n${WARNING}\nOK\n` });
    expect(await stored('s1')).toMatchObject({ secret: '-s3cr3t', loadMultiplier: 1, tag: '--fast' });

    expect(await slctl(['servers:update', 'nope', 'x'])).toEqual(unknown('Updating'));
  }, SPAWN_TIMEOUT * 6);

  it('refuses a negative multiplier before anything is printed or changed (exit 64)', async () => {
    await seedServer({ id: 's1', secret: 'old', loadMultiplier: 1.5 });
    for (const args of [['servers:update', 's1', '', '-5'], ['servers:update[s1,new,-5]']]) {
      expect(await slctl(args)).toEqual({ code: 64, stdout: '', stderr: 'Error: Load-multiplier must be a number greater than 0, not -5\n' });
    }
    expect(await stored('s1')).toMatchObject({ secret: 'old', loadMultiplier: 1.5 });
  }, SPAWN_TIMEOUT * 2);
});

describe('servers:cordon / servers:loadMultiplier / servers:tag', () => {
  it('cordons a server; unknown ids and other failures are one ERROR line', async () => {
    await seedServer({ id: 's1', state: 'enabled' });
    expect(await slctl(['servers:cordon', 's1'])).toEqual({ code: 0, stdout: 'Cordoning server s1...\nOK\n', stderr: '' });
    expect((await stored('s1'))?.state).toBe('cordoned');
    expect(await slctl(['servers:cordon[nope]'])).toEqual(unknown('Cordoning'));
    const down = await slctl(['servers:cordon', 's1', '--endpoint', 'http://127.0.0.1:9']);
    expect(down).toMatchObject({ code: 3, stdout: 'Cordoning server s1...\n' });
    expect(down.stderr).toMatch(/^ERROR: Failed to cordon server s1 - cannot reach DynamoDB \(.*\); check DYNAMODB_ENDPOINT \/ --endpoint\n$/);
  }, SPAWN_TIMEOUT * 3);

  it('sets the load multiplier: omitted → 1.0, unreadable or 0 → warning and 1.0', async () => {
    await seedServer({ id: 's1' });
    expect(await slctl(['servers:loadMultiplier', 's1', '2.5'])).toEqual({ code: 0, stdout: 'OK\n', stderr: '' });
    expect((await stored('s1'))?.loadMultiplier).toBe(2.5);
    expect(await slctl(['servers:loadMultiplier[s1]'])).toEqual({ code: 0, stdout: 'OK\n', stderr: '' });
    expect((await stored('s1'))?.loadMultiplier).toBe(1);
    await t.stack.deps.store.servers.updateConfig('s1', { loadMultiplier: 3 });
    expect(await slctl(['servers:loadMultiplier', 's1', '0'])).toEqual({ code: 0, stdout: `${WARNING}\nOK\n`, stderr: '' });
    expect((await stored('s1'))?.loadMultiplier).toBe(1);
    expect(await slctl(['servers:loadMultiplier', 'nope', '2'])).toEqual(unknown(''));
    expect(await slctl(['servers:loadMultiplier', 's1', '-3'])).toEqual({ code: 64, stdout: '', stderr: 'Error: Load-multiplier must be a number greater than 0, not -3\n' });
    expect((await stored('s1'))?.loadMultiplier).toBe(1);
  }, SPAWN_TIMEOUT * 5);

  it('sets and removes the tag', async () => {
    await seedServer({ id: 's1' });
    expect(await slctl(['servers:tag', 's1', 'fast'])).toEqual({ code: 0, stdout: 'OK\n', stderr: '' });
    expect((await stored('s1'))?.tag).toBe('fast');
    expect(await slctl(['servers:tag[s1, ]'])).toEqual({ code: 0, stdout: 'OK\n', stderr: '' });
    expect((await stored('s1'))?.tag).toBeUndefined();
    expect(await slctl(['servers:tag', 'nope', 'x'])).toEqual(unknown(''));
  }, SPAWN_TIMEOUT * 3);
});

describe('servers:panic', () => {
  const meetingIds = async (serverId: string) => (await t.stack.deps.store.meetings.listByServer(serverId, Date.now())).map((m) => m.meetingID).sort();
  const ends = () => t.fake.requestsFor('end').map((q) => `${q.params.meetingID}/${q.params.password}/${q.checksumValid}`).sort();

  it('clears every meeting of the server, ends them on BBB and disables the server', async () => {
    await seedFakeServer('bbb', {}, { online: true, load: 30 });
    await placeMeeting('bbb', 'm1', 'mp1');
    await placeMeeting('bbb', 'm2', 'mp2');
    await placeMeeting('bbb', 'ghost', 'gp', false); // the balancer's record only: BBB answers notFound
    const r = await slctl(['servers:panic', 'bbb']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Panicking server bbb...');
    expect(lines.slice(1, 4).sort()).toEqual(['Clearing Meeting id=ghost', 'Clearing Meeting id=m1', 'Clearing Meeting id=m2']);
    expect(lines.slice(4)).toEqual(['OK', '']);
    expect(r.stderr).toMatch(/^WARNING: Could not end meeting id=ghost: \S.*\n$/);
    expect(ends()).toEqual(['ghost/gp/true', 'm1/mp1/true', 'm2/mp2/true']);
    expect(t.fake.meetings.size).toBe(0);
    expect(await meetingIds('bbb')).toEqual([]);
    expect(await stored('bbb')).toMatchObject({ state: 'disabled', load: undefined });
  }, SPAWN_TIMEOUT);

  it('keeps the state when asked (true/yes or --keep-state), skips the end calls when asked', async () => {
    await seedFakeServer('bbb');
    await placeMeeting('bbb', 'm1', 'mp1');
    expect(await slctl(['servers:panic[bbb,true]'])).toEqual({ code: 0, stdout: listing(['Panicking server bbb...', 'Clearing Meeting id=m1', 'OK']), stderr: '' });
    expect(ends()).toEqual(['m1/mp1/true']);
    expect((await stored('bbb'))?.state).toBe('enabled');

    await placeMeeting('bbb', 'm2', 'mp2');
    t.fake.clearRequests();
    expect(await slctl(['servers:panic', 'bbb', '--keep-state', '--skip-end-calls'])).toEqual({ code: 0, stdout: listing(['Panicking server bbb...', 'Clearing Meeting id=m2', 'OK']), stderr: '' });
    expect(ends()).toEqual([]);
    expect(t.fake.meetings.has('m2')).toBe(true); // still running on BBB: only the record is gone
    expect(await meetingIds('bbb')).toEqual([]);
    expect((await stored('bbb'))?.state).toBe('enabled');

    // unlike Scalelite, `false` means false
    expect(await slctl(['servers:panic[bbb,false]'])).toEqual({ code: 0, stdout: listing(['Panicking server bbb...', 'OK']), stderr: '' });
    expect((await stored('bbb'))?.state).toBe('disabled');
    expect(await slctl(['servers:panic', 'nope'])).toEqual(unknown('Panicking'));
  }, SPAWN_TIMEOUT * 4);
});

describe('a poll cycle and servers:update at the same time', () => {
  it('lose neither change: the admin attributes and the poll attributes both survive', async () => {
    await seedFakeServer('bbb', { tag: 'old', loadMultiplier: 1 });
    t.fake.addMeeting({ meetingID: 'busy', moderatorPW: 'mp' });
    t.fake.addAttendee('busy', { fullName: 'Alice', role: 'MODERATOR' });
    t.fake.addAttendee('busy', { fullName: 'Bob', role: 'VIEWER' });
    const before = Date.now();

    // the fake BBB holds the cycle's getMeetings until the update has landed
    t.fake.hang(true);
    const deps = { ...t.stack.deps, config: { ...t.stack.deps.config, responseTimeoutMs: 60_000 } };
    const cycle = pollAll(deps);
    await until(() => t.fake.requestsFor('getMeetings').length === 1);
    expect(await slctl(['servers:update', 'bbb', 'new-secret', '2', 'new'])).toEqual({ code: 0, stdout: 'Updating server bbb...\nOK\n', stderr: '' });
    expect(await stored('bbb')).toMatchObject({ secret: 'new-secret', online: false, polledAt: undefined });
    t.fake.hang(false);
    expect(await cycle).toMatchObject({ servers: 1, online: 1, wentOnline: ['bbb'] });

    const server = await stored('bbb');
    expect(server).toMatchObject({
      // admin attributes from the update
      secret: 'new-secret',
      loadMultiplier: 2,
      tag: 'new',
      state: 'enabled',
      // poll attributes from the cycle (the load was computed with the multiplier the cycle read)
      online: true,
      meetings: 1,
      users: 2,
      largestMeeting: 2,
      load: 15,
      bbbVersion: '3.0.4',
    });
    expect(server?.polledAt).toBeGreaterThanOrEqual(before);
  }, SPAWN_TIMEOUT * 2);
});
