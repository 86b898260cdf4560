import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { rawRequest, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const INDEX = '<?xml version="1.0"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <version>2.0</version>\n</response>\n';
const UNSUPPORTED =
  '<?xml version="1.0"?>\n<response>\n  <returncode>FAILED</returncode>\n  <messageKey>unsupportedRequest</messageKey>\n  <message>This request is not supported.</message>\n</response>\n';

describe('index, health, catch-all, recordings while disabled', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(() => t.close());

  it('GET and POST /bigbluebutton/api answer the version document, byte for byte', async () => {
    for (const path of ['/bigbluebutton/api', '/bigbluebutton/api/']) {
      expect((await rawRequest(t.url, path)).body).toBe(INDEX);
      expect((await rawRequest(t.url, path, { method: 'POST' })).body).toBe(INDEX);
    }
  });

  it('/ and /health_check answer success', async () => {
    for (const path of ['/', '/health_check']) {
      const res = await rawRequest(t.url, path);
      expect(res.status).toBe(200);
      expect(res.body).toBe('success');
    }
  });

  it('anything else is unsupportedRequest with HTTP 200', async () => {
    for (const path of ['/unsupportedRequest', '/bigbluebutton/api/unsupportedRequest', '/bigbluebutton/api/create.xml', '/x/y/z?a=b', '/bigbluebutton/api/constructor']) {
      const res = await rawRequest(t.url, path);
      expect(res.status).toBe(200);
      expect(res.body).toBe(UNSUPPORTED);
    }
  });

  it('with RECORDING_DISABLED the recordings API answers as disabled: getRecordings empty without checksum, the write calls notFound', async () => {
    const off = await startTestStack({ env: { RECORDING_DISABLED: 'true' } });
    try {
      const get = await rawRequest(off.url, '/bigbluebutton/api/getRecordings');
      expect(xmlValue(get.body, 'messageKey')).toBe('noRecordings');
      for (const call of ['publishRecordings', 'updateRecordings', 'deleteRecordings']) {
        const res = await rawRequest(off.url, `/bigbluebutton/api/${call}?recordID=x`);
        expect(xmlValue(res.body, 'messageKey')).toBe('notFound');
        expect(xmlValue(res.body, 'message')).toBe('We could not find recordings');
      }
    } finally {
      await off.close();
    }
    // enabled (the default), the recordings API is checked like every other call
    expect(xmlValue((await rawRequest(t.url, '/bigbluebutton/api/getRecordings')).body, 'messageKey')).toBe('checksumError');
  });

  it('getMeetings without servers answers noMeetings', async () => {
    const res = await t.call('getMeetings');
    expect(res.body).toBe(
      '<?xml version="1.0"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <messageKey>noMeetings</messageKey>\n  <message>no meetings were found on this server</message>\n  <meetings/>\n</response>\n',
    );
  });
});

describe('index with BUILD_NUMBER and getMeetings disabled', () => {
  it('adds <build> and answers noMeetings without a checksum', async () => {
    const t = await startTestStack({ env: { BUILD_NUMBER: 'alpha-1', GET_MEETINGS_API_DISABLED: 'TRUE' } });
    try {
      expect(xmlValue((await rawRequest(t.url, '/bigbluebutton/api')).body, 'build')).toBe('alpha-1');
      for (const method of ['GET', 'POST']) {
        expect(xmlValue((await rawRequest(t.url, '/bigbluebutton/api/getMeetings', { method })).body, 'messageKey')).toBe('noMeetings');
      }
    } finally {
      await t.close();
    }
  });
});

