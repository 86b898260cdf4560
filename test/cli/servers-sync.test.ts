import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-servers-sync');
const { slctl, seedServer, seedFakeServer, placeMeeting } = t;
const store = () => t.stack.deps.store;
const dir = mkdtempSync(join(tmpdir(), 'slctl-sync-'));
let files = 0;

/** A YAML file in a temporary directory → its path. */
function yamlFile(text: string): string {
  const path = join(dir, `servers-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Every stored server and meeting, for "nothing changed" assertions. */
async function snapshot(): Promise<unknown> {
  const servers = await store().servers.list();
  const meetings = await Promise.all(servers.map((s) => store().meetings.listByServer(s.id, Date.now())));
  return { servers, meetings };
}

describe('servers:sync validation: Scalelite’s messages, exit 1 (64: a missing or invalid argument), nothing changed (more cases: cli/sync-file.test.ts)', () => {
  const cases: [string, string[], string | undefined, string, number?][] = [
    ['no path', ['servers:sync'], undefined, "ERROR: Missing 'path' parameter", 64],
    ['a file that does not exist', ['servers:sync', '-f', join(dir, 'missing.yaml')], undefined, `ERROR: ENOENT: no such file or directory, open '${join(dir, 'missing.yaml')}'`],
    ['a document that is not a mapping', ['servers:sync', '-'], '- a\n- b\n', 'ERROR: Invalid YAML document'],
    ['servers that are not a mapping', ['servers:sync', '-'], 'servers:\n  - a\n', 'ERROR: Servers parameter not a hash'],
    ['an unknown mode', ['servers:sync', '-', '--mode', 'wipe'], 'servers: {}\n', "ERROR: Unknown sync mode 'wipe' (choose: keep cordon force)", 64],
    ['an id with invalid characters', ['servers:sync[-]'], 'servers:\n  bbb/1:\n    secret: s\n', 'ERROR: Server id=bbb/1 contains invalid characters'],
    ['a server without secret', ['servers:sync', '-'], 'servers:\n  bbb1:\n    url: https://bbb1/bigbluebutton/api\n', 'ERROR: Server id=bbb1 has no secret'],
    ['unknown parameters', ['servers:sync', '-'], 'servers:\n  bbb1:\n    secret: s\n    foo: 1\n    load: 2\n    bar: x\n', 'ERROR: Server id=bbb1 has bad parameters: ["foo", "bar"]'],
    ['a load multiplier of 0', ['servers:sync', '-'], 'servers:\n  bbb1:\n    secret: s\n    load_multiplier: 0.0\n', 'ERROR: Server id=bbb1 has invalid load_multiplier=0.0'],
    ['a url that is not http(s)', ['servers:sync', '-'], 'servers:\n  bbb1:\n    secret: s\n    url: ftp://bbb1/bigbluebutton/api\n', 'ERROR: Server id=bbb1 has invalid url=ftp://bbb1/bigbluebutton/api'],
  ];

  it.each(cases)('%s', async (_name, args, input, message, code = 1) => {
    await seedServer({ id: 'existing', state: 'enabled' });
    const before = await snapshot();
    expect(await slctl(args, { input })).toEqual({ code, stdout: '', stderr: `${message}\n` });
    expect(await snapshot()).toEqual(before);
  }, SPAWN_TIMEOUT);

  it('a YAML syntax error, and an error in a later server: nothing of the file is applied', async () => {
    await seedServer({ id: 'existing', state: 'enabled' });
    const before = await snapshot();
    const broken = await slctl(['servers:sync', '-'], { input: 'servers:\n  bbb1: [\n' });
    expect(broken).toMatchObject({ code: 1, stdout: '' });
    expect(broken.stderr).toMatch(/^ERROR: Invalid YAML document \(.+\)\n$/);
    const late = yamlFile('servers:\n  existing:\n    secret: changed\n  bbb1:\n    secret: s\n  bbb2:\n    secret: s\n    enabled: true\n    weight: 3\n');
    expect(await slctl(['servers:sync', late])).toEqual({ code: 1, stdout: '', stderr: 'ERROR: Server id=bbb2 has bad parameters: ["weight"]\n' });
    expect(await snapshot()).toEqual(before);
  }, SPAWN_TIMEOUT * 2);
});

describe('servers:sync', () => {
  /**
   * keep-me: in the file, settings differ; new1: in the file, new; empty: not in the file, no meetings;
   * busy: not in the file, enabled, two meetings on the fake BBB and one the BBB does not know;
   * idle: not in the file, disabled, one meeting.
   */
  async function cluster(): Promise<string> {
    await seedServer({ id: 'keep-me', url: 'https://old.example.com/bigbluebutton/api', secret: 'old', state: 'disabled', loadMultiplier: 1, tag: 'gone' });
    await seedServer({ id: 'empty', state: 'enabled' });
    await seedFakeServer('busy', {}, { online: true, load: 30 });
    await placeMeeting('busy', 'b1', 'bp1');
    await placeMeeting('busy', 'b2', 'bp2');
    await placeMeeting('busy', 'b-ghost', 'gp', false);
    await seedFakeServer('idle', { state: 'disabled' });
    await placeMeeting('idle', 'i1', 'ip1');
    return [
      'servers:',
      '  keep-me:',
      '    url: https://new.example.com/bigbluebutton/api',
      '    secret: new',
      '    load_multiplier: 2',
      '    tag: fast',
      '  new1.example.com:',
      '    secret: 0123', // taken as written (Psych would read the octal number 83)
      '    enabled: no',
      '',
    ].join('\n');
  }
  const updateLines = [
    '[keep-me] Server updated: url=https://new.example.com/bigbluebutton/api',
    '[keep-me] Server updated: secret=*****',
    '[keep-me] Server updated: load_multiplier=2.0',
    '[keep-me] Server updated: tag=fast',
    '[keep-me] Server enabled',
    '[new1.example.com] Server created',
  ];
  const ends = () => t.fake.requestsFor('end').map((q) => `${q.params.meetingID}/${q.params.password}`).sort();
  const meetingIds = async (id: string) => (await store().meetings.listByServer(id, Date.now())).map((m) => m.meetingID).sort();

  async function expectFileApplied(): Promise<void> {
    expect(await store().servers.get('keep-me')).toMatchObject({ url: 'https://new.example.com/bigbluebutton/api', secret: 'new', loadMultiplier: 2, tag: 'fast', state: 'enabled' });
    expect(await store().servers.get('new1.example.com')).toMatchObject({ url: 'https://new1.example.com/bigbluebutton/api', secret: '0123', loadMultiplier: 1, state: 'disabled', online: false });
  }

  it('dry run (rake form, stdin, force): prints the whole plan and changes nothing, calls no BBB server', async () => {
    const input = await cluster();
    const before = await snapshot();
    const r = await slctl(['servers:sync[-,force,yes]'], { input });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual(['Dry run: nothing is changed.', ...updateLines]);
    // servers not in the file, in id order; the meetings of a server in any order
    expect(lines.slice(7, 10)).toEqual(['[busy] Server not empty. Cordoned for removal', '[busy] Server not empty. Ending meetings now...', expect.stringMatching(/^\[busy\] Try to end meeting id=/)]);
    expect(lines.slice(9, 12).sort()).toEqual(['[busy] Try to end meeting id=b-ghost', '[busy] Try to end meeting id=b1', '[busy] Try to end meeting id=b2']);
    expect(lines.slice(12)).toEqual([
      '[busy] Server removed',
      '[empty] Server removed',
      '[idle] Server not empty. Ending meetings now...',
      '[idle] Try to end meeting id=i1',
      '[idle] Server removed',
      '',
    ]);
    expect(await snapshot()).toEqual(before);
    expect(t.fake.requests).toEqual([]);
    expect(await slctl(['servers:sync', '-f', '-', '--dry-run', '--mode', 'keep'], { input })).toEqual({
      code: 0,
      stderr: '',
      stdout: listing(['Dry run: nothing is changed.', ...updateLines, '[busy] Server not removed', '[empty] Server not removed', '[idle] Server not removed']),
    });
    expect(await snapshot()).toEqual(before);
  }, SPAWN_TIMEOUT * 2);

  it('keep: applies the file and leaves the other servers alone', async () => {
    const path = yamlFile(await cluster());
    expect(await slctl(['servers:sync', '-f', path, '--mode', 'keep'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([...updateLines, '[busy] Server not removed', '[empty] Server not removed', '[idle] Server not removed']),
    });
    await expectFileApplied();
    expect((await store().servers.list()).map((s) => s.id).sort()).toEqual(['busy', 'empty', 'idle', 'keep-me', 'new1.example.com']);
    expect((await store().servers.get('busy'))?.state).toBe('enabled');
  }, SPAWN_TIMEOUT);

  it('cordon (default): removes the empty servers, cordons the busy enabled ones, keeps their meetings', async () => {
    const path = yamlFile(await cluster());
    expect(await slctl(['servers:sync', path])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([...updateLines, '[busy] Server not empty. Cordoned for removal', '[empty] Server removed']),
    });
    await expectFileApplied();
    expect(await store().servers.get('empty')).toBeUndefined();
    expect(await store().servers.get('busy')).toMatchObject({ state: 'cordoned', load: 30 });
    expect((await store().servers.get('idle'))?.state).toBe('disabled');
    expect(await meetingIds('busy')).toEqual(['b-ghost', 'b1', 'b2']);
    expect(await meetingIds('idle')).toEqual(['i1']);
    expect(t.fake.requestsFor('end')).toEqual([]);
  }, SPAWN_TIMEOUT);

  it('force: really ends the meetings of the removed servers on BBB, then removes them', async () => {
    const path = yamlFile(await cluster());
    const r = await slctl(['servers:sync', '--file', path, '--mode', 'force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\[busy\] Failed to end meeting id=b-ghost: \S.*\n$/); // BBB: notFound
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 8)).toEqual([...updateLines, '[busy] Server not empty. Cordoned for removal', '[busy] Server not empty. Ending meetings now...']);
    expect(lines.slice(8, 11).sort()).toEqual(['[busy] Try to end meeting id=b-ghost', '[busy] Try to end meeting id=b1', '[busy] Try to end meeting id=b2']);
    expect(lines.slice(11)).toEqual(['[busy] Server removed', '[empty] Server removed', '[idle] Server not empty. Ending meetings now...', '[idle] Try to end meeting id=i1', '[idle] Server removed', '']);
    await expectFileApplied();
    expect(ends()).toEqual(['b-ghost/gp', 'b1/bp1', 'b2/bp2', 'i1/ip1']);
    expect(t.fake.meetings.size).toBe(0);
    expect((await store().servers.list()).map((s) => s.id).sort()).toEqual(['keep-me', 'new1.example.com']);
    expect(await meetingIds('busy')).toEqual([]);
    expect(await meetingIds('idle')).toEqual([]);
  }, SPAWN_TIMEOUT);
});

describe('servers:yaml', () => {
  it('prints the servers in the sync format (1.0 for an unset multiplier), and --verbose adds the poll state', async () => {
    await seedServer({ id: 'bbb1', url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's1', state: 'enabled', loadMultiplier: 2.5, tag: 'fast' }, { online: true, load: 21, bbbVersion: '3.0.4' });
    await seedServer({ id: 'bbb2', url: 'https://bbb2.example.com/bigbluebutton/api', secret: '0123', state: 'cordoned' }); // no multiplier stored
    const plain = [
      '---',
      'servers:',
      '  bbb1:',
      '    url: https://bbb1.example.com/bigbluebutton/api',
      '    secret: s1',
      '    load_multiplier: 2.5',
      '    tag: fast',
      '    enabled: true',
      '  bbb2:',
      '    url: https://bbb2.example.com/bigbluebutton/api',
      "    secret: '0123'",
      '    load_multiplier: 1.0',
      "    tag: ''",
      '    enabled: false',
    ];
    expect(await slctl(['servers:yaml'])).toEqual({ code: 0, stderr: '', stdout: listing(plain) });
    const verbose = await slctl(['servers:yaml', '--verbose']);
    expect(verbose).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        ...plain.slice(0, 8),
        '    state: enabled',
        '    load: 21.0',
        '    bbb_version: 3.0.4',
        '    online: true',
        ...plain.slice(8),
        '    state: cordoned',
        '    load: -1.0',
        "    bbb_version: ''",
        '    online: false',
      ]),
    });
    expect(await slctl(['servers:yaml[true]'])).toEqual(verbose);
  }, SPAWN_TIMEOUT * 3);

  it('round trip: what servers:yaml prints (plain or verbose) syncs back without any change', async () => {
    await seedServer({ id: 'bbb1', secret: 'a: b # not a comment', state: 'enabled', loadMultiplier: 1.5, tag: 'yes' }, { online: true, load: 3 });
    await seedServer({ id: 'bbb2.example.com', secret: 'true', state: 'cordoned' });
    await seedServer({ id: '007', url: 'http://10.0.0.7:8080/bigbluebutton/api/', secret: "it's", state: 'disabled', tag: '1.5' });
    const before = await snapshot();
    for (const args of [['servers:yaml'], ['servers:yaml', '--verbose']]) {
      const dumped = await slctl(args);
      expect(dumped.code).toBe(0);
      expect(await slctl(['servers:sync', '-', 'force'], { input: dumped.stdout })).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(await snapshot()).toEqual(before);
    }
  }, SPAWN_TIMEOUT * 4);
});

describe('servers:addAll (deprecated)', () => {
  it('adds each server of the list, disabled; a problem stops it with a message and exit 0', async () => {
    const path = yamlFile('servers:\n  - url: https://a.example.com/bigbluebutton/api\n    secret: sa\n  - url: https://b.example.com/bigbluebutton/api\n    secret: sb\n');
    const r = await slctl(['servers:addAll', path], { env: { SERVER_ID_IS_HOSTNAME: 'true' } });
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: listing(['server: https://a.example.com/bigbluebutton/api', 'id: a.example.com', 'server: https://b.example.com/bigbluebutton/api', 'id: b.example.com']),
    });
    expect(await store().servers.get('b.example.com')).toMatchObject({ secret: 'sb', state: 'disabled', online: false });
    const bad = await slctl(['servers:addAll[-]'], { input: 'servers:\n  - url: https://c.example.com/bigbluebutton/api\n    secret: sc\n  - url: c2.example.com\n    secret: x\n' });
    expect(bad).toMatchObject({ code: 0, stderr: 'Error: Server URL must start with http:// or https://\n' });
    expect(bad.stdout).toMatch(/^server: https:\/\/c\.example\.com\/bigbluebutton\/api\nid: [0-9a-f-]{36}\n$/);
  }, SPAWN_TIMEOUT * 2);
});

describe('help', () => {
  it('lists every task and describes servers:sync', async () => {
    const root = await slctl(['--help']);
    expect(root.code).toBe(0);
    const tasks = [
      'servers', 'servers:add', 'servers:remove', 'servers:enable', 'servers:disable', 'servers:update', 'servers:cordon', 'servers:loadMultiplier',
      'servers:tag', 'servers:panic', 'servers:sync', 'servers:yaml', 'servers:addAll', 'servers:meeting_list', 'poll:all', 'status',
      'meetings:list', 'meetings:end', 'meetings:info', 'completion',
    ];
    for (const task of tasks) expect(root.stdout).toMatch(new RegExp(`^ +slctl ${task}( |$)`, 'm'));
    expect(root.stdout).toContain('[aliases: meetings]');
    const sync = await slctl(['servers:sync', '--help']);
    expect(sync.code).toBe(0);
    for (const text of ['-f, --file', '--mode', '--dry-run', 'keep | cordon | force', "'servers:sync[servers.yaml,force]'"]) expect(sync.stdout).toContain(text);
  }, SPAWN_TIMEOUT * 2);
});
