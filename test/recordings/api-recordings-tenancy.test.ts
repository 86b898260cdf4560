/**
 * Tenant isolation of the recording calls (reference §5.9, the multitenancy specs of §8.2), both ways:
 * a tenant never sees, publishes, updates or deletes another tenant's recording — nor one without a tenant —
 * and meta filters work in multitenant mode (Scalelite's return nothing there, §9.4.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../shared/domain/recording.js';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { rawRequest, xmlValue, type RawResponse } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { bbbRecordId, recording, seed, T0 } from './recording-fixtures.js';

const A_SECRET = 'alpha-recordings-secret';
const B_SECRET = 'beta-recordings-secret';
const ids = (body: string) => [...body.matchAll(/<recordID>([^<]*)<\/recordID>/g)].map((m) => m[1]);

describe('recordings in multitenant mode', () => {
  let t: TenancyStack;
  let a: { id: string };
  let b: { id: string };
  let aRecs: Recording[];
  let bRecs: Recording[];
  let orphan: Recording;
  const answers: { to: 'a' | 'b'; res: RawResponse }[] = [];
  const as = async (who: 'a' | 'b', call: string, query: string) => {
    const res = await t.callAt(hostOf(who === 'a' ? 'alpha' : 'beta'), call, query, who === 'a' ? A_SECRET : B_SECRET);
    expect(res.status).toBe(200);
    assertStrictXml(res.body, `${call} answer`);
    answers.push({ to: who, res });
    return res;
  };
  const stored = (id: string) => t.stack.deps.store.recordings.get(id);
  // the same meetingID in both tenants: BBB knows them as `<tenant>~shared-room`, so their record ids differ
  const tenantRecording = (tenantId: string, n: number, extra: Parameters<typeof recording>[0] = {}) =>
    recording({ tenantId, meetingID: 'shared-room', startTime: T0 + n * 1000, recordID: bbbRecordId(`${tenantId}~shared-room`, T0 + n * 1000), metadata: { 'test-key': `${tenantId}-value` }, ...extra });

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 0, env: { REGISTRY_TTL: '60' } });
    a = await t.tenant('alpha', A_SECRET);
    b = await t.tenant('beta', B_SECRET);
    t.stack.deps.registry.invalidate();
    aRecs = await seed(t.stack.deps, [tenantRecording(a.id, 1), tenantRecording(a.id, 2), tenantRecording(a.id, 3, { state: 'unpublished' })]);
    bRecs = await seed(t.stack.deps, [tenantRecording(b.id, 1), tenantRecording(b.id, 2), tenantRecording(b.id, 4)]);
    [orphan] = await seed(t.stack.deps, [recording({ meetingID: 'shared-room', startTime: T0 + 5000 })]);
  });
  afterAll(() => t.close());

  it('getRecordings lists only the host tenant’s recordings, whatever the parameters', async () => {
    const own = (list: Recording[]) => list.map((r) => r.recordID).reverse();
    expect(ids((await as('a', 'getRecordings', '')).body)).toEqual(own(aRecs));
    expect(ids((await as('b', 'getRecordings', '')).body)).toEqual(own(bRecs));
    expect(ids((await as('a', 'getRecordings', 'meetingID=shared-room')).body)).toEqual(own(aRecs));
    expect(ids((await as('a', 'getRecordings', `recordID=${bRecs[0].recordID},${aRecs[0].recordID}`)).body)).toEqual([aRecs[0].recordID]);
    expect(ids((await as('a', 'getRecordings', `recordID=${bRecs[0].recordID.slice(0, 40)}`)).body)).toEqual([]);
    expect(ids((await as('a', 'getRecordings', `recordID=${orphan.recordID}&state=any`)).body)).toEqual([]);
    const page = await as('b', 'getRecordings', 'limit=2');
    expect(ids(page.body)).toEqual(own(bRecs).slice(0, 2));
    expect(xmlValue(page.body, 'totalElements')).toBe('3');
  });

  it('answers carry all metadata (tenant-id included) and URLs on the tenant’s host', async () => {
    const body = (await as('a', 'getRecordings', `recordID=${aRecs[0].recordID}`)).body;
    expect(body).toContain(`<tenant-id>${a.id}</tenant-id>`);
    expect(body).toContain(`<test-key>${a.id}-value</test-key>`);
    expect(body).toContain(`<url>http://alpha.sl.example.com/recording/${aRecs[0].recordID}/presentation</url>`);
  });

  it('meta filters work in multitenant mode (Scalelite’s return nothing there)', async () => {
    expect(ids((await as('a', 'getRecordings', `meta_test-key=${a.id}-value&state=any`)).body)).toHaveLength(3);
    expect(ids((await as('a', 'getRecordings', `meta_test-key=${b.id}-value`)).body)).toEqual([]);
    expect(ids((await as('a', 'getRecordings', `meta_tenant-id=${b.id}`)).body)).toEqual([]);
  });

  it('publishRecordings: own recording changed; another tenant’s or a tenantless one is notFound and untouched', async () => {
    expect((await as('a', 'publishRecordings', `recordID=${aRecs[0].recordID}&publish=false`)).body).toContain('<published>false</published>');
    expect((await stored(aRecs[0].recordID))!.published).toBe(false);
    for (const id of [bRecs[0].recordID, orphan.recordID]) {
      const res = await as('a', 'publishRecordings', `recordID=${id}&publish=false`);
      expect(xmlValue(res.body, 'messageKey')).toBe('notFound');
      expect((await stored(id))!).toMatchObject({ published: true, version: 1 });
    }
    // a list mixing tenants changes only the caller's
    await as('b', 'publishRecordings', `recordID=${aRecs[1].recordID},${bRecs[1].recordID}&publish=false`);
    expect((await stored(bRecs[1].recordID))!.published).toBe(false);
    expect((await stored(aRecs[1].recordID))!.published).toBe(true);
  });

  it('updateRecordings: own → updated; another tenant’s, a tenantless one or a mixed list → updated=false, nothing changed', async () => {
    expect(xmlValue((await as('a', 'updateRecordings', `recordID=${aRecs[1].recordID}&meta_newparam=newvalue`)).body, 'updated')).toBe('true');
    expect((await stored(aRecs[1].recordID))!.metadata.newparam).toBe('newvalue');
    for (const list of [bRecs[2].recordID, orphan.recordID, `${aRecs[1].recordID},${bRecs[2].recordID}`]) {
      expect(xmlValue((await as('a', 'updateRecordings', `recordID=${list}&meta_intruder=yes&protect=true`)).body, 'updated'), list).toBe('false');
    }
    for (const r of [bRecs[2], orphan]) expect((await stored(r.recordID))!).toMatchObject({ protected: false, version: 1 });
    expect(Object.hasOwn((await stored(aRecs[1].recordID))!.metadata, 'intruder')).toBe(false);
  });

  it('deleteRecordings: own deleted (and still listed to its tenant with state=deleted); another tenant’s is notFound, its files kept', async () => {
    const storage = t.stack.storage;
    const key = (id: string) => `recordings/${id}/presentation/metadata.xml`;
    for (const r of [aRecs[2], bRecs[2]]) await storage.put(key(r.recordID), '<recording/>');
    const theirs = await as('a', 'deleteRecordings', `recordID=${bRecs[2].recordID}`);
    expect(xmlValue(theirs.body, 'messageKey')).toBe('notFound');
    expect(await storage.head(key(bRecs[2].recordID))).toBeDefined();
    expect((await stored(bRecs[2].recordID))!.state).toBe('published');

    expect(xmlValue((await as('a', 'deleteRecordings', `recordID=${aRecs[2].recordID},${bRecs[2].recordID}`)).body, 'deleted')).toBe('true');
    expect(await storage.head(key(aRecs[2].recordID))).toBeUndefined();
    expect(await storage.head(key(bRecs[2].recordID))).toBeDefined();
    expect((await stored(aRecs[2].recordID))!).toMatchObject({ state: 'deleted', tenantId: a.id });
    expect((await stored(bRecs[2].recordID))!.state).toBe('published');

    expect(ids((await as('a', 'getRecordings', 'state=deleted')).body)).toEqual([aRecs[2].recordID]);
    expect(ids((await as('b', 'getRecordings', 'state=deleted')).body)).toEqual([]);
    expect(ids((await as('b', 'getRecordings', `recordID=${aRecs[2].recordID}&state=any`)).body)).toEqual([]);
  });

  it('a host that names no tenant gets checksumError for every recording call; the LB secret is not a tenant’s', async () => {
    for (const call of ['getRecordings', 'publishRecordings', 'updateRecordings', 'deleteRecordings']) {
      const unknown = await t.callAt(hostOf('nobody'), call, `recordID=${aRecs[0].recordID}&publish=true`, A_SECRET);
      expect(xmlValue(unknown.body, 'messageKey'), call).toBe('checksumError');
      const crossed = await t.callAt(hostOf('alpha'), call, `recordID=${aRecs[0].recordID}&publish=true`, B_SECRET);
      expect(xmlValue(crossed.body, 'messageKey'), call).toBe('checksumError');
    }
    const bare = await rawRequest(t.url, '/bigbluebutton/api/getRecordings', { headers: { Host: hostOf('alpha') } });
    expect(xmlValue(bare.body, 'messageKey')).toBe('checksumError');
  });

  it('no answer to one tenant named a recording of the other (or a tenantless one)', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const { to, res } of answers) {
      const foreign = [...(to === 'a' ? bRecs : aRecs), orphan].map((r) => r.recordID);
      const foreignTenant = to === 'a' ? b.id : a.id;
      // a refused call echoes nothing: every record id in an answer is the caller's own
      for (const id of ids(res.body)) expect(foreign, `answer to ${to}`).not.toContain(id);
      expect(res.body, `answer to ${to}`).not.toContain(foreignTenant);
    }
  });
});

describe('recordings in single-tenant mode', () => {
  it('the LB sees the recordings without a tenant only (as for meetings)', async () => {
    const { startTestStack } = await import('../helpers/test-stack.js');
    const t = await startTestStack();
    try {
      const [mine, tenants] = await seed(t.stack.deps, [recording({ meetingID: 'st-room' }), recording({ meetingID: 'st-room', tenantId: 'some-tenant' })]);
      expect(ids((await t.call('getRecordings', 'meetingID=st-room')).body)).toEqual([mine.recordID]);
      expect(ids((await t.call('getRecordings', '')).body)).toEqual([mine.recordID]);
      expect(xmlValue((await t.call('publishRecordings', `recordID=${tenants.recordID}&publish=false`)).body, 'messageKey')).toBe('notFound');
      expect(xmlValue((await t.call('deleteRecordings', `recordID=${tenants.recordID}`)).body, 'messageKey')).toBe('notFound');
      expect((await t.stack.deps.store.recordings.get(tenants.recordID))!).toMatchObject({ state: 'published', version: 1 });
    } finally {
      await t.close();
    }
  });
});
