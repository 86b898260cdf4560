/**
 * Two tenants, each with its own secret and meetings, on the same pool. Every BBB API call of tenant A:
 * with A's secret against B's host fails with checksumError (and touches nothing); on A's host against
 * B's meeting it fails as Scalelite does (running=false / notFound / create refused). No answer to A ever
 * contains anything of B's meeting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { LB_SECRET, rawRequest, signQuery, xmlValue, type RawResponse } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, URL_HOST, type TenancyStack } from './tenancy-stack.js';

const A_SECRET = 'alpha-secret-0123456789';
const B_SECRET = 'beta-secret-9876543210';
const SLIDES = '<modules><module name="presentation"><document url="https://example.com/a.pdf"/></module></modules>';

/** What B's meeting is made of: none of it may reach A. */
const B_MARKERS = ['b-room', 'Beta Board Room', 'beta-mod-pw', 'beta-att-pw', 'beta'];

describe('tenant isolation matrix', () => {
  let t: TenancyStack;
  let a: Tenant;
  let b: Tenant;
  /** every answer tenant A received in this file */
  const toA: RawResponse[] = [];

  const asA = async (host: string, call: string, query: string, secret = A_SECRET) => {
    const res = await t.callAt(host, call, query, secret);
    toA.push(res);
    return res;
  };
  const insertAsA = async (host: string, meetingID: string) => {
    const res = await rawRequest(t.url, `/bigbluebutton/api/insertDocument?${signQuery('insertDocument', `meetingID=${meetingID}`, A_SECRET)}`, {
      method: 'POST',
      body: SLIDES,
      headers: { Host: host, 'Content-Type': 'text/xml' },
    });
    toA.push(res);
    return res;
  };
  const key = (res: RawResponse) => xmlValue(res.body, 'messageKey');
  const bbbRequests = () => t.fakes.flatMap((f) => f.requests).length;

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 2 });
    a = await t.tenant('alpha', A_SECRET);
    b = await t.tenant('beta', B_SECRET);
    const created = await asA(hostOf('alpha'), 'create', 'meetingID=a-room&name=Alpha+Room&moderatorPW=alpha-mod-pw&attendeePW=alpha-att-pw');
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    const bCreated = await t.callAt(hostOf('beta'), 'create', 'meetingID=b-room&name=Beta+Board+Room&moderatorPW=beta-mod-pw&attendeePW=beta-att-pw', B_SECRET);
    expect(xmlValue(bCreated.body, 'returncode')).toBe('SUCCESS');
    await t.poll(); // getMeetings then serves what the servers report
  });
  afterAll(() => t.close());

  const CALLS: [string, string][] = [
    ['create', 'meetingID=a-room-2&name=x'],
    ['join', 'meetingID=a-room&fullName=Ann&role=MODERATOR'],
    ['isMeetingRunning', 'meetingID=a-room'],
    ['getMeetingInfo', 'meetingID=a-room'],
    ['getMeetings', ''],
    ['end', 'meetingID=a-room&password=alpha-mod-pw'],
  ];

  it("every call with A's secret against B's host fails with checksumError and reaches no BBB server", async () => {
    const before = bbbRequests();
    for (const [call, query] of CALLS) {
      const res = await asA(hostOf('beta'), call, query);
      expect([call, res.status, key(res)]).toEqual([call, 200, 'checksumError']);
      const onBsMeeting = await asA(hostOf('beta'), call, query.replace('a-room', 'b-room'));
      expect([call, key(onBsMeeting)]).toEqual([call, 'checksumError']);
    }
    expect(key(await insertAsA(hostOf('beta'), 'a-room'))).toBe('checksumError');
    expect(key(await insertAsA(hostOf('beta'), 'b-room'))).toBe('checksumError');
    expect(bbbRequests()).toBe(before);
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'a-room', tenantId: a.id }, Date.now())).toBeDefined();
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: b.id }, Date.now())).toBeDefined();
  });

  it("A's own host with B's meeting answers as if the meeting did not exist, and leaves it alone", async () => {
    const before = bbbRequests();
    const running = await asA(hostOf('alpha'), 'isMeetingRunning', 'meetingID=b-room');
    expect([xmlValue(running.body, 'returncode'), xmlValue(running.body, 'running')]).toEqual(['SUCCESS', 'false']);
    expect(key(await asA(hostOf('alpha'), 'getMeetingInfo', 'meetingID=b-room'))).toBe('notFound');
    expect(key(await asA(hostOf('alpha'), 'join', 'meetingID=b-room&fullName=Ann&role=MODERATOR'))).toBe('notFound');
    expect(key(await asA(hostOf('alpha'), 'end', 'meetingID=b-room&password=beta-mod-pw'))).toBe('notFound');
    expect(key(await insertAsA(hostOf('alpha'), 'b-room'))).toBe('notFound');
    expect(bbbRequests()).toBe(before);
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: b.id }, Date.now())).toMatchObject({ tenantId: b.id, name: 'Beta Board Room' });
  });

  it('two tenants run the same meetingID at the same time without seeing each other (namespaced towards BBB)', async () => {
    for (const f of t.fakes) f.clearRequests();
    const bBefore = await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: b.id }, Date.now());
    // (not through asA: these answers to A are about A's own b-room, which the last test must not flag)
    const asAOwn = (call: string, query: string) => t.callAt(hostOf('alpha'), call, query, A_SECRET);
    const create = await asAOwn('create', 'meetingID=b-room&name=Mine&moderatorPW=alpha-own');
    expect(xmlValue(create.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(create.body, 'meetingID')).toBe('b-room'); // the front-end's id, not BBB's
    const sent = t.fakes.flatMap((f) => f.requestsFor('create')).at(-1)!;
    expect(sent.params.meetingID).toBe(`${a.id}~b-room`);
    // B's meeting is untouched, and each tenant sees only its own
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: b.id }, Date.now())).toEqual(bBefore);
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: a.id }, Date.now())).toMatchObject({ tenantId: a.id, moderatorPW: 'alpha-own' });
    const aInfo = await asAOwn('getMeetingInfo', 'meetingID=b-room');
    expect([xmlValue(aInfo.body, 'meetingID'), xmlValue(aInfo.body, 'meetingName')]).toEqual(['b-room', 'Mine']);
    const bInfo = await t.callAt(hostOf('beta'), 'getMeetingInfo', 'meetingID=b-room', B_SECRET);
    expect([xmlValue(bInfo.body, 'meetingID'), xmlValue(bInfo.body, 'meetingName')]).toEqual(['b-room', 'Beta Board Room']);
    const join = await asAOwn('join', 'meetingID=b-room&fullName=Ann&role=MODERATOR');
    expect(new URL(String(join.headers.location)).searchParams.get('meetingID')).toBe(`${a.id}~b-room`);
    // A's end ends A's meeting only
    expect(xmlValue((await asAOwn('end', 'meetingID=b-room&password=alpha-own')).body, 'returncode')).toBe('SUCCESS');
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: a.id }, Date.now())).toBeUndefined();
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'b-room', tenantId: b.id }, Date.now())).toEqual(bBefore);
    const bRunning = await t.callAt(hostOf('beta'), 'getMeetingInfo', 'meetingID=b-room', B_SECRET);
    expect(xmlValue(bRunning.body, 'returncode')).toBe('SUCCESS');
  });

  it("A's own calls work on A's host and show only A's meetings", async () => {
    const running = await asA(hostOf('alpha'), 'isMeetingRunning', 'meetingID=a-room');
    expect(xmlValue(running.body, 'returncode')).toBe('SUCCESS');
    const info = await asA(hostOf('alpha'), 'getMeetingInfo', 'meetingID=a-room');
    expect(xmlValue(info.body, 'meetingName')).toBe('Alpha Room');
    const join = await asA(hostOf('alpha'), 'join', 'meetingID=a-room&fullName=Ann&role=MODERATOR');
    expect(join.status).toBe(302);
    expect(key(await insertAsA(hostOf('alpha'), 'a-room'))).toBeUndefined();
    const list = await asA(hostOf('alpha'), 'getMeetings', '');
    expect([...list.body.matchAll(/<meetingID>([^<]*)<\/meetingID>/g)].map((m) => m[1])).toEqual(['a-room']);
    const bList = await t.callAt(hostOf('beta'), 'getMeetings', '', B_SECRET);
    expect([...bList.body.matchAll(/<meetingID>([^<]*)<\/meetingID>/g)].map((m) => m[1])).toEqual(['b-room']);
  });

  it('create stamps the tenant (overriding what the client sent) and the tenant analytics-callback host', async () => {
    for (const f of t.fakes) f.clearRequests();
    await asA(hostOf('alpha'), 'create', 'meetingID=a-stamp&meta_tenant-id=forged&meta_tenant-name=beta&meta_analytics-callback-url=https%3A%2F%2Flms.example%2Fa');
    const sent = t.fakes.flatMap((f) => f.requestsFor('create')).at(-1)!;
    expect(sent.params).toMatchObject({
      'meta_tenant-id': a.id,
      'meta_tenant-name': 'alpha',
      'meta_analytics-callback-url': `https://alpha.${URL_HOST}/bigbluebutton/api/analytics_callback`,
    });
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'a-stamp', tenantId: a.id }, Date.now())).toMatchObject({ tenantId: a.id });
    // the records of the two tenants live in their own GSI2 partitions
    expect((await t.stack.deps.store.meetings.listByTenant(b.id, Date.now())).map((m) => m.meetingID)).toEqual(['b-room']);
  });

  it('a host that names no tenant, and the LB secret on a tenant host, fail with checksumError', async () => {
    for (const host of [URL_HOST, hostOf('gamma'), 'alpha.other.example.com', 'x.alpha.sl.example.com', '127.0.0.1']) {
      expect([host, key(await asA(host, 'isMeetingRunning', 'meetingID=a-room'))]).toEqual([host, 'checksumError']);
      expect([host, key(await asA(host, 'getMeetings', '', LB_SECRET))]).toEqual([host, 'checksumError']);
    }
    expect(key(await asA(hostOf('alpha'), 'getMeetings', '', LB_SECRET))).toBe('checksumError');
    expect(key(await asA(hostOf('alpha'), 'getMeetings', '', B_SECRET))).toBe('checksumError');
  });

  it('the host is read from Host: X-Forwarded-Host is ignored unless TRUST_FORWARDED_HOST', async () => {
    const spoofed = await t.callAt(hostOf('alpha'), 'getMeetingInfo', 'meetingID=b-room', A_SECRET, { headers: { 'X-Forwarded-Host': hostOf('beta') } });
    toA.push(spoofed);
    expect(key(spoofed)).toBe('notFound');
    const viaBsHost = await t.callAt(hostOf('beta'), 'isMeetingRunning', 'meetingID=a-room', A_SECRET, { headers: { 'X-Forwarded-Host': hostOf('alpha') } });
    toA.push(viaBsHost);
    expect(key(viaBsHost)).toBe('checksumError');
  });

  it('the host is case-insensitive and may carry a port', async () => {
    const res = await asA('ALPHA.SL.Example.COM:443', 'isMeetingRunning', 'meetingID=a-room');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
  });

  it('the index needs no tenant; getRecordings on a host naming no tenant fails like a bad checksum', async () => {
    const index = await rawRequest(t.url, '/bigbluebutton/api', { headers: { Host: hostOf('nobody') } });
    expect(xmlValue(index.body, 'returncode')).toBe('SUCCESS');
    const recordings = await rawRequest(t.url, `/bigbluebutton/api/getRecordings?${signQuery('getRecordings', '', A_SECRET)}`, { headers: { Host: hostOf('nobody') } });
    expect(xmlValue(recordings.body, 'messageKey')).toBe('checksumError');
  });

  it("no answer to A contained anything of B's meeting", () => {
    expect(toA.length).toBeGreaterThan(30);
    for (const res of toA) {
      const text = `${res.body}\n${JSON.stringify(res.headers)}`;
      // A's own request echoed in an error message is A's input, not B's data: strip A's failed-create text
      const withoutEcho = text.replace(`Couldn't find Meeting with id=b-room and tenant_id=${a.id}`, '');
      for (const marker of [...B_MARKERS, b.id]) expect(withoutEcho, `answer contains ${marker}`).not.toContain(marker);
    }
  });
});

