import { describe, expect, it } from 'vitest';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-meetings-status');
const { slctl, seedServer, seedFakeServer, placeMeeting } = t;
const DEAD_URL = 'http://127.0.0.1:9/bigbluebutton/api'; // connection refused
const meetingIds = async (serverId: string) => (await t.stack.deps.store.meetings.listByServer(serverId, Date.now())).map((m) => m.meetingID).sort();

describe('status', () => {
  it("prints Scalelite's table, sorted by host name, with the server id last, and --json", async () => {
    const polledAt = Date.now();
    await seedServer({ id: 'bbb-2', url: 'https://bbb-2.example.com/bigbluebutton/api', state: 'cordoned' }, { online: false, bbbVersion: '3.0.0', polledAt });
    await seedServer({ id: 'bbb-1', url: 'https://bbb-1.example.com/bigbluebutton/api', state: 'enabled', tag: 'test' }, {
      online: true, load: 3, meetings: 1, users: 2, largestMeeting: 2, videos: 0, bbbVersion: '3.0.0', polledAt,
    });
    await seedServer({ id: 'new', url: 'http://10.0.0.9:8080/bigbluebutton/api', state: 'disabled' }); // never polled
    expect(await slctl(['status'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        '',
        '     HOSTNAME        STATE    STATUS   MEETINGS  USERS  LARGEST MEETING  VIDEOS  LOAD  BBB VERSION  TAG    ID   ',
        ' 10.0.0.9           disabled  offline                                                                     new   ',
        ' bbb-1.example.com  enabled   online          1      2                2       0   3.0  3.0.0        test  bbb-1 ',
        ' bbb-2.example.com  cordoned  offline         0      0                0       0        3.0.0              bbb-2 ',
      ]),
    });
    const json = await slctl(['status', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual([
      { id: 'new', hostname: '10.0.0.9', state: 'disabled', status: 'offline', meetings: null, users: null, largestMeeting: null, videos: null, load: null, bbbVersion: null, tag: null, capacity: null, pollError: null },
      { id: 'bbb-1', hostname: 'bbb-1.example.com', state: 'enabled', status: 'online', meetings: 1, users: 2, largestMeeting: 2, videos: 0, load: 3, bbbVersion: '3.0.0', tag: 'test', capacity: null, pollError: null },
      { id: 'bbb-2', hostname: 'bbb-2.example.com', state: 'cordoned', status: 'offline', meetings: 0, users: 0, largestMeeting: 0, videos: 0, load: null, bbbVersion: '3.0.0', tag: null, capacity: null, pollError: null },
    ]);
  }, SPAWN_TIMEOUT * 2);

  it('tells servers on one host apart by id, and says on stderr why each failing server failed its last poll', async () => {
    await seedFakeServer('fake');
    await seedServer({ id: 'dead', url: DEAD_URL, state: 'enabled' });
    await seedFakeServer('bad-secret', { secret: 'wrong' });
    expect((await slctl(['poll:all'])).code).toBe(0);
    const r = await slctl(['status']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').slice(2, -1);
    // every row is 127.0.0.1: the ID column tells them apart (same order as the hosts are equal: by id)
    expect(rows.map((row) => row.trim().split(/\s+/))).toEqual([
      ['127.0.0.1', 'enabled', 'offline', 'bad-secret'],
      ['127.0.0.1', 'enabled', 'offline', 'dead'],
      ['127.0.0.1', 'enabled', 'online', '0', '0', '0', '0', '0.0', expect.any(String), 'fake'],
    ]);
    expect(r.stderr.split('\n')).toEqual([
      '',
      expect.stringMatching(/^Server id=bad-secret offline: checksumError: Checksums do not match \(the server's secret is not the one stored: slctl servers:update bad-secret SECRET, /),
      expect.stringMatching(/^Server id=dead offline: refused: connect ECONNREFUSED 127\.0\.0\.1:9 \(nothing listens there: /),
      '',
    ]);
    const json = JSON.parse((await slctl(['status', '--json'])).stdout) as { id: string; pollError: string | null }[];
    expect(json.map((s) => [s.id, s.pollError?.split(':')[0] ?? null])).toEqual([['bad-secret', 'checksumError'], ['dead', 'refused'], ['fake', null]]);
  }, SPAWN_TIMEOUT * 3);
});

describe('servers:meeting_list', () => {
  it('lists, per server, the names of the meetings it runs; failures on stderr', async () => {
    await seedFakeServer('fake');
    await seedServer({ id: 'dead', url: DEAD_URL, state: 'enabled' });
    t.fake.addMeeting({ meetingID: 'm1', meetingName: 'Maths' });
    t.fake.addMeeting({ meetingID: 'm2', meetingName: 'Physics' });
    const r = await slctl(['servers:meeting_list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(listing(['', 'Server ID: dead', `Server Url: ${DEAD_URL}`, '', 'Server ID: fake', `Server Url: ${t.fake.url}`, 'MeetingIDs: ', '\tMaths', '\tPhysics']));
    expect(r.stderr).toMatch(/^Failed to get server id=dead status: \S.*\n$/);

    const json = await slctl(['servers:meeting_list', 'fake:dead', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { id: 'fake', url: t.fake.url, meetings: [{ meetingID: 'm1', meetingName: 'Maths' }, { meetingID: 'm2', meetingName: 'Physics' }], error: null },
      { id: 'dead', url: DEAD_URL, meetings: null, error: expect.stringMatching(/^Failed to get server id=dead status: /) },
    ]);

    t.fake.reset();
    expect(await slctl(['servers:meeting_list[fake]'])).toEqual({
      code: 0,
      stdout: listing(['', 'Server ID: fake', `Server Url: ${t.fake.url}`, 'MeetingIDs: ', '\t']),
      stderr: '\tNo meetings to display\n',
    });
    expect(await slctl(['servers:meeting_list', 'fake:nope'])).toEqual({ code: 1, stdout: '', stderr: 'ERROR: No server found with id: nope\n' });
    expect(t.fake.requests).toHaveLength(1); // the unknown id stopped the task before any call
  }, SPAWN_TIMEOUT * 4);
});

describe('meetings:list / meetings', () => {
  it('asks each meeting’s server and prints the meeting with its server', async () => {
    await seedFakeServer('fake');
    await seedServer({ id: 'dead', url: DEAD_URL, state: 'enabled' });
    await placeMeeting('fake', 'm2', 'mp2');
    await placeMeeting('fake', 'm1', 'mp1');
    await placeMeeting('dead', 'd1', 'dp1', false);
    const block = (id: string) => ['', `MeetingID: ${id}`, '\tServer ID: fake', `\tServer Url: ${t.fake.url}`];

    const all = await slctl(['meetings:list']);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe(listing([...block('m1'), ...block('m2')]));
    expect(all.stderr).toMatch(/^Failed to get meeting id=d1 status: \S.*\n$/);

    expect(await slctl(['meetings', 'm2'])).toEqual({ code: 0, stdout: listing(block('m2')), stderr: '' });
    expect(await slctl(['meetings:list[m1:nope]'])).toEqual({ code: 1, stdout: '', stderr: 'ERROR: No meeting found with id: nope\n' });

    const json = await slctl(['meetings:list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { meetingID: 'd1', serverId: 'dead', serverUrl: DEAD_URL, meetingName: null, running: null, participantCount: null, error: expect.stringMatching(/^Failed to get meeting id=d1 status: /) },
      { meetingID: 'm1', serverId: 'fake', serverUrl: t.fake.url, meetingName: 'm1', running: false, participantCount: 0, error: null },
      { meetingID: 'm2', serverId: 'fake', serverUrl: t.fake.url, meetingName: 'm2', running: false, participantCount: 0, error: null },
    ]);
  }, SPAWN_TIMEOUT * 4);
});

describe('meetings:info', () => {
  it('prints what the server reports, in Scalelite’s layout', async () => {
    await seedFakeServer('fake');
    const m = t.fake.addMeeting({
      meetingID: 'm1',
      meetingName: 'Maths 101',
      moderatorPW: 'mp1',
      metadata: { 'bbb-origin': 'Greenlight', 'bbb-context-name': 'Course 1', 'bbb-recording-tags': 'a,b' },
    });
    t.fake.addAttendee('m1', { fullName: 'Alice', role: 'MODERATOR' });
    await placeMeeting('fake', 'm1', 'mp1', false);
    expect(await slctl(['meetings:info', 'm1'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        '',
        'Meeting ID: m1',
        '\tMeeting Name: Maths 101',
        `\tInternal MeetingID: ${m.internalMeetingID}`,
        `\tCreated Date: ${m.createDate}`,
        '\tRecording Enabled: false',
        '\tServer id: fake',
        `\tSerevr url: ${t.fake.url}`,
        '\tMetaData:',
        '\t\tbbb-context-name: Course 1',
        '\t\tanalytics-callback-url: ',
        '\t\tbbb-recording-tags: a,b',
        '\t\tbbb-origin-server-common-name: ',
        '\t\tbbb-context-label: ',
        '\t\tbbb-origin: Greenlight',
        '\t\tbbb-context: ',
        '\t\tbbb-context-id: ',
        '\t\tbbb-recording-name: ',
        '\t\tbbb-origin-server-name: ',
        '\t\tbbb-recording-description: ',
        '\t\tbbb-origin-tag: ',
      ]),
    });
    const json = await slctl(['meetings:info[m1]', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      meetingID: 'm1', meetingName: 'Maths 101', internalMeetingID: m.internalMeetingID, createDate: m.createDate, recording: 'false',
      running: true, participantCount: 1, moderatorCount: 1, serverId: 'fake', serverUrl: t.fake.url,
      metadata: { 'bbb-origin': 'Greenlight', 'bbb-context-name': 'Course 1', 'bbb-recording-tags': 'a,b' },
    });
  }, SPAWN_TIMEOUT * 2);

  it('needs a meetingID; an unknown meeting fails, a BBB error is a warning', async () => {
    await seedFakeServer('fake');
    await placeMeeting('fake', 'ghost', 'gp', false);
    expect(await slctl(['meetings:info'])).toEqual({ code: 64, stdout: '', stderr: 'Error: Please input a meetingID!\n' });
    expect(await slctl(['meetings:info', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'WARNING: Could not get info for meeting id=nope: No meeting found with id: nope\n' });
    expect(await slctl(['meetings:info', 'ghost'])).toEqual({ code: 0, stdout: '', stderr: 'WARNING: Could not get info for meeting id=ghost: We could not find a meeting with that meeting ID\n' });
  }, SPAWN_TIMEOUT * 3);
});

describe('meetings:end', () => {
  const WARN = 'WARNING: You are trying to clear active meetings.';
  const PROMPT = 'If you still wish to continue please enter `yes`';
  const ends = () => t.fake.requestsFor('end').map((q) => `${q.params.meetingID}/${q.params.password}`).sort();

  it('asks first; after `yes` forgets the meetings and ends them on their servers', async () => {
    await seedFakeServer('fake');
    await placeMeeting('fake', 'm1', 'mp1');
    await placeMeeting('fake', 'm2', 'mp2');
    await placeMeeting('fake', 'ghost', 'gp', false);

    // any other answer: nothing ended, said so on stderr, exit 1
    for (const [args, input, left] of [[['meetings:end'], 'no\n', 'the 3 meetings go on'], [['meetings:end', 'm1'], '', 'the meeting goes on']] as const) {
      expect(await slctl([...args], { input })).toEqual({
        code: 1,
        stdout: listing([WARN, PROMPT]),
        stderr: `Nothing was done: no meeting was ended, ${left}. Answer \`yes\` to go ahead, or pass --yes.\n`,
      });
    }
    expect(ends()).toEqual([]);
    expect(await meetingIds('fake')).toEqual(['ghost', 'm1', 'm2']);

    // an unknown id fails before the question
    expect(await slctl(['meetings:end', 'm1:nope'], { input: 'yes\n' })).toEqual({ code: 1, stdout: '', stderr: 'ERROR: No meeting found with id: nope\n' });
    expect(ends()).toEqual([]);

    expect(await slctl(['meetings:end', 'm1'], { input: 'Yes\n' })).toEqual({ code: 0, stdout: listing([WARN, PROMPT, 'OK']), stderr: 'Clearing Meeting id=m1\n' });
    expect(ends()).toEqual(['m1/mp1']);
    expect(await meetingIds('fake')).toEqual(['ghost', 'm2']);

    const rest = await slctl(['meetings:end', '--yes']);
    expect(rest).toMatchObject({ code: 0, stdout: listing([WARN, 'OK']) });
    expect(rest.stderr.split('\n').sort()).toEqual(['', 'Clearing Meeting id=m2', expect.stringMatching(/^WARNING: Could not end meeting id=ghost: \S/)]);
    expect(ends()).toEqual(['ghost/gp', 'm1/mp1', 'm2/mp2']);
    expect(await meetingIds('fake')).toEqual([]);
    expect(t.fake.meetings.size).toBe(0);

    // nothing to end: no question
    expect(await slctl(['meetings:end'])).toEqual({ code: 0, stdout: listing(['OK']), stderr: 'No meetings to clear\n' });
  }, SPAWN_TIMEOUT * 7);
});
