import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBbb, signBbbUrl, type Algorithm } from './fake-bbb-server.js';
import { CHECKSUM_ERROR, XML, callBbb, callBbbText, childNames, rawGet, sha, tag } from './bbb-test-helpers.js';

let bbb: FakeBbb;
beforeEach(async () => {
  bbb = await FakeBbb.start({ secret: 'test-secret' });
});
afterEach(async () => {
  await bbb.stop();
});

const call = (name: string, query = '', algorithm?: Algorithm, init?: RequestInit) => callBbb(bbb, name, query, algorithm, init);
const raw = (target: string) => rawGet(bbb, target);
const text = (name: string, query = '', algorithm?: Algorithm) => callBbbText(bbb, name, query, algorithm);

describe('index and routing', () => {
  it('answers the version document without a checksum, with and without trailing slash', async () => {
    for (const url of [bbb.url, `${bbb.url}/`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(XML);
      expect(await res.text()).toBe(
        '<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>3.0.4</bbbVersion></response>',
      );
    }
    expect(bbb.requestsFor('')).toHaveLength(2);
    expect(bbb.requestsFor('')[0].checksumValid).toBe(true);
  });

  it('renders an empty bbbVersion and 404s other paths', async () => {
    const hidden = await FakeBbb.start({ bbbVersion: '' });
    try {
      expect(await (await fetch(hidden.url)).text()).toContain('<bbbVersion></bbbVersion>');
      expect((await fetch(`http://${hidden.host}/other`)).status).toBe(404);
      expect((await fetch(`${hidden.url}/a/b`)).status).toBe(404);
    } finally {
      await hidden.stop();
    }
  });

  it('answers unknown calls with unsupportedRequest', async () => {
    expect(await text('frobnicate', 'a=1')).toBe(
      '<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey><message>This request is not supported.</message></response>',
    );
  });
});

describe('checksums', () => {
  it.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('accepts %s', async (alg) => {
    const res = await call('getMeetings', 'x=1', alg);
    expect(res.headers.get('content-type')).toBe(XML);
    expect(await res.text()).toContain('<returncode>SUCCESS</returncode>');
    expect(bbb.requests.at(-1)).toMatchObject({ checksumValid: true, algorithm: alg });
  });

  it('accepts an empty query (checksum only) and checksum first in the query', async () => {
    expect(await text('getMeetings')).toContain('SUCCESS');
    const sum = sha('sha256', 'isMeetingRunningmeetingID=m1test-secret');
    expect(await (await fetch(`${bbb.url}/isMeetingRunning?checksum=${sum}&meetingID=m1`)).text()).toContain('SUCCESS');
  });

  it('rejects a wrong secret, uppercase hex, a tampered query, a bad length and a missing checksum', async () => {
    const good = signBbbUrl(bbb.url, 'getMeetings', 'a=1', bbb.secret, 'sha256');
    const bad = [
      signBbbUrl(bbb.url, 'getMeetings', 'a=1', 'other-secret', 'sha256'),
      good.replace(/checksum=(\w+)/, (_, c: string) => `checksum=${c.toUpperCase()}`),
      good.replace('a=1', 'a=2'),
      good.replace('getMeetings', 'getMeetingInfo'),
      `${good}0`,
      `${bbb.url}/getMeetings?a=1`,
    ];
    for (const url of bad) expect(await (await fetch(url)).text()).toBe(CHECKSUM_ERROR);
    expect(bbb.requests.map((r) => r.checksumValid)).toEqual([false, false, false, false, false, false]);
    expect(bbb.requests[1].algorithm).toBe('sha256');
  });

  it("verifies the raw query exactly as sent (' + %20)", async () => {
    const query = "meetingID=a+b&name=O'Brien%20room&x=%27";
    const url = signBbbUrl(bbb.url, 'create', query, bbb.secret);
    const target = url.slice(`http://${bbb.host}`.length);
    const ok = await raw(target);
    expect(ok.body).toContain('<returncode>SUCCESS</returncode>');
    expect(bbb.meetings.get('a b')?.meetingName).toBe("O'Brien room");
    expect(await text('getMeetingInfo', 'meetingID=a+b')).toContain('<meetingName>O&apos;Brien room</meetingName>');
    const rec = bbb.requestsFor('create')[0];
    expect(rec.rawQuery).toBe(`${query}&checksum=${sha('sha1', `create${query}test-secret`)}`);
    expect(rec.params).toMatchObject({ meetingID: 'a b', name: "O'Brien room", x: "'" });
    // The same params re-encoded differently no longer match the checksum.
    expect((await raw(target.replace('a+b', 'a%20b'))).body).toBe(CHECKSUM_ERROR);
    expect((await raw(target.replace("O'Brien", 'O%27Brien'))).body).toBe(CHECKSUM_ERROR);
  });

  it('signBbbUrl builds the documented URL shapes', () => {
    expect(signBbbUrl('http://h/api', 'end', '', 's')).toBe(`http://h/api/end?checksum=${sha('sha1', 'ends')}`);
    expect(signBbbUrl('http://h/api', 'end', 'a=1', 's', 'sha512')).toBe(
      `http://h/api/end?a=1&checksum=${sha('sha512', 'enda=1s')}`,
    );
  });
});

describe('meetings', () => {
  it('creates, then answers duplicateWarning with the unchanged meeting', async () => {
    const first = await text('create', 'meetingID=m1&name=Room+1&attendeePW=ap&moderatorPW=mp&meta_Origin=GL&duration=30');
    expect(childNames(first)).toEqual([
      'returncode', 'meetingID', 'internalMeetingID', 'parentMeetingID', 'attendeePW', 'moderatorPW', 'createTime',
      'voiceBridge', 'dialNumber', 'createDate', 'hasUserJoined', 'duration', 'hasBeenForciblyEnded', 'messageKey', 'message',
    ]);
    expect(first).toContain('<messageKey></messageKey><message></message>');
    const m = bbb.meetings.get('m1')!;
    expect(m).toMatchObject({ meetingName: 'Room 1', attendeePW: 'ap', moderatorPW: 'mp', duration: 30, metadata: { origin: 'GL' } });
    expect(m.internalMeetingID).toBe(`${sha('sha1', 'm1')}-${m.createTime}`);
    expect(m.voiceBridge).toMatch(/^\d{5}$/);
    expect(m.createDate).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    expect(tag(first, 'dialNumber')).toBe('613-555-1234');

    const second = await text('create', 'meetingID=m1&name=Other&attendeePW=zz');
    expect(tag(second, 'messageKey')).toBe('duplicateWarning');
    expect(tag(second, 'message')).toBe('This conference was already in existence and may currently be in progress.');
    expect(tag(second, 'internalMeetingID')).toBe(m.internalMeetingID);
    expect(tag(second, 'attendeePW')).toBe('ap');
    expect(bbb.meetings.get('m1')!.meetingName).toBe('Room 1');
  });

  it('requires a meetingID for create', async () => {
    expect(await text('create', 'name=x')).toBe(
      '<response><returncode>FAILED</returncode><messageKey>missingParamMeetingID</messageKey><message>You must specify a meeting ID for the meeting.</message></response>',
    );
  });

  it('records the XML body of a POST create', async () => {
    const body = '<modules><module name="presentation"><document url="https://x/a.pdf"/></module></modules>';
    const res = await call('create', 'meetingID=p1', 'sha256', { method: 'POST', body, headers: { 'Content-Type': 'application/xml' } });
    expect(await res.text()).toContain('SUCCESS');
    expect(bbb.requestsFor('create')[0]).toMatchObject({ method: 'POST', body, contentType: 'application/xml', checksumValid: true });
  });

  it('joins with a 302 redirect or XML with redirect=false', async () => {
    const m = bbb.addMeeting({ meetingID: 'j1', attendeePW: 'ap', moderatorPW: 'mp' });
    const res = await call('join', 'meetingID=j1&fullName=Ann&role=moderator&userID=u1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^http://${bbb.host}/html5client/join\\?sessionToken=\\w+$`));
    expect(m.attendees).toMatchObject([{ userID: 'u1', fullName: 'Ann', role: 'MODERATOR' }]);

    const xml = await text('join', `meetingID=j1&fullName=Bob&password=ap&redirect=false&createTime=${m.createTime}`);
    expect(childNames(xml)).toEqual([
      'returncode', 'messageKey', 'message', 'meeting_id', 'user_id', 'auth_token', 'session_token', 'guestStatus', 'url',
    ]);
    expect(tag(xml, 'messageKey')).toBe('successfullyJoined');
    expect(tag(xml, 'meeting_id')).toBe(m.internalMeetingID);
    expect(tag(xml, 'user_id')).toMatch(/^w_[a-z0-9]+$/);
    expect(m.attendees[1]).toMatchObject({ fullName: 'Bob', role: 'VIEWER' });
  });

  it('rejects bad joins', async () => {
    const m = bbb.addMeeting({ meetingID: 'j2', attendeePW: 'ap', moderatorPW: 'mp' });
    expect(await text('join', 'meetingID=j2&fullName=A&password=nope')).toContain('<messageKey>invalidPassword</messageKey>');
    expect(await text('join', 'meetingID=j2&fullName=A&password=&role=guest')).toContain('invalidPassword');
    expect(await text('join', 'meetingID=j2&role=VIEWER')).toContain('missingParamFullName');
    expect(await text('join', 'meetingID=nope&fullName=A&role=VIEWER')).toContain(
      '<messageKey>notFound</messageKey><message>We could not find a meeting with that meeting ID</message>',
    );
    expect(await text('join', `meetingID=j2&fullName=A&role=VIEWER&createTime=${m.createTime + 1}`)).toContain('mismatchCreateTime');
    expect(m.attendees).toEqual([]);
  });

  it('isMeetingRunning is false until someone joined', async () => {
    bbb.addMeeting({ meetingID: 'r1' });
    const running = '<response><returncode>SUCCESS</returncode><running>true</running></response>';
    const notRunning = running.replace('true', 'false');
    expect(await text('isMeetingRunning', 'meetingID=r1')).toBe(notRunning);
    expect(await text('isMeetingRunning', 'meetingID=unknown')).toBe(notRunning);
    expect((await call('join', 'meetingID=r1&fullName=A&role=VIEWER')).status).toBe(302);
    expect(await text('isMeetingRunning', 'meetingID=r1')).toBe(running);
    expect(await text('isMeetingRunning')).toContain('missingParamMeetingID');
  });

  it('getMeetingInfo lists elements in BBB order with counts', async () => {
    bbb.addMeeting({ meetingID: 'i1', meetingName: 'Info & <co>', metadata: { 'bbb-origin': 'Moodle' } });
    bbb.addAttendee('i1', { fullName: 'Mod', role: 'MODERATOR', isPresenter: true });
    bbb.addAttendee('i1', { fullName: 'View', role: 'VIEWER', hasVideo: true, hasJoinedVoice: true });
    const xml = await text('getMeetingInfo', 'meetingID=i1');
    expect(childNames(xml)).toEqual([
      'returncode', 'meetingName', 'meetingID', 'internalMeetingID', 'createTime', 'createDate', 'voiceBridge', 'dialNumber',
      'attendeePW', 'moderatorPW', 'running', 'duration', 'hasUserJoined', 'recording', 'hasBeenForciblyEnded', 'startTime',
      'endTime', 'participantCount', 'listenerCount', 'voiceParticipantCount', 'videoCount', 'maxUsers', 'moderatorCount',
      'attendees', 'metadata', 'isBreakout',
    ]);
    expect(tag(xml, 'meetingName')).toBe('Info &amp; &lt;co&gt;');
    expect([tag(xml, 'participantCount'), tag(xml, 'moderatorCount'), tag(xml, 'videoCount')]).toEqual(['2', '1', '1']);
    expect([tag(xml, 'voiceParticipantCount'), tag(xml, 'listenerCount'), tag(xml, 'running')]).toEqual(['1', '0', 'true']);
    expect(xml).toContain(
      '<attendee><userID>' + bbb.meetings.get('i1')!.attendees[1].userID + '</userID><fullName>View</fullName><role>VIEWER</role>' +
        '<isPresenter>false</isPresenter><isListeningOnly>false</isListeningOnly><hasJoinedVoice>true</hasJoinedVoice>' +
        '<hasVideo>true</hasVideo><clientType>HTML5</clientType></attendee>',
    );
    expect(xml).toContain('<metadata><bbb-origin>Moodle</bbb-origin></metadata><isBreakout>false</isBreakout></response>');
    expect(await text('getMeetingInfo', 'meetingID=zz')).toContain('<messageKey>notFound</messageKey>');
  });

  it('getMeetingInfo renders empty containers and breakout info', async () => {
    bbb.addMeeting({ meetingID: 'b1', isBreakout: true, parentMeetingID: 'parent-int' });
    const xml = await text('getMeetingInfo', 'meetingID=b1');
    expect(xml).toContain('<attendees/><metadata/><isBreakout>true</isBreakout>');
    expect(xml).toContain('<breakout><parentMeetingID>parent-int</parentMeetingID><sequence>1</sequence><freeJoin>false</freeJoin></breakout></response>');
  });

  it('getMeetings lists meetings or says noMeetings', async () => {
    expect(await text('getMeetings')).toBe(
      '<response><returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message></response>',
    );
    bbb.addMeeting({ meetingID: 'g1' });
    bbb.addMeeting({ meetingID: 'g2' });
    const xml = await text('getMeetings');
    expect(childNames(xml)).toEqual(['returncode', 'meetings']);
    expect([...xml.matchAll(/<meeting><meetingName>[^<]*<\/meetingName><meetingID>([^<]*)</g)].map((m) => m[1])).toEqual(['g1', 'g2']);
    const info = await text('getMeetingInfo', 'meetingID=g1');
    const firstMeeting = /<meeting>(.*?)<\/meeting>/.exec(xml)![1];
    expect(info).toBe(`<response><returncode>SUCCESS</returncode>${firstMeeting}</response>`);
  });

  it('end removes the meeting', async () => {
    const m = bbb.addMeeting({ meetingID: 'e1' });
    expect(await text('end', 'meetingID=e1')).toBe(
      '<response><returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.</message></response>',
    );
    expect(m.hasBeenForciblyEnded).toBe(true);
    expect(bbb.meetings.has('e1')).toBe(false);
    expect(await text('getMeetingInfo', 'meetingID=e1')).toContain('notFound');
    expect(await text('end', 'meetingID=e1')).toContain('notFound');
  });

  it('insertDocument records the body', async () => {
    bbb.addMeeting({ meetingID: 'd1' });
    const body = '<modules><module name="presentation"><document url="https://x/b.pdf" filename="b.pdf"/></module></modules>';
    const init = { method: 'POST', body, headers: { 'Content-Type': 'application/xml' } };
    expect(await (await call('insertDocument', 'meetingID=d1', 'sha1', init)).text()).toBe(
      '<response><returncode>SUCCESS</returncode><message>Presentation is being uploaded</message></response>',
    );
    expect(bbb.requestsFor('insertDocument')[0].body).toBe(body);
    expect(await (await call('insertDocument', 'meetingID=zz', 'sha1', init)).text()).toContain('notFound');
  });

  it('endMeeting, removeAttendees and reset change the state', async () => {
    bbb.addMeeting({ meetingID: 's1' });
    bbb.addAttendee('s1', { role: 'MODERATOR' });
    bbb.removeAttendees('s1');
    expect(await text('isMeetingRunning', 'meetingID=s1')).toContain('false');
    bbb.endMeeting('s1');
    expect(await text('getMeetings')).toContain('noMeetings');
    bbb.addMeeting({ meetingID: 's2' });
    bbb.failNext(1, 'http500');
    bbb.reset();
    expect(bbb.meetings.size).toBe(0);
    expect(bbb.requests).toHaveLength(0);
    expect((await call('getMeetings')).status).toBe(200);
  });
});