describe('single-tenant mode', () => {
  let t: Awaited<ReturnType<typeof import('../helpers/test-stack.js').startTestStack>>;
  beforeAll(async () => {
    const { startTestStack } = await import('../helpers/test-stack.js');
    t = await startTestStack({ servers: 1 });
  });
  afterAll(() => t.close());

  it('getMeetings and lookups do not see meetings that belong to a tenant (their ids are namespaced)', async () => {
    await t.call('create', 'meetingID=plain&name=Plain');
    const now = Date.now();
    const { meetings } = t.stack.deps.store;
    expect(await meetings.create({ meetingID: 'tenants', serverId: 'bbb-1', tenantId: 'some-tenant', moderatorPW: 'mp', voiceBridge: '71234', createdAt: now, expiresAt: Math.floor(now / 1000) + 3600 }, now)).toBe(true);
    t.fakes[0].addMeeting({ meetingID: 'tenants', moderatorPW: 'mp', attendeePW: 'ap' });
    await t.poll();
    const list = await t.call('getMeetings');
    expect([...list.body.matchAll(/<meetingID>([^<]*)<\/meetingID>/g)].map((m) => m[1])).toEqual(['plain']);
    t.fakes[0].clearRequests();
    const info = await t.call('getMeetingInfo', 'meetingID=tenants');
    expect(xmlValue(info.body, 'messageKey')).toBe('notFound');
    expect(t.fakes[0].requestsFor('getMeetingInfo')).toEqual([]);
  });

  it('the Host header plays no part', async () => {
    const res = await rawRequest(t.url, `/bigbluebutton/api/getMeetings?${signQuery('getMeetings', '')}`, { headers: { Host: 'anything.example.org' } });
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
  });
});
