import { describe, expect, it } from 'vitest';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-servers-list');
const { slctl, addServer, seedServer, seedFakeServer, placeMeeting } = t;
/** the fake BBB's answer to a wrong checksum, as BBB words it */
const checksumMessage = 'Checksums do not match';

describe('servers (listing)', () => {
  it('says that no servers are configured on stderr, exit 0', async () => {
    expect(await slctl(['servers'])).toEqual({ code: 0, stdout: '', stderr: 'No servers are configured\n' });
    expect(await slctl(['servers', '--json'])).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  }, SPAWN_TIMEOUT * 2);

  it('prints each server in the rake format', async () => {
    const id = await addServer(['https://bbb1.example.com/bigbluebutton/api', 's3cr3t', '2', 'fast']);
    const r = await slctl(['servers']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        `id: ${id}`,
        '\turl: https://bbb1.example.com/bigbluebutton/api',
        '\tsecret: s3cr3t',
        '\tdisabled',
        '\tload: unavailable',
        '\tload multiplier: 2.0',
        '\tbbb version: ',
        '\ttag: fast',
        '\toffline',
      ]),
    });
  }, SPAWN_TIMEOUT * 2);

  it('shows a polled server online, with a load only once it is enabled', async () => {
    const id = await addServer([t.fake.url, t.fake.secret]);
    const block = (state: string, load: string, online: string) =>
      listing([`id: ${id}`, `\turl: ${t.fake.url}`, `\tsecret: ${t.fake.secret}`, `\t${state}`, `\tload: ${load}`, '\tload multiplier: 1.0', `\tbbb version: ${online === 'online' ? '3.0.4' : ''}`, '\ttag: ', `\t${online}`]);

    expect((await slctl(['servers'])).stdout).toBe(block('disabled', 'unavailable', 'offline'));
    expect(await slctl(['poll:all'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(t.fake.requestsFor('getMeetings')).toHaveLength(1);
    expect((await slctl(['servers'])).stdout).toBe(block('disabled', 'unavailable', 'online'));

    expect(await slctl(['servers:enable', id])).toEqual({ code: 0, stdout: `Enabling server ${id}...\nOK\n`, stderr: '' });
    // enabling does not make up a load: the server is used after its next successful poll
    expect((await slctl(['servers'])).stdout).toBe(block('enabled', 'unavailable', 'online'));
    await slctl(['poll:all']);
    expect((await slctl(['servers'])).stdout).toBe(block('enabled', '0.0', 'online'));

    await placeMeeting(id, 'm1', 'mp1');
    await slctl(['poll:all']);
    expect((await slctl(['servers'])).stdout).toBe(block('enabled', '15.0', 'online')); // LOAD_MIN_USER_COUNT for a new meeting
  }, SPAWN_TIMEOUT * 8);

  it('prints a JSON array with --json', async () => {
    const a = await addServer(['https://bbb1.example.com/bigbluebutton/api', 's1', '1.5', 'fast']);
    const b = await addServer(['https://bbb2.example.com/bigbluebutton/api', 's2']);
    const r = await slctl(['servers', '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const servers = JSON.parse(r.stdout) as Record<string, unknown>[];
    const byId = new Map(servers.map((s) => [s.id, s]));
    expect(servers).toHaveLength(2);
    expect(byId.get(a)).toEqual({
      id: a, url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's1', state: 'disabled', online: false, load: null,
      loadMultiplier: 1.5, tag: 'fast', capacity: null, bbbVersion: null, meetings: 0, users: 0, largestMeeting: 0, videos: 0, polledAt: null, pollError: null,
    });
    expect(byId.get(b)).toMatchObject({ id: b, secret: 's2', loadMultiplier: 1, tag: null });
  }, SPAWN_TIMEOUT * 3);
});


describe('poll:all', () => {
  it('prints nothing; --verbose prints the report as JSON on stderr', async () => {
    await seedFakeServer();
    expect(await slctl(['poll:all'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const r = await slctl(['poll:all', '--verbose']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(JSON.parse(r.stderr)).toMatchObject({ servers: 1, online: 1, offline: 0 });
  }, SPAWN_TIMEOUT * 4);

  it('takes a server that stopped answering offline', async () => {
    const { id } = await seedFakeServer();
    await slctl(['poll:all']);
    expect((await t.stack.deps.store.servers.get(id))?.online).toBe(true);
    t.fake.setDown(true);
    await slctl(['poll:all']);
    await slctl(['poll:all']); // SERVER_UNHEALTHY_THRESHOLD = 2
    expect((await slctl(['servers'])).stdout).toContain('\tenabled\n\tload: unavailable\n');
    expect((await slctl(['servers'])).stdout).toMatch(/\toffline\n$/);
  }, SPAWN_TIMEOUT * 8);

  it('names each server that fails its poll on stderr, with the reason and what to check; exit 0', async () => {
    await seedFakeServer('good');
    await seedFakeServer('wrong-secret', { secret: 'not-the-secret' });
    await seedServer({ id: 'nobody-home', url: 'http://127.0.0.1:9/bigbluebutton/api', state: 'enabled' });
    const r = await slctl(['poll:all']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^Server id=nobody-home \(http:\/\/127\.0\.0\.1:9\/bigbluebutton\/api\) failed the poll: refused: .*ECONNREFUSED.* \(nothing listens there: is BBB running, is the port in the URL right\?\)$/),
      `Server id=wrong-secret (${t.fake.url}) failed the poll: checksumError: ${checksumMessage} (the server's secret is not the one stored: slctl servers:update wrong-secret SECRET, with the secret bbb-conf --secret prints on it)`,
      '',
    ]);
    expect((await t.stack.deps.store.servers.get('wrong-secret'))?.pollError).toBe(`checksumError: ${checksumMessage}`);
    expect((await t.stack.deps.store.servers.get('good'))?.pollError).toBeUndefined();
  }, SPAWN_TIMEOUT * 2);
});

