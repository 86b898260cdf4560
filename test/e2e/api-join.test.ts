import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signQuery, startTestStack, rawRequest, xmlValue, type TestStack } from '../helpers/test-stack.js';

/** Reference §8.2 "join". */
describe('join', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      servers: 1,
      env: { JOIN_EXCLUDE_PARAMS: 'test1,test2', DEFAULT_JOIN_PARAMS: 'userdata-bbb_auto_join_audio=true,lang=de', OVERRIDE_JOIN_PARAMS: 'guest=false' },
    });
    await t.call('create', 'meetingID=j-1&moderatorPW=mp&attendeePW=ap');
  });
  afterAll(() => t.close());

  const redirectParams = (location: string) => Object.fromEntries(new URL(location).searchParams);

  it('without meetingID answers missingParamMeetingID; unknown meeting answers notFound', async () => {
    expect(xmlValue((await t.call('join', 'fullName=A')).body, 'messageKey')).toBe('missingParamMeetingID');
    const unknown = await t.call('join', 'meetingID=nope&fullName=A');
    expect(unknown.status).toBe(200);
    expect(xmlValue(unknown.body, 'messageKey')).toBe('notFound');
    expect(xmlValue(unknown.body, 'message')).toBe('We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?');
  });

  it('redirects (302) to the meeting’s server with all parameters, defaults, overrides and a valid checksum', async () => {
    const res = await t.call('join', 'meetingID=j-1&fullName=Jo+Doe&password=ap&test1=x&test2=y&test3=z&lang=fr&guest=true');
    expect(res.status).toBe(302);
    const location = res.headers.location!;
    expect(location.startsWith(`${t.fakes[0].url}/join?`)).toBe(true);
    const p = redirectParams(location);
    expect(p).toMatchObject({ meetingID: 'j-1', fullName: 'Jo Doe', password: 'ap', test3: 'z', lang: 'fr', guest: 'false', 'userdata-bbb_auto_join_audio': 'true' });
    expect(p).not.toHaveProperty('test1');
    expect(p).not.toHaveProperty('test2');
    const follow = await fetch(location, { redirect: 'manual' });
    expect(follow.status).toBe(302);
    expect(t.fakes[0].requestsFor('join').at(-1)!.checksumValid).toBe(true);
  });

  it('answers serverUnavailable when the server is disabled or offline', async () => {
    await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'disabled' });
    let res = await t.call('join', 'meetingID=j-1&fullName=A&role=VIEWER');
    expect(xmlValue(res.body, 'messageKey')).toBe('serverUnavailable');
    expect(xmlValue(res.body, 'message')).toBe('The server for this meeting is disabled/offline.');
    await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'enabled' });
    await t.stack.deps.store.servers.updatePoll('bbb-1', { online: false });
    res = await t.call('join', 'meetingID=j-1&fullName=A&role=VIEWER');
    expect(xmlValue(res.body, 'messageKey')).toBe('serverUnavailable');
    // for the front-end such a meeting is not running; the dead server is not asked
    const asked = t.fakes[0].requestsFor('isMeetingRunning').length;
    expect(xmlValue((await t.call('isMeetingRunning', 'meetingID=j-1')).body, 'running')).toBe('false');
    expect(t.fakes[0].requestsFor('isMeetingRunning')).toHaveLength(asked);
    await t.stack.deps.store.servers.updatePoll('bbb-1', { online: true });
    res = await t.call('join', 'meetingID=j-1&fullName=A&role=VIEWER');
    expect(res.status).toBe(302);
  });

  it('cordoned servers still take joins', async () => {
    await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'cordoned' });
    try {
      const res = await t.call('join', 'meetingID=j-1&fullName=A&role=VIEWER');
      expect(res.status).toBe(302);
    } finally {
      await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'enabled' });
    }
  });

  it('POST join is unsupportedRequest', async () => {
    const res = await rawRequest(t.url, `/bigbluebutton/api/join?${signQuery('join', 'meetingID=j-1&fullName=A')}`, { method: 'POST' });
    expect(xmlValue(res.body, 'messageKey')).toBe('unsupportedRequest');
  });
});
