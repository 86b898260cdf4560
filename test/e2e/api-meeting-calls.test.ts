import { signedForm } from '../helpers/post-sign.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

/** Reference §8.2 getMeetingInfo, isMeetingRunning, end, insertDocument. */
describe('meeting calls', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1, env: { RESPONSE_TIMEOUT: '0.4' } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.fakes[0].hang(false);
    await t.call('create', 'meetingID=m-1&moderatorPW=mp');
  });

  it('getMeetingInfo proxies BBB’s document (GET and POST form)', async () => {
    const get = await t.call('getMeetingInfo', 'meetingID=m-1');
    expect(get.body.startsWith('<?xml version="1.0"?>\n<response>')).toBe(true);
    expect(xmlValue(get.body, 'meetingID')).toBe('m-1');
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const post = await rawRequest(t.url, '/bigbluebutton/api/getMeetingInfo', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: signedForm('getMeetingInfo', [['meetingID', 'm-1']], algorithm),
      });
      expect(xmlValue(post.body, 'returncode')).toBe('SUCCESS');
      expect(xmlValue(post.body, 'meetingID')).toBe('m-1');
    }
  });

  it('getMeetingInfo: missing id, unknown meeting, timeout', async () => {
    expect(xmlValue((await t.call('getMeetingInfo', '')).body, 'messageKey')).toBe('missingParamMeetingID');
    expect(xmlValue((await t.call('getMeetingInfo', 'meetingID=zzz')).body, 'messageKey')).toBe('notFound');
    t.fakes[0].hang(true);
    const res = await t.call('getMeetingInfo', 'meetingID=m-1');
    expect(xmlValue(res.body, 'messageKey')).toBe('internalError');
    expect(xmlValue(res.body, 'message')).toBe('Unable to access meeting on server.');
  });

  it('isMeetingRunning: proxied; unknown is running=false; missing id; timeout', async () => {
    expect(xmlValue((await t.call('isMeetingRunning', 'meetingID=m-1')).body, 'running')).toBe('false');
    t.fakes[0].addAttendee('m-1', { fullName: 'A', role: 'VIEWER' });
    expect(xmlValue((await t.call('isMeetingRunning', 'meetingID=m-1')).body, 'running')).toBe('true');
    const unknown = await t.call('isMeetingRunning', 'meetingID=unknown');
    expect(unknown.body).toBe('<?xml version="1.0"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <running>false</running>\n</response>\n');
    expect(xmlValue((await t.call('isMeetingRunning', 'x=1')).body, 'messageKey')).toBe('missingParamMeetingID');
    t.fakes[0].hang(true);
    expect(xmlValue((await t.call('isMeetingRunning', 'meetingID=m-1')).body, 'message')).toBe('Unable to access meeting on server.');
  });

  it('end: forwards, removes the meeting; without password sends a bare key', async () => {
    const res = await t.call('end', 'meetingID=m-1');
    expect(xmlValue(res.body, 'messageKey')).toBe('sentEndMeetingRequest');
    const sent = t.fakes[0].requestsFor('end').at(-1)!;
    expect(sent.rawQuery.startsWith('meetingID=m-1&password&checksum=')).toBe(true);
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'm-1' }, Date.now())).toBeUndefined();
    expect(xmlValue((await t.call('end', 'meetingID=m-1')).body, 'messageKey')).toBe('notFound');
    expect(xmlValue((await t.call('end', '')).body, 'messageKey')).toBe('missingParamMeetingID');
  });

  it('end: a timeout answers internalError and the meeting is still removed', async () => {
    t.fakes[0].hang(true);
    const res = await t.call('end', 'meetingID=m-1&password=mp');
    expect(xmlValue(res.body, 'message')).toBe('Unable to access meeting on server.');
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'm-1' }, Date.now())).toBeUndefined();
  });

  it('insertDocument forwards the XML body as a POST; missing id and unknown meeting are errors', async () => {
    const body = '<modules><module name="presentation"><document url="https://x/a.pdf"/></module></modules>';
    const post = (query: string) =>
      rawRequest(t.url, `/bigbluebutton/api/insertDocument?${signQuery('insertDocument', query)}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    expect(xmlValue((await post('meetingID=m-1')).body, 'returncode')).toBe('SUCCESS');
    const sent = t.fakes[0].requestsFor('insertDocument').at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.body).toBe(body);
    expect(sent.contentType).toBe('application/xml');
    expect(xmlValue((await post('')).body, 'messageKey')).toBe('missingParamMeetingID');
    expect(xmlValue((await post('meetingID=nope')).body, 'messageKey')).toBe('notFound');
    const get = await t.call('insertDocument', 'meetingID=m-1');
    expect(xmlValue(get.body, 'messageKey')).toBe('unsupportedRequest');
    const form = await rawRequest(t.url, `/bigbluebutton/api/insertDocument?${signQuery('insertDocument', 'meetingID=m-1')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(xmlValue(form.body, 'messageKey')).toBe('unsupportedContentType');
  });
});
