/**
 * getRecordings listing the whole tenant, by POST, paginated as BBB 2.6 (`offset`, `limit`,
 * `<totalElements>`), and with GET_RECORDINGS_API_FILTERED — through real HTTP, single-tenant mode.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedForm } from '../helpers/post-sign.js';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { LB_SECRET, rawRequest, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import { bbbRecordId, recording, recordings, seed, T0 } from './recording-fixtures.js';

const ids = (body: string) => [...body.matchAll(/<recordID>([^<]*)<\/recordID>/g)].map((m) => m[1]);
const strict = (res: RawResponse) => {
  expect(res.status).toBe(200);
  assertStrictXml(res.body, 'getRecordings answer');
  return res;
};

describe('getRecordings: listing, POST, pagination (BBB 2.6)', () => {
  let t: TestStack;
  let all: string[];
  const get = async (query: string) => strict(await t.call('getRecordings', query));
  beforeAll(async () => {
    t = await startTestStack();
    const published = recordings(25, { startTime: T0 });
    const other = [recording({ state: 'unpublished', startTime: T0 - 1000 }), recording({ state: 'processing', startTime: T0 - 2000 })];
    await seed(t.stack.deps, [...published, ...other]);
    all = [...published, ...other]
      .filter((r) => r.state !== 'processing')
      .sort((a, b) => b.startTime - a.startTime)
      .map((r) => r.recordID);
  });
  afterAll(() => t.close());

  it('only a checksum: every published and unpublished recording, newest first (GET and POST)', async () => {
    expect(ids((await get('')).body)).toEqual(all);
    const posted = strict(await rawRequest(t.url, '/bigbluebutton/api/getRecordings', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `checksum=${createHash('sha1').update(`getRecordings${LB_SECRET}`).digest('hex')}` }));
    expect(ids(posted.body)).toEqual(all);
    const form = strict(await rawRequest(t.url, '/bigbluebutton/api/getRecordings', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: signedForm('getRecordings', [['state', 'any']]) }));
    expect(ids(form.body)).toHaveLength(27);
  });

  it('offset and limit page the newest-first list; <totalElements> counts every match', async () => {
    const page1 = await get('limit=10');
    expect(ids(page1.body)).toEqual(all.slice(0, 10));
    expect(xmlValue(page1.body, 'totalElements')).toBe('26');
    expect(page1.body).toMatch(/<\/recordings>\n {2}<totalElements>26<\/totalElements>\n<\/response>\n$/);
    const page3 = await get('offset=20&limit=10');
    expect(ids(page3.body)).toEqual(all.slice(20, 30));
    expect(xmlValue(page3.body, 'totalElements')).toBe('26');
    const past = await get('offset=500&limit=10');
    expect(ids(past.body)).toEqual([]);
    expect(past.body).toMatch(/<messageKey>noRecordings<\/messageKey>\n {2}<message>There are not recordings for the meetings<\/message>\n {2}<totalElements>26<\/totalElements>\n<\/response>\n$/);
    // pages with filters count the filtered matches
    const any = await get('state=any&offset=25&limit=5');
    expect(xmlValue(any.body, 'totalElements')).toBe('27');
    expect(ids(any.body)).toHaveLength(2);
  });

  it('parameter validation as BBB: limit clamped to 1–100, offset below 0 or invalid is 0, no valid limit = no pagination', async () => {
    expect(ids((await get('limit=0')).body)).toEqual(all.slice(0, 1));
    expect(ids((await get('limit=-7')).body)).toEqual(all.slice(0, 1));
    expect(ids((await get('offset=-5&limit=2')).body)).toEqual(all.slice(0, 2));
    expect(ids((await get('offset=abc&limit=%2B2')).body)).toEqual(all.slice(0, 2));
    for (const query of ['limit=abc', 'limit=', 'limit=2.5', 'limit=99999999999', 'offset=3']) {
      const body = (await get(query)).body;
      expect(ids(body), query).toEqual(all);
      expect(body, query).not.toContain('<totalElements>');
    }
  });

  it('pagination applies to meetingID and recordID lists too', async () => {
    const room = await seed(t.stack.deps, recordings(7, { meetingID: 'paged-room', startTime: T0 + 50_000_000 }));
    const newest = room.map((r) => r.recordID).reverse();
    const res = await get('meetingID=paged-room,nobody&offset=2&limit=3');
    expect(ids(res.body)).toEqual(newest.slice(2, 5));
    expect(xmlValue(res.body, 'totalElements')).toBe('7');
    const byPrefix = await get(`recordID=${room[0].recordID.slice(0, 40)}&limit=100`);
    expect(ids(byPrefix.body)).toEqual(newest);
    expect(xmlValue(byPrefix.body, 'totalElements')).toBe('7');
  });

  it('a limit of more than 100 pages by 100', async () => {
    await seed(t.stack.deps, recordings(90, { startTime: T0 - 10_000_000 }));
    const res = await get('limit=500');
    expect(ids(res.body)).toHaveLength(100);
    expect(xmlValue(res.body, 'totalElements')).toBe('123');
  });
});

describe('getRecordings: GET_RECORDINGS_API_FILTERED', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ env: { GET_RECORDINGS_API_FILTERED: 'true' } });
  });
  afterAll(() => t.close());

  it('answers missingParameters without meetingID or recordID, and filters as usual with them', async () => {
    const [a, b] = await seed(t.stack.deps, [recording({ meetingID: 'filtered-a' }), recording({ meetingID: 'filtered-b' })]);
    for (const query of ['', 'state=any', 'meetingID=&recordID=%20', 'limit=10']) {
      const res = strict(await t.call('getRecordings', query));
      expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
      expect(xmlValue(res.body, 'messageKey')).toBe('missingParameters');
      expect(xmlValue(res.body, 'message')).toBe('param meetingID or recordID must be included.');
    }
    expect(ids(strict(await t.call('getRecordings', 'meetingID=filtered-a,filtered-b')).body).sort()).toEqual([a.recordID, b.recordID].sort());
    expect(ids(strict(await t.call('getRecordings', `recordID=${a.recordID},${b.recordID}`)).body).sort()).toEqual([a.recordID, b.recordID].sort());
    expect(ids(strict(await t.call('getRecordings', `recordID=${bbbRecordId('filtered-a', 9)}`)).body)).toEqual([]);
  });
});
