import { signedForm } from '../helpers/post-sign.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

/** Reference §8.2 "create", as behaviours of our own API. */
describe('create', () => {
  let t: TestStack;
  let plain: FakeBbb;
  let tagged: FakeBbb;
  beforeAll(async () => {
    t = await startTestStack({
      env: {
        MAX_MEETING_DURATION: '3600',
        CREATE_EXCLUDE_PARAMS: 'test4,test2',
        DEFAULT_CREATE_PARAMS: 'defaultOnly=d,record=false',
        OVERRIDE_CREATE_PARAMS: 'forced=yes,welcome=Forced',
        USE_EXTERNAL_VOICE_BRIDGE: 'true',
        RESPONSE_TIMEOUT: '0.5',
      },
    });
    plain = await FakeBbb.start();
    tagged = await FakeBbb.start();
    t.fakes.push(plain, tagged);
    await t.addServer(plain, { id: 'plain' });
    await t.addServer(tagged, { id: 'tagged', tag: 'test-tag', loadMultiplier: 7 });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    for (const f of t.fakes) f.clearRequests();
  });

  const lastCreate = () => t.fakes.flatMap((f) => f.requestsFor('create').map((r) => ({ fake: f, r }))).at(-1)!;

  it('without meetingID answers missingParamMeetingID', async () => {
    for (const q of ['name=x', 'meetingID=', 'meetingID=%20%20']) {
      const res = await t.call('create', q);
      expect(xmlValue(res.body, 'messageKey')).toBe('missingParamMeetingID');
      expect(xmlValue(res.body, 'message')).toBe('You must specify a meeting ID for the meeting.');
    }
  });

  it('forwards meetingID, moderatorPW, the external voiceBridge, and reserves load on the chosen server', async () => {
    const before = (await t.stack.deps.store.servers.get('plain'))!.load!;
    const res = await t.call('create', 'meetingID=c-1&moderatorPW=mpw&voiceBridge=765432101');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    const { fake, r } = lastCreate();
    expect(fake).toBe(plain);
    expect(r.params).toMatchObject({ meetingID: 'c-1', moderatorPW: 'mpw', voiceBridge: '765432101' });
    expect(r.params).not.toHaveProperty('meta_server-tag');
    const meeting = await t.stack.deps.store.meetings.get({ meetingID: 'c-1' }, Date.now());
    expect(meeting).toMatchObject({ serverId: 'plain', moderatorPW: 'mpw', voiceBridge: '765432101' });
    expect((await t.stack.deps.store.servers.get('plain'))!.load).toBe(before + 15);
  });

  it('generates a moderator password when the client sends none', async () => {
    await t.call('create', 'meetingID=c-gen');
    expect(lastCreate().r.params.moderatorPW).toMatch(/^[A-Za-z0-9]{8}$/);
  });

  it('a duplicate create goes to the same server with the same voice bridge and reserves nothing more', async () => {
    await t.call('create', 'meetingID=c-dup');
    const first = lastCreate();
    const load = (await t.stack.deps.store.servers.get(first.fake === plain ? 'plain' : 'tagged'))!.load;
    const again = await t.call('create', 'meetingID=c-dup');
    expect(xmlValue(again.body, 'messageKey')).toBe('duplicateWarning');
    const second = lastCreate();
    expect(second.fake).toBe(first.fake);
    expect(second.r.params.voiceBridge).toBe(first.r.params.voiceBridge);
    expect((await t.stack.deps.store.servers.get(first.fake === plain ? 'plain' : 'tagged'))!.load).toBe(load);
  });

  it('caps the duration at MAX_MEETING_DURATION', async () => {
    const cases: [string, string][] = [['', '3600'], ['&duration=5000', '3600'], ['&duration=0', '3600'], ['&duration=1200', '1200'], ['&duration=abc', '3600']];
    for (const [i, [q, expected]] of cases.entries()) {
      await t.call('create', `meetingID=dur-${i}${q}`);
      expect(lastCreate().r.params.duration).toBe(expected);
    }
  });

  it('drops CREATE_EXCLUDE_PARAMS and applies DEFAULT/OVERRIDE_CREATE_PARAMS', async () => {
    await t.call('create', 'meetingID=c-params&test1=a&test2=b&test4=c&record=true&welcome=Hi');
    const p = lastCreate().r.params;
    expect(p).not.toHaveProperty('test2');
    expect(p).not.toHaveProperty('test4');
    expect(p.test1).toBe('a');
    expect(p.defaultOnly).toBe('d');
    expect(p.record).toBe('true');
    expect(p.forced).toBe('yes');
    expect(p.welcome).toBe('Forced');
    const order = lastCreate().r.paramOrder;
    expect(order.indexOf('defaultOnly')).toBeLessThan(order.indexOf('meetingID'));
    expect(order.indexOf('forced')).toBeGreaterThan(order.indexOf('meetingID'));
  });

  it('captures the recording-ready URL and rewrites the analytics callback URL', async () => {
    await t.call('create', 'meetingID=c-cb&meta_bn-recording-ready-url=https%3A%2F%2Flms%2Fready&meta_analytics-callback-url=https%3A%2F%2Flms%2Fa');
    const p = lastCreate().r.params;
    expect(p).not.toHaveProperty('meta_bn-recording-ready-url');
    expect(p['meta_analytics-callback-url']).toBe('https://sl.example.com/bigbluebutton/api/analytics_callback');
    // kept with the meeting's voice-bridge reservation (they outlive the record), with the meeting's server
    const stored = await t.stack.deps.store.meetings.findCallbacks('c-cb');
    expect(stored).toMatchObject({ meetingID: 'c-cb', serverId: (await t.stack.deps.store.meetings.get({ meetingID: 'c-cb' }, Date.now()))!.serverId, recordingReadyUrl: 'https://lms/ready', analyticsCallbackUrl: 'https://lms/a' });
  });

  it('required tag: placed on the tagged server, tag forwarded without "!", load grows by the multiplier', async () => {
    const before = (await t.stack.deps.store.servers.get('tagged'))!.load!;
    await t.call('create', 'meetingID=c-tag&meta_server-tag=test-tag!');
    const { fake, r } = lastCreate();
    expect(fake).toBe(tagged);
    expect(r.params['meta_server-tag']).toBe('test-tag');
    expect((await t.stack.deps.store.servers.get('tagged'))!.load).toBe(before + 15 * 7);
  });

  it('optional tag without a match falls back to an untagged server and does not forward the tag', async () => {
    await t.call('create', 'meetingID=c-opt&meta_server-tag=other');
    const { fake, r } = lastCreate();
    expect(fake).toBe(plain);
    expect(r.params).not.toHaveProperty('meta_server-tag');
  });

  it('required tag without a match answers serverTagUnavailable', async () => {
    const res = await t.call('create', 'meetingID=c-req&meta_server-tag=nope;other!');
    expect(xmlValue(res.body, 'messageKey')).toBe('serverTagUnavailable');
    expect(xmlValue(res.body, 'message')).toBe('There is no available server with the required tag=nope;other.');
  });

  it('a POST form create works like GET (the body signed as BBB\'s PostChecksum)', async () => {
    const res = await rawRequest(t.url, '/bigbluebutton/api/create', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: signedForm('create', [['meetingID', 'c-post'], ['name', 'Posted Room']]),
    });
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    expect(lastCreate().r.params).toMatchObject({ meetingID: 'c-post', name: 'Posted Room' });
    expect(lastCreate().r.method).toBe('GET');
  });

  it('a POST with an XML body (slides) is forwarded as a POST with the same body and application/xml', async () => {
    const body = '<modules><module name="presentation"><document url="https://x/y.pdf"/></module></modules>';
    const query = 'meetingID=c-xml';
    const res = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', query)}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    const { r } = lastCreate();
    expect(r.method).toBe('POST');
    expect(r.body).toBe(body);
    expect(r.contentType).toBe('application/xml');
  });

  it('a BBB that does not answer in time gives internalError "Unable to create meeting on server."', async () => {
    plain.hang(true);
    tagged.hang(true);
    try {
      const res = await t.call('create', 'meetingID=c-timeout');
      expect(xmlValue(res.body, 'messageKey')).toBe('internalError');
      expect(xmlValue(res.body, 'message')).toBe('Unable to create meeting on server.');
    } finally {
      plain.hang(false);
      tagged.hang(false);
    }
  });

  it('passes BBB’s own error through', async () => {
    plain.failNext(1, 'failed', 'create');
    const res = await t.call('create', 'meetingID=c-bbb-fail');
    expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
    expect(xmlValue(res.body, 'messageKey')).toBe('internalError');
  });
});

