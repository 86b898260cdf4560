import { describe, expect, it } from 'vitest';
import { SPAWN_TIMEOUT, UUID_V4, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-servers-add');
const { slctl, addServer, seedServer } = t;

describe('servers:add', () => {
  it('adds a disabled, offline server with a UUID id and prints OK and the id', async () => {
    const r = await slctl(['servers:add', 'https://bbb1.example.com/bigbluebutton/api', 's3cr3t']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const match = /^OK\nid: (.+)\n$/.exec(r.stdout);
    expect(match, r.stdout).not.toBeNull();
    const id = match![1];
    expect(id).toMatch(UUID_V4);
    const s = await t.stack.deps.store.servers.get(id);
    expect(s).toMatchObject({ url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's3cr3t', state: 'disabled', online: false, loadMultiplier: 1 });
    expect(s?.tag).toBeUndefined();
    expect(s?.load).toBeUndefined();
  }, SPAWN_TIMEOUT);

  it('takes a load multiplier and a tag, in the plain and in the rake call form', async () => {
    const plain = await addServer(['https://bbb1.example.com/bigbluebutton/api', '0123', '2', 'fast']);
    const r = await slctl(['servers:add[https://bbb2.example.com/bigbluebutton/api,s2,2.5,slow]']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^OK\nid: [0-9a-f-]{36}\n$/);
    const rakeId = /^id: (.+)$/m.exec(r.stdout)![1];
    expect(await t.stack.deps.store.servers.get(plain)).toMatchObject({ secret: '0123', loadMultiplier: 2, tag: 'fast' });
    expect(await t.stack.deps.store.servers.get(rakeId)).toMatchObject({ url: 'https://bbb2.example.com/bigbluebutton/api', secret: 's2', loadMultiplier: 2.5, tag: 'slow' });
  }, SPAWN_TIMEOUT * 2);

  it('takes a secret that starts with a dash after --', async () => {
    const id = await addServer(['https://bbb3.example.com/bigbluebutton/api', '--', '-s3cr3t', '3']);
    expect(await t.stack.deps.store.servers.get(id)).toMatchObject({ secret: '-s3cr3t', loadMultiplier: 3 });
  }, SPAWN_TIMEOUT);

  it('requires a URL and a secret (a usage error: exit 64)', async () => {
    for (const args of [['servers:add'], ['servers:add', 'https://bbb1.example.com/bigbluebutton/api'], ['servers:add[https://bbb1.example.com/bigbluebutton/api]']]) {
      expect(await slctl(args)).toEqual({ code: 64, stdout: '', stderr: 'Error: Please input at least a URL and a secret!\n' });
    }
    expect(await t.stack.deps.store.servers.list()).toEqual([]);
  }, SPAWN_TIMEOUT * 3);

  it('requires an http:// or https:// URL', async () => {
    for (const url of ['ftp://bbb1.example.com/bigbluebutton/api', 'bbb1.example.com', 'HTTPS://bbb1.example.com']) {
      expect(await slctl(['servers:add', url, 'secret'])).toEqual({ code: 64, stdout: '', stderr: 'Error: Server URL must start with http:// or https://\n' });
    }
    expect(await t.stack.deps.store.servers.list()).toEqual([]);
  }, SPAWN_TIMEOUT * 3);

  it('refuses a URL the poller could never call: white space, no host, a query or fragment', async () => {
    for (const url of ['http://bbb 1.example.com/bigbluebutton/api', 'https://bbb1.example.com/bigbluebutton/api ', 'http://', 'https:///bigbluebutton/api']) {
      expect(await slctl(['servers:add', url, 'secret'])).toEqual({
        code: 64,
        stdout: '',
        stderr: `Error: Server URL is not a valid URL: '${url}' (expected e.g. https://bbb1.example.com/bigbluebutton/api)\n`,
      });
    }
    for (const url of ['https://bbb1.example.com/bigbluebutton/api?x=1', 'https://bbb1.example.com/bigbluebutton/api#top']) {
      expect(await slctl(['servers:add', url, 'secret'])).toEqual({
        code: 64,
        stdout: '',
        stderr: `Error: Server URL must not have a query or fragment: '${url}' (expected e.g. https://bbb1.example.com/bigbluebutton/api)\n`,
      });
    }
    expect(await t.stack.deps.store.servers.list()).toEqual([]);
  }, SPAWN_TIMEOUT * 6);

  it('warns about a URL whose path is not /bigbluebutton/api, and adds the server', async () => {
    const r = await slctl(['servers:add', 'http://127.0.0.1:8090', 'secret']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK\nid: [0-9a-f-]{36}\n$/);
    expect(r.stderr).toBe('WARNING: Server URL http://127.0.0.1:8090 does not end in /bigbluebutton/api, where BigBlueButton serves its API (e.g. http://127.0.0.1:8090/bigbluebutton/api)\n');
    for (const url of ['https://bbb1.example.com/bigbluebutton/api/', 'https://proxy.example.com/bbb1/bigbluebutton/api']) {
      expect(await slctl(['servers:add', url, 'secret'])).toMatchObject({ code: 0, stderr: '' });
    }
    expect(await t.stack.deps.store.servers.list()).toHaveLength(3);
  }, SPAWN_TIMEOUT * 3);

  it('refuses a negative load multiplier (servers:sync would refuse the servers:yaml output)', async () => {
    for (const args of [['servers:add', 'https://bbb1.example.com/bigbluebutton/api', 'secret', '-2'], ['servers:add[https://bbb1.example.com/bigbluebutton/api,secret,-0.5,fast]']]) {
      const r = await slctl(args);
      expect(r).toMatchObject({ code: 64, stdout: '' });
      expect(r.stderr).toMatch(/^Error: Load-multiplier must be a number greater than 0, not -(2|0\.5)\n$/);
    }
    expect(await t.stack.deps.store.servers.list()).toEqual([]);
  }, SPAWN_TIMEOUT * 2);

  it('warns and uses 1 for an unreadable or zero load multiplier', async () => {
    for (const multiplier of ['abc', '0', '0.0']) {
      const r = await slctl(['servers:add', 'https://bbb1.example.com/bigbluebutton/api', 'secret', multiplier]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^WARNING! Load-multiplier was not readable or 0, so it is now 1\nOK\nid: [0-9a-f-]{36}\n$/);
      const id = /^id: (.+)$/m.exec(r.stdout)![1];
      expect((await t.stack.deps.store.servers.get(id))?.loadMultiplier).toBe(1);
    }
  }, SPAWN_TIMEOUT * 3);

  it('uses the lower-cased host as id with SERVER_ID_IS_HOSTNAME=true and refuses a duplicate', async () => {
    const env = { SERVER_ID_IS_HOSTNAME: 'true' };
    const r = await slctl(['servers:add', 'https://BBB1.Example.com/bigbluebutton/api', 'secret'], { env });
    expect(r).toEqual({ code: 0, stdout: 'OK\nid: bbb1.example.com\n', stderr: '' });
    const again = await slctl(['servers:add', 'https://bbb1.example.com:8443/bigbluebutton/api', 'other'], { env });
    expect(again).toEqual({ code: 1, stdout: '', stderr: "Error: Server already exists with id 'bbb1.example.com'\n" });
    expect(await t.stack.deps.store.servers.get('bbb1.example.com')).toMatchObject({ secret: 'secret' });
  }, SPAWN_TIMEOUT * 2);
});


describe('help', () => {
  it('lists the tasks and describes their arguments', async () => {
    const root = await slctl(['--help']);
    expect(root.code).toBe(0);
    for (const task of ['servers ', 'servers:add [URL] [SECRET]', 'servers:remove <ID>', 'servers:enable <ID>', 'servers:disable <ID>', 'poll:all']) {
      expect(root.stdout).toContain(`slctl ${task}`);
    }
    const add = await slctl(['servers:add', '--help']);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/URL +BBB API URL/);
    expect(add.stdout).toMatch(/LOAD_MULTIPLIER +Load multiplier/);
  }, SPAWN_TIMEOUT * 2);
});

describe('servers:enable / servers:remove', () => {
  it('enables a server', async () => {
    const { id } = await seedServer({ id: 'bbb1' });
    expect(await slctl(['servers:enable', id])).toEqual({ code: 0, stdout: `Enabling server ${id}...\nOK\n`, stderr: '' });
    expect(await t.stack.deps.store.servers.get(id)).toMatchObject({ state: 'enabled', online: false });
  }, SPAWN_TIMEOUT * 2);

  it('removes a server', async () => {
    const { id } = await seedServer({ id: 'bbb1' });
    expect(await slctl([`servers:remove[${id}]`])).toEqual({ code: 0, stdout: `Removing server ${id}...\nOK\n`, stderr: '' });
    expect(await t.stack.deps.store.servers.get(id)).toBeUndefined();
  }, SPAWN_TIMEOUT * 2);

  it('reports an unknown id with exit 1', async () => {
    for (const [task, verb] of [['servers:enable', 'Enabling'], ['servers:remove', 'Removing'], ['servers:disable', 'Disabling']]) {
      expect(await slctl([task, 'nope'])).toEqual({ code: 1, stdout: `${verb} server nope...\n`, stderr: 'ERROR: No server found with id: nope\n' });
    }
  }, SPAWN_TIMEOUT * 3);
});


describe('failures are one sentence, never a stack trace', () => {
  it('an unreachable DynamoDB endpoint', async () => {
    for (const args of [['servers', '--endpoint', 'http://127.0.0.1:9'], ['servers:enable', 'x', '--endpoint', 'http://127.0.0.1:9']]) {
      const r = await slctl(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^ERROR: cannot reach DynamoDB \(.*\); check DYNAMODB_ENDPOINT \/ --endpoint\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, SPAWN_TIMEOUT * 2);

  it('a missing table', async () => {
    const r = await slctl(['servers', '--table', 'no-such-table']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ERROR: the DynamoDB table does not exist \(.*\)\n$/);
  }, SPAWN_TIMEOUT);
});