describe('getMeetings from the store', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 3 });
  });
  afterAll(() => t.close());

  it('lists meetings of all usable servers, as the poller saw them, and survives a dead server', async () => {
    for (const id of ['g-1', 'g-2', 'g-3', 'g-4']) await t.call('create', `meetingID=${id}&name=Room+${id}`);
    let res = await t.call('getMeetings');
    expect(res.body.match(/<meeting>/g)).toHaveLength(4);
    expect(res.body).toContain('<meetingName>Room g-1</meetingName>');
    await t.poll();
    res = await t.call('getMeetings');
    expect(res.body.match(/<meeting>/g)).toHaveLength(4);
    expect(xmlValue(res.body, 'internalMeetingID')).toMatch(/^[0-9a-f]{40}-\d+$/);
    const getMeetingsCalls = t.fakes.reduce((n, f) => n + f.requestsFor('getMeetings').length, 0);
    for (const f of t.fakes) f.setDown(true);
    res = await t.call('getMeetings');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    expect(res.body.match(/<meeting>/g)).toHaveLength(4);
    expect(t.fakes.reduce((n, f) => n + f.requestsFor('getMeetings').length, 0)).toBe(getMeetingsCalls);
    for (const f of t.fakes) f.setDown(false);
  });

  it('hides meetings of disabled and offline servers', async () => {
    const meeting = (await t.stack.deps.store.meetings.get({ meetingID: 'g-1' }, Date.now()))!;
    await t.stack.deps.store.servers.updateConfig(meeting.serverId, { state: 'disabled' });
    const res = await t.call('getMeetings');
    expect(res.body).not.toContain('<meetingID>g-1</meetingID>');
    await t.stack.deps.store.servers.updateConfig(meeting.serverId, { state: 'enabled' });
    await t.stack.deps.store.servers.updatePoll(meeting.serverId, { online: false });
    expect((await t.call('getMeetings')).body).not.toContain('<meetingID>g-1</meetingID>');
    await t.stack.deps.store.servers.updatePoll(meeting.serverId, { online: true });
    expect((await t.call('getMeetings')).body).toContain('<meetingID>g-1</meetingID>');
  });
});

describe('self-healing placement', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 2 });
  });
  afterAll(() => t.close());

  const serverOf = async (id: string) => (await t.stack.deps.store.meetings.get({ meetingID: id }, Date.now()))!.serverId;
  const other = (id: string) => (id === 'bbb-1' ? 'bbb-2' : 'bbb-1');

  it('a meeting on an offline server is re-placed by the next create, keeping its voice bridge', async () => {
    await t.call('create', 'meetingID=h-1');
    const first = await t.stack.deps.store.meetings.get({ meetingID: 'h-1' }, Date.now());
    await t.stack.deps.store.servers.updatePoll(first!.serverId, { online: false, load: null });
    const res = await t.call('create', 'meetingID=h-1');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    const moved = await t.stack.deps.store.meetings.get({ meetingID: 'h-1' }, Date.now());
    expect(moved!.serverId).toBe(other(first!.serverId));
    expect(moved!.voiceBridge).toBe(first!.voiceBridge);
    expect((await t.call('join', 'meetingID=h-1&fullName=A&role=VIEWER')).headers.location).toContain(t.fakes[moved!.serverId === 'bbb-1' ? 0 : 1].url);
    await t.stack.deps.store.servers.updatePoll(first!.serverId, { online: true, load: 0 });
  });

  it('a meeting on a disabled or removed server is re-placed', async () => {
    await t.call('create', 'meetingID=h-2');
    const was = await serverOf('h-2');
    await t.stack.deps.store.servers.updateConfig(was, { state: 'disabled' });
    await t.call('create', 'meetingID=h-2');
    expect(await serverOf('h-2')).toBe(other(was));
    await t.stack.deps.store.servers.updateConfig(was, { state: 'enabled' });
    await t.poll();
  });

  it('cordoned: re-placed when not running there, kept while running', async () => {
    await t.call('create', 'meetingID=h-3');
    const was = await serverOf('h-3');
    await t.stack.deps.store.servers.updateConfig(was, { state: 'cordoned' });
    const fake = t.fakes[was === 'bbb-1' ? 0 : 1];
    fake.addAttendee('h-3', { fullName: 'A', role: 'MODERATOR' });
    await t.call('create', 'meetingID=h-3');
    expect(await serverOf('h-3')).toBe(was);
    fake.removeAttendees('h-3');
    await t.call('create', 'meetingID=h-3');
    expect(await serverOf('h-3')).toBe(other(was));
    await t.stack.deps.store.servers.updateConfig(was, { state: 'enabled' });
  });

  it('a removed server', async () => {
    const extra = await FakeBbb.start();
    t.fakes.push(extra);
    await t.addServer(extra, { id: 'extra' });
    await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'cordoned' });
    await t.stack.deps.store.servers.updateConfig('bbb-2', { state: 'cordoned' });
    await t.call('create', 'meetingID=h-4');
    expect(await serverOf('h-4')).toBe('extra');
    await t.stack.deps.store.servers.updateConfig('bbb-1', { state: 'enabled' });
    await t.stack.deps.store.servers.remove('extra');
    await t.call('create', 'meetingID=h-4');
    expect(await serverOf('h-4')).toBe('bbb-1');
  });
});