describe('create without servers', () => {
  it('answers internalError "Could not find any available servers."', async () => {
    const t = await startTestStack();
    try {
      const res = await t.call('create', 'meetingID=none');
      expect(xmlValue(res.body, 'messageKey')).toBe('internalError');
      expect(xmlValue(res.body, 'message')).toBe('Could not find any available servers.');
      expect(res.body).toBe(
        '<?xml version="1.0"?>\n<response>\n  <returncode>FAILED</returncode>\n  <messageKey>internalError</messageKey>\n  <message>Could not find any available servers.</message>\n</response>\n',
      );
      expect(LB_SECRET).not.toBe('');
    } finally {
      await t.close();
    }
  });
});

describe('create without URL_HOST', () => {
  it("gives BBB the analytics-callback URL on the request's own scheme, host and port", async () => {
    const t = await startTestStack({ servers: 1, env: { URL_HOST: '' } });
    try {
      await t.call('create', 'meetingID=cb-local&meta_analytics-callback-url=https%3A%2F%2Flms.example%2Fa');
      const sent = t.fakes[0].requestsFor('create').at(-1)!;
      const port = new URL(t.url).port;
      expect(port).not.toBe('');
      expect(sent.params['meta_analytics-callback-url']).toBe(`http://127.0.0.1:${port}/bigbluebutton/api/analytics_callback`);
    } finally {
      await t.close();
    }
  });
});
