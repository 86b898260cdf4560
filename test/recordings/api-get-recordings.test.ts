/**
 * getRecordings through real HTTP (reference §5.3, the getRecordings specs of §8.2), single-tenant mode —
 * the document and the filters (pages: api-get-recordings-pages.test.ts):
 * recordings seeded with the store's `save`, every answer strict XML, Scalelite's bytes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { LB_SECRET, rawRequest, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import { podcast, presentation, recording, recordings, seed, T0, video } from './recording-fixtures.js';

const ids = (body: string) => [...body.matchAll(/<recordID>([^<]*)<\/recordID>/g)].map((m) => m[1]);
const strict = (res: RawResponse) => {
  expect(res.status).toBe(200);
  assertStrictXml(res.body, 'getRecordings answer');
  return res;
};

describe('getRecordings: the answer, parameters and filters', () => {
  let t: TestStack;
  const get = async (query: string) => strict(await t.call('getRecordings', query));
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(() => t.close());

  it('without a checksum, or with a wrong one, answers checksumError (HTTP 200)', async () => {
    for (const path of ['/bigbluebutton/api/getRecordings', `/bigbluebutton/api/getRecordings?checksum=${'x'.repeat(40)}`]) {
      const res = strict(await rawRequest(t.url, path));
      expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
      expect(xmlValue(res.body, 'messageKey')).toBe('checksumError');
    }
  });

  it('by meetingID: Scalelite’s document byte for byte (element order, empty metadata as CDATA, formats by name, absolute play-route URLs)', async () => {
    const r = recording({
      meetingID: 'bytes-room',
      name: "Fred's Room & <Co>",
      startTime: T0,
      endTime: T0 + 2_700_000,
      metadata: { empty: '', blank: '   ', quote: 'a "b" ü → 東京' },
      formats: [presentation, podcast, (id) => ({ ...video(id, 12), processingTime: 7177 })],
    });
    await seed(t.stack.deps, [r]);
    const id = r.recordID;
    const o = t.url;
    const slide = r.formats.presentation.thumbnails[0].url.split('/')[4];
    const thumb = (n: number) => `${o}/presentation/${id}/presentation/${slide}/thumbnails/thumb-${n}.png`;
    const res = await get('meetingID=bytes-room');
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toBe(
      [
        '<response>',
        '  <returncode>SUCCESS</returncode>',
        '  <recordings>',
        '    <recording>',
        `      <recordID>${id}</recordID>`,
        '      <meetingID>bytes-room</meetingID>',
        `      <internalMeetingID>${id}</internalMeetingID>`,
        "      <name>Fred's Room &amp; &lt;Co&gt;</name>",
        '      <published>true</published>',
        '      <state>published</state>',
        `      <startTime>${T0}</startTime>`,
        `      <endTime>${T0 + 2_700_000}</endTime>`,
        '      <participants>3</participants>',
        '      <metadata>',
        '        <bbb-origin>Greenlight</bbb-origin>',
        '        <bbb-origin-version>v3</bbb-origin-version>',
        '        <gl-listed>false</gl-listed>',
        '        <empty>',
        '          <![CDATA[]]>',
        '        </empty>',
        '        <blank>',
        '          <![CDATA[]]>',
        '        </blank>',
        '        <quote>a "b" ü → 東京</quote>',
        '      </metadata>',
        '      <playback>',
        '        <format>',
        '          <type>podcast</type>',
        `          <url>${o}/recording/${id}/podcast</url>`,
        '          <length>33</length>',
        '        </format>',
        '        <format>',
        '          <type>presentation</type>',
        `          <url>${o}/recording/${id}/presentation</url>`,
        '          <length>33</length>',
        '          <preview>',
        '            <images>',
        `              <image alt="Welcome to" width="176" height="136">${thumb(1)}</image>`,
        `              <image alt="Slide &quot;two&quot; &amp; &lt;more&gt;" width="176" height="136">${thumb(2)}</image>`,
        `              <image alt="Slide &quot;two&quot; &amp; &lt;more&gt;" width="176" height="136">${thumb(3)}</image>`,
        '            </images>',
        '          </preview>',
        '        </format>',
        '        <format>',
        '          <type>video</type>',
        `          <url>${o}/recording/${id}/video</url>`,
        '          <length>12</length>',
        '          <processingTime>7177</processingTime>',
        '        </format>',
        '      </playback>',
        '    </recording>',
        '  </recordings>',
        '</response>',
        '',
      ].join('\n'),
    );
  });

  it('no match: an empty <recordings> and noRecordings after it, byte for byte', async () => {
    const res = await get('meetingID=nobody-recorded-this');
    expect(res.body).toBe(
      '<response>\n  <returncode>SUCCESS</returncode>\n  <recordings>\n  </recordings>\n' +
        '  <messageKey>noRecordings</messageKey>\n  <message>There are not recordings for the meetings</message>\n</response>\n',
    );
  });

  it('optional elements: no <state>/<participants> when unknown, thumbnails without attributes, odd metadata made strict', async () => {
    const r = recording({
      meetingID: 'sparse-room',
      state: undefined,
      published: false,
      participants: undefined,
      metadata: { 'bad name': 'dropped', ctrl: 'a\u0001b\u0085c', amp: '&<>' },
      formats: [(id) => ({ type: 'presentation', url: `/playback/presentation/2.3/${id}`, length: 0, thumbnails: [{ url: `/presentation/${id}/t.png` }] })],
    });
    await seed(t.stack.deps, [r]);
    const body = (await get('meetingID=sparse-room&state=any')).body;
    expect(ids(body)).toEqual([r.recordID]);
    expect(body).not.toContain('<state>');
    expect(body).not.toContain('<participants>');
    expect(body).toContain(`<image alt="" width="" height="">${t.url}/presentation/${r.recordID}/t.png</image>`);
    expect(body).not.toContain('bad name');
    // a C0 control becomes U+FFFD; U+0085 is Windows-1252's ellipsis (Builder's XChar)
    expect(body).toContain('<ctrl>a\uFFFDb…c</ctrl>');
    expect(body).toContain('<amp>&amp;&lt;&gt;</amp>');
  });

  it('several meetingIDs (comma list), newest first; several recordIDs', async () => {
    const [a1, a2, b1] = await seed(t.stack.deps, [
      recording({ meetingID: 'multi-a', startTime: T0 + 1000 }),
      recording({ meetingID: 'multi-a', startTime: T0 + 3000 }),
      recording({ meetingID: 'multi-b', startTime: T0 + 2000 }),
    ]);
    await seed(t.stack.deps, recordings(5, { meetingID: 'multi-other' }));
    expect(ids((await get('meetingID=multi-a,multi-b')).body)).toEqual([a2.recordID, b1.recordID, a1.recordID]);
    expect(ids((await get(`recordID=${a1.recordID},${b1.recordID}`)).body)).toEqual([b1.recordID, a1.recordID]);
    // both given: both apply (Scalelite)
    expect(ids((await get(`recordID=${a1.recordID},${b1.recordID}&meetingID=multi-b`)).body)).toEqual([b1.recordID]);
  });

  it('recordID matches by case-sensitive prefix: the first 40 characters find the 20 recordings of that meeting', async () => {
    await seed(t.stack.deps, recordings(5, { meetingID: 'prefix-other' }));
    const twenty = await seed(t.stack.deps, recordings(20, { meetingID: 'bulk-prefix-match', startTime: T0 + 10_000_000 }));
    const prefix = twenty[0].recordID.slice(0, 40);
    const body = (await get(`recordID=${prefix}`)).body;
    expect(ids(body)).toHaveLength(20);
    expect(body.match(/<meetingID>bulk-prefix-match<\/meetingID>/g)).toHaveLength(20);
    const upper = (await get(`recordID=${twenty[0].recordID.toUpperCase()}`)).body;
    expect(xmlValue(upper, 'messageKey')).toBe('noRecordings');
    expect(ids(upper)).toEqual([]);
    // `,` alone lists no id; an empty entry is a prefix of every id
    expect(ids((await get('recordID=%2C')).body)).toEqual([]);
    expect(ids((await get(`recordID=${twenty[0].recordID}%2C%2Cnothing&meetingID=bulk-prefix-match`)).body)).toHaveLength(20);
  });

  it('ids longer than any key DynamoDB takes match nothing (no internalError)', async () => {
    const long = 'x'.repeat(3000);
    for (const query of [`meetingID=${long}`, `recordID=${long}`, `meetingID=a,${long}&limit=5`]) {
      const res = await get(query);
      expect(xmlValue(res.body, 'returncode'), query.slice(0, 20)).toBe('SUCCESS');
      expect(ids(res.body)).toEqual([]);
    }
  });

  it('state: published and unpublished by default, a list, or any', async () => {
    const states = ['published', 'unpublished', 'processing', 'processed', 'deleted'] as const;
    const list = await seed(t.stack.deps, states.map((state, i) => recording({ meetingID: 'state-room', state, startTime: T0 + i })));
    const idOf = (s: string) => list[states.indexOf(s as (typeof states)[number])].recordID;
    expect(ids((await get('meetingID=state-room')).body).sort()).toEqual([idOf('published'), idOf('unpublished')].sort());
    expect(ids((await get('meetingID=state-room&state=processing,deleted')).body).sort()).toEqual([idOf('processing'), idOf('deleted')].sort());
    expect(ids((await get('meetingID=state-room&state=deleted,any')).body)).toHaveLength(5);
    expect(ids((await get('meetingID=state-room&state=unknown')).body)).toEqual([]);
    // Scalelite's "filters based on recording states": by recordID with state=published,unpublished
    const r = (s: string) => idOf(s);
    expect(ids((await get(`recordID=${r('processing')},${r('unpublished')},${r('deleted')}&state=published,unpublished`)).body)).toEqual([r('unpublished')]);
  });

  it('meta_* filters are AND-ed (BBB), each with a value list (Scalelite); Scalelite would OR them', async () => {
    const [onlyContext, onlyOrigin, both, bothOther] = await seed(t.stack.deps, [
      recording({ meetingID: 'meta-room', metadata: { 'bbb-context-name': 'test1' } }),
      recording({ meetingID: 'meta-room', metadata: { 'bbb-origin-tag': 'GL' } }),
      recording({ meetingID: 'meta-room', metadata: { 'bbb-context-name': 'test2', 'bbb-origin-tag': 'GL' } }),
      recording({ meetingID: 'meta-room', metadata: { 'bbb-context-name': 'test3', 'bbb-origin-tag': 'GL' } }),
    ]);
    const q = (meta: string) => get(`meetingID=meta-room&${meta}`).then((res) => ids(res.body).sort());
    expect(await q('meta_bbb-context-name=test1,test2&meta_bbb-origin-tag=GL')).toEqual([both.recordID]);
    expect(await q('meta_bbb-context-name=test1,test2')).toEqual([onlyContext.recordID, both.recordID].sort());
    expect(await q('meta_bbb-origin-tag=GL')).toEqual([onlyOrigin.recordID, both.recordID, bothOther.recordID].sort());
    expect(await q('meta_BBB-Origin-Tag=GL')).toHaveLength(3); // the key is lower-cased, as BBB and updateRecordings do
    expect(await q('meta_bbb-origin-tag=gl')).toEqual([]); // values are exact
    expect(await q('meta_bbb-origin-tag=')).toEqual([]);
    // the same on the tenant-wide listing (no meetingID): the filter runs in the Query
    const all = ids((await get('meta_bbb-context-name=test1,test2&meta_bbb-origin-tag=GL')).body);
    expect(all).toEqual([both.recordID]);
    // and on a page (the ids come from the lean index, filtered in the Query alone)
    const paged = await get('meta_bbb-context-name=test1,test2&meta_bbb-origin-tag=GL&limit=10');
    expect(ids(paged.body)).toEqual([both.recordID]);
    expect(xmlValue(paged.body, 'totalElements')).toBe('1');
    expect(xmlValue((await get('meta_bbb-origin-tag=GL&meta_bbb-context-name=test3,test9&state=published&limit=10')).body, 'totalElements')).toBe('1');
    // long value lists: more than DynamoDB's 100 IN operands, and past its 4 KB expression limit (then filtered here)
    for (const count of [150, 800]) {
      const values = ['GL', ...Array.from({ length: count }, (_, i) => `v${i}`)].join(',');
      const long = await get(`meta_bbb-origin-tag=${values}&limit=10`);
      expect(ids(long.body).sort(), `${count} values`).toEqual([onlyOrigin.recordID, both.recordID, bothOther.recordID].sort());
      expect(xmlValue(long.body, 'totalElements')).toBe('3');
    }
  });

  it('Scalelite’s own meta-filter case answers 3 there (OR) and 0 here (AND): no recording has both keys', async () => {
    const [r1, r2, r3] = await seed(t.stack.deps, [
      recording({ meetingID: 'or-room', state: 'published', metadata: { 'bbb-context-name': 'test1' } }),
      recording({ meetingID: 'or-room', state: 'unpublished', metadata: { 'bbb-origin-tag': 'GL' } }),
      recording({ meetingID: 'or-room', state: 'deleted', metadata: { 'bbb-origin-tag': 'GL' } }),
    ]);
    const list = `recordID=${r1.recordID},${r2.recordID},${r3.recordID}&state=published,unpublished,deleted`;
    expect(ids((await get(`${list}&meta_bbb-context-name=test1,test2&meta_bbb-origin-tag=GL`)).body)).toEqual([]);
    expect(ids((await get(`${list}&meta_bbb-origin-tag=GL`)).body).sort()).toEqual([r2.recordID, r3.recordID].sort());
  });

  it('protected recordings: a new one-time token per format and call, stored with its TTL; thumbnails hidden; <protected> only with PROTECTED_RECORDINGS_ENABLED', async () => {
    const [p] = await seed(t.stack.deps, [recording({ meetingID: 'protected-room', protected: true })]);
    const tokensOf = (body: string) => [...body.matchAll(/<url>([^<]*)<\/url>/g)].map((m) => new URL(m[1]));
    const first = (await get('meetingID=protected-room')).body;
    expect(first).not.toContain('<preview>');
    expect(first).not.toContain('<protected>');
    const urls = tokensOf(first);
    expect(urls.map((u) => `${u.origin}${u.pathname}`)).toEqual([`${t.url}/recording/${p.recordID}/podcast`, `${t.url}/recording/${p.recordID}/presentation`]);
    const tokens = urls.map((u) => u.searchParams.get('token') ?? '');
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tokens).size).toBe(2);
    const again = tokensOf((await get('meetingID=protected-room')).body).map((u) => u.searchParams.get('token'));
    expect(again.some((token) => tokens.includes(token!))).toBe(false);
    // stored for PROTECTED_RECORDINGS_TOKEN_TIMEOUT (60 min by default), for its recording and format
    const now = t.stack.deps.clock();
    const held = await t.stack.deps.store.playbackTokens.consume(tokens[1], now + 59 * 60_000);
    expect(held).toEqual({ recordID: p.recordID, format: 'presentation' });
    expect(await t.stack.deps.store.playbackTokens.consume(tokens[0], now + 61 * 60_000)).toBeUndefined();
  });

  it('URLs are absolute on the origin the client addressed (Host with its port)', async () => {
    await seed(t.stack.deps, [recording({ meetingID: 'origin-room' })]);
    const query = `meetingID=origin-room&checksum=${createHash('sha1').update(`getRecordingsmeetingID=origin-room${LB_SECRET}`).digest('hex')}`;
    const res = strict(await rawRequest(t.url, `/bigbluebutton/api/getRecordings?${query}`, { headers: { Host: 'recordings.example.org:8443' } }));
    expect(res.body).toMatch(/<url>http:\/\/recordings\.example\.org:8443\/recording\/[0-9a-f]{40}-\d+\/presentation<\/url>/);
    expect(res.body).toMatch(/>http:\/\/recordings\.example\.org:8443\/presentation\/[^<]+thumb-1\.png<\/image>/);
  });
});
