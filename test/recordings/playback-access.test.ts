/**
 * Issue 11's access flow over real HTTP, in multitenant mode: getRecordings hands out play routes, the
 * play route decides (published, tenant, one-time token) and hands out CloudFront signed cookies, the file
 * route checks only those cookies (as CloudFront does at the edge). The clock is injected: token and
 * cookie expiry are moved past without waiting.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../shared/domain/recording.js';
import { RECORDING_NOT_FOUND_HTML, RECORDING_NOT_FOUND_PATH } from '../../shared/domain/recording-not-found.js';
import { createApp } from '../../shared/http/create-app.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { keys } from '../../shared/store/keys.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { hostOf, memoryLog, startTenancyStack, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { CookieJar, makeRecording, newRecordId, putFile, request, saveRecording, setCookies, type BytesResponse } from './playback-fixture.js';

const T0 = Date.UTC(2024, 2, 1, 12, 0, 0);
let now = T0;
const minutes = (n: number) => n * 60_000;

let t: TenancyStack;
let alpha: Tenant;
const A = hostOf('alpha');
const B = hostOf('beta');
const at = (host: string, path: string, headers: Record<string, string> = {}) => request(t.url, path, { headers: { Host: host, ...headers } });
/** GET with the jar's cookies for that path */
const withJar = (jar: CookieJar, host: string, path: string, headers: Record<string, string> = {}) => at(host, path, jar.headersFor(path, headers));

const PUB = newRecordId();
const GONE = newRecordId();
const PROT = newRecordId();
const UNPUB = newRecordId();
const THUMB = 'presentation/d2f0/thumbnails/thumb-1.png';
const WEBCAMS = randomBytes(64 * 1024);
const MODERN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IOS12_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 12_1_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1';

const expectNotFound = (r: BytesResponse, what = '') => {
  expect(r.status, what).toBe(404);
  expect(r.body.toString(), what).toBe(RECORDING_NOT_FOUND_HTML);
};

/** The `<url>`s of a getRecordings answer of alpha's, by format. */
async function playUrls(meetingID: string): Promise<Record<string, URL>> {
  const res = await t.callAt(A, 'getRecordings', `meetingID=${meetingID}`, 'alpha-secret');
  const urls: Record<string, URL> = {};
  for (const m of res.body.matchAll(/<type>([^<]*)<\/type>\s*<url>([^<]*)<\/url>/g)) urls[m[1]] = new URL(m[2]);
  return urls;
}
const pathOf = (u: URL) => `${u.pathname}${u.search}`;

/** Plays a format of a recording of alpha's and returns the browser's jar. */
async function play(recordID: string, format: string, headers: Record<string, string> = {}): Promise<CookieJar> {
  const r = await at(A, `/recording/${recordID}/${format}`, headers);
  expect(r.status).toBe(307);
  return new CookieJar().take(r);
}

/** Runs `fn` with the clock moved `ms` ahead, then puts it back. */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  now += ms;
  try {
    return await fn();
  } finally {
    now -= ms;
  }
}

beforeAll(async () => {
  t = await startTenancyStack({
    servers: 0,
    clock: () => now,
    env: { TRUST_FORWARDED_HOST: 'true', PLAYBACK_COOKIE_TIMEOUT: '30', PROTECTED_RECORDINGS_TIMEOUT: '120' },
  });
  alpha = await t.tenant('alpha', 'alpha-secret');
  await t.tenant('beta', 'beta-secret');
  const own = (id: string, meetingID: string, over: Partial<Recording> = {}) => {
    const r = makeRecording(id, { meetingID, tenantId: alpha.id, metadata: { 'tenant-id': alpha.id }, ...over });
    r.formats.presentation.thumbnails = [{ url: `/presentation/${id}/${THUMB}`, width: 176, height: 136, alt: 'first' }];
    return saveRecording(t.stack, r);
  };
  await own(PUB, 'm-pub');
  await own(GONE, 'm-gone');
  await own(PROT, 'm-prot', { protected: true });
  await own(UNPUB, 'm-unpub', { published: false, state: 'unpublished' });
  for (const id of [PUB, GONE, PROT, UNPUB]) {
    await putFile(t.stack, id, 'presentation', 'metadata.xml', `<recording>${id}</recording>`);
    await putFile(t.stack, id, 'presentation', THUMB, `thumb of ${id}`);
  }
  await putFile(t.stack, PUB, 'presentation', 'video/webcams.webm', WEBCAMS);
  await putFile(t.stack, PROT, 'podcast', 'audio.ogg', 'protected audio');
});

afterAll(async () => {
  await t?.close();
});

describe('a published recording', () => {
  it('getRecordings → play route → cookies → its files (200, 206 with Range); nothing without the cookies', async () => {
    const urls = await playUrls('m-pub');
    expect(urls.presentation.href).toBe(`http://${A}/recording/${PUB}/presentation`);
    expect(urls.video.href).toBe(`http://${A}/recording/${PUB}/video`);
    const r = await at(A, pathOf(urls.presentation));
    expect(r.status).toBe(307);
    expect(r.headers.location).toBe(`/playback/presentation/2.3/${PUB}`);
    const jar = new CookieJar().take(r);

    const metadata = await withJar(jar, A, `/presentation/${PUB}/metadata.xml`);
    expect(metadata.status).toBe(200);
    expect(metadata.body.toString()).toBe(`<recording>${PUB}</recording>`);
    const ranged = await withJar(jar, A, `/presentation/${PUB}/video/webcams.webm`, { Range: 'bytes=100-1099' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 100-1099/${WEBCAMS.length}`);
    expect(ranged.body.equals(WEBCAMS.subarray(100, 1100))).toBe(true);

    expectNotFound(await at(A, `/presentation/${PUB}/metadata.xml`), 'no cookie');
    expectNotFound(await at(A, `/presentation/${PUB}/video/webcams.webm`, { Range: 'bytes=0-9' }), 'no cookie, ranged');
  });

  it('the file route decides from the cookies alone: no recording is read', async () => {
    const jar = await play(PUB, 'presentation');
    const reads: string[] = [];
    const repo = t.stack.deps.store.recordings;
    const counted = new Proxy(repo, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          reads.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const app = createApp({ ...t.stack.deps, store: { ...t.stack.deps.store, recordings: counted } });
    const path = `/presentation/${PUB}/metadata.xml`;
    const res = await app.request(`http://${A}${path}`, { headers: { Host: A, Cookie: jar.header(path)! } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`<recording>${PUB}</recording>`);
    expect(reads).toEqual([]);
    // the play route reads it once
    expect((await app.request(`http://${A}/recording/${PUB}/podcast`, { headers: { Host: A } })).status).toBe(307);
    expect(reads).toEqual(['get']);
  });

  it('after unpublish the play route refuses at once; an open player keeps its cookies until they expire', async () => {
    const jar = await play(GONE, 'presentation');
    const res = await t.callAt(A, 'publishRecordings', `recordID=${GONE}&publish=false`, 'alpha-secret');
    expect(res.body).toContain('<published>false</published>');
    expectNotFound(await at(A, `/recording/${GONE}/presentation`), 'play after unpublish');
    expectNotFound(await at(A, `/playback/presentation/2.3/${GONE}`), 'player after unpublish');
    expectNotFound(await at(A, `/presentation/${GONE}/${THUMB}`), 'thumbnail after unpublish');
    // documented (docs/RECORDINGS.md §6): the cookies handed out before still open the files, until they expire
    expect((await withJar(jar, A, `/presentation/${GONE}/metadata.xml`)).status).toBe(200);
    await later(minutes(31), async () => expectNotFound(await withJar(jar, A, `/presentation/${GONE}/metadata.xml`), 'expired'));
  });

  it("another tenant's host: neither A's play route nor A's cookies work there", async () => {
    expectNotFound(await at(B, `/recording/${PUB}/presentation`), "A's play route on B's host");
    const jar = await play(PUB, 'presentation');
    const path = `/presentation/${PUB}/metadata.xml`;
    expectNotFound(await at(B, path, { Cookie: jar.header(path)! }), "A's cookies replayed on B's host");
    expectNotFound(await at(B, `/playback/presentation/2.3/${PUB}`, { Cookie: jar.header(`/playback/presentation/2.3/${PUB}`)! }), "A's player on B's host");
    expect((await at(A, path, { Cookie: jar.header(path)! })).status).toBe(200);
  });

  it('thumbnails open without cookies while the recording may play, not when unpublished', async () => {
    const list = (await t.callAt(A, 'getRecordings', 'meetingID=m-pub', 'alpha-secret')).body;
    const src = new URL(/<image [^>]*>([^<]*)<\/image>/.exec(list)![1]);
    expect(src.href).toBe(`http://${A}/presentation/${PUB}/${THUMB}`);
    const thumb = await at(A, src.pathname);
    expect(thumb.status).toBe(200);
    expect(thumb.body.toString()).toBe(`thumb of ${PUB}`);
    expectNotFound(await at(A, `/presentation/${UNPUB}/${THUMB}`), 'unpublished');
    expectNotFound(await at(B, src.pathname), "on another tenant's host");
  });

  it('cookies expire after PLAYBACK_COOKIE_TIMEOUT minutes', async () => {
    const jar = await play(PUB, 'presentation');
    const path = `/presentation/${PUB}/metadata.xml`;
    expect((await later(minutes(29), () => withJar(jar, A, path))).status).toBe(200);
    await later(minutes(30), async () => expectNotFound(await withJar(jar, A, path), 'expired'));
  });
});

describe('a protected recording', () => {
  it('plays only with a token from getRecordings, once; thumbnails are not listed', async () => {
    const list = (await t.callAt(A, 'getRecordings', 'meetingID=m-prot', 'alpha-secret')).body;
    expect(list).not.toContain('<image');
    const urls = await playUrls('m-prot');
    for (const format of ['presentation', 'podcast', 'video']) {
      expect(`${urls[format].origin}${urls[format].pathname}`).toBe(`http://${A}/recording/${PROT}/${format}`);
      expect(urls[format].searchParams.get('token')).toMatch(/^[0-9a-f]{64}$/);
    }
    expectNotFound(await at(A, `/recording/${PROT}/presentation`), 'no token');
    expectNotFound(await at(A, `/recording/${PROT}/presentation?token=${urls.presentation.searchParams.get('token')!.toUpperCase()}`), 'not lowercase');
    expectNotFound(await at(A, `/recording/${PROT}/presentation${urls.podcast.search}`), "another format's token");
    expectNotFound(await at(B, pathOf(urls.video)), "on another tenant's host");

    const first = await at(A, pathOf(urls.presentation));
    expect(first.status).toBe(307);
    const jar = new CookieJar().take(first);
    expect((await withJar(jar, A, `/presentation/${PROT}/metadata.xml`)).body.toString()).toBe(`<recording>${PROT}</recording>`);
    expect((await withJar(jar, A, `/playback/presentation/2.3/${PROT}`)).status).toBe(200);
    expectNotFound(await at(A, pathOf(urls.presentation)), 'second use');
    expectNotFound(await at(A, `/presentation/${PROT}/metadata.xml`), 'files without the cookies');
  });

  it('two concurrent uses of one token: exactly one plays', async () => {
    const url = pathOf((await playUrls('m-prot')).presentation);
    const answers = await Promise.all([at(A, url), at(A, url)]);
    expect(answers.map((r) => r.status).sort()).toEqual([307, 404]);
    expect(answers.find((r) => r.status === 307)!.headers['set-cookie']).toHaveLength(6);
    expect(setCookies(answers.find((r) => r.status === 404)!)).toEqual([]);
  });

  it('a token expires after PROTECTED_RECORDINGS_TOKEN_TIMEOUT (60 min)', async () => {
    const urls = await playUrls('m-prot');
    await later(minutes(60), async () => expectNotFound(await at(A, pathOf(urls.presentation)), 'expired token'));
    expect((await later(minutes(59), () => at(A, pathOf(urls.podcast)))).status).toBe(307);
  });

  it('its cookies last PROTECTED_RECORDINGS_TIMEOUT minutes', async () => {
    const jar = new CookieJar().take(await at(A, pathOf((await playUrls('m-prot')).podcast)));
    const path = `/podcast/${PROT}/audio.ogg`;
    expect((await later(minutes(119), () => withJar(jar, A, path))).body.toString()).toBe('protected audio');
    await later(minutes(120), async () => expectNotFound(await withJar(jar, A, path), 'expired'));
  });
});

describe('Set-Cookie attributes', () => {
  const parse = (r: BytesResponse) =>
    setCookies(r).map((line) => {
      const [pair, ...attrs] = line.split('; ');
      return { name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), attrs };
    });

  it('https (X-Forwarded-Proto): Secure, HttpOnly, SameSite=None, per-recording paths, host-only session cookies', async () => {
    const r = await at(A, `/recording/${PUB}/presentation`, { 'X-Forwarded-Proto': 'https', 'User-Agent': MODERN_UA });
    const cookies = parse(r);
    expect(cookies.map((c) => `${c.name} ${c.attrs.join('; ')}`).sort()).toEqual(
      ['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']
        .flatMap((name) => [`/presentation/${PUB}/`, `/playback/presentation/2.3/${PUB}`].map((path) => `${name} Path=${path}; Secure; HttpOnly; SameSite=None`))
        .sort(),
    );
    const policy = JSON.parse(Buffer.from(cookies.find((c) => c.name === 'CloudFront-Policy')!.value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString());
    expect(policy).toEqual({ Statement: [{ Resource: `https://${A}/*/${PUB}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(now / 1000) + 30 * 60 } } }] });

    // the policy names the origin: the same cookies over http open nothing
    const jar = new CookieJar().take(r);
    const path = `/presentation/${PUB}/metadata.xml`;
    expect((await withJar(jar, A, path, { 'X-Forwarded-Proto': 'https' })).status).toBe(200);
    expectNotFound(await withJar(jar, A, path), 'https cookies on http');
  });

  it('https, a browser that mishandles SameSite=None (iOS 12): no SameSite at all (Scalelite answered 500)', async () => {
    const r = await at(A, `/recording/${PUB}/video`, { 'X-Forwarded-Proto': 'https', 'User-Agent': IOS12_UA });
    expect(r.status).toBe(307);
    const cookies = parse(r);
    expect(cookies).toHaveLength(3);
    for (const c of cookies) expect(c.attrs).toEqual([`Path=/video/${PUB}/`, 'Secure', 'HttpOnly']);
  });

  it('http (npm start): SameSite=Lax, not Secure', async () => {
    const cookies = parse(await at(A, `/recording/${PUB}/podcast`, { 'User-Agent': MODERN_UA }));
    expect(cookies).toHaveLength(3);
    for (const c of cookies) expect(c.attrs).toEqual([`Path=/podcast/${PUB}/`, 'HttpOnly', 'SameSite=Lax']);
  });
});

describe('without a signing key', () => {
  it('refuses every play and file, and logs that CF_KEY_PAIR_ID / CF_PRIVATE_KEY_B64 are missing', async () => {
    const log = memoryLog();
    const app = createApp({ ...t.stack.deps, signer: undefined, log });
    for (const path of [`/recording/${PUB}/presentation`, `/playback/presentation/2.3/${PUB}`, `/presentation/${PUB}/metadata.xml`]) {
      const res = await app.request(`http://${A}${path}`, { headers: { Host: A } });
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toBe(RECORDING_NOT_FOUND_HTML);
    }
    expect(log.lines.filter((l) => l.level === 'error' && /CF_KEY_PAIR_ID.*CF_PRIVATE_KEY_B64/.test(l.msg))).toHaveLength(2);
    expect(log.lines.filter((l) => l.msg === 'playback').map((l) => l.fields?.reason)).toEqual(['noSigner', 'noSigner', 'noSigner']);
  });
});

it("serves the not-found page for CloudFront's error responses with 200", async () => {
  const r = await at(A, RECORDING_NOT_FOUND_PATH);
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.headers['cache-control']).toBe('public, max-age=300');
  expect(r.body.toString()).toBe(RECORDING_NOT_FOUND_HTML);
});

describe('PlaybackTokenRepo (dynalite)', () => {
  const token = () => randomBytes(32).toString('hex');
  const nowS = () => Math.floor(now / 1000);

  it('mints in batches of 25 and each token is used up once', async () => {
    const repo = t.stack.deps.store.playbackTokens;
    const minted = Array.from({ length: 60 }, (_, i) => ({ token: token(), recordID: PROT, format: `f${i}`, expiresAt: nowS() + 60 }));
    await repo.mint(minted);
    const db = createDocumentClient({ endpoint: t.stack.dynamoEndpoint });
    const item = (await db.send(new GetCommand({ TableName: t.stack.config.dynamodbTable, Key: keys.playbackToken(minted[59].token) }))).Item;
    db.destroy();
    expect(item).toEqual({ pk: `PLAYBACKTOKEN#${minted[59].token}`, sk: 'PLAYBACKTOKEN', type: 'playbackToken', recordID: PROT, format: 'f59', expiresAt: nowS() + 60 });
    const first = await Promise.all(minted.map((m) => repo.consume(m.token, now)));
    expect(first).toEqual(minted.map((m) => ({ recordID: PROT, format: m.format })));
    expect(await Promise.all(minted.slice(0, 3).map((m) => repo.consume(m.token, now)))).toEqual([undefined, undefined, undefined]);
  });

  it('two consumes of one token: one wins; an expired or unknown token gives nothing', async () => {
    const repo = t.stack.deps.store.playbackTokens;
    const raced = token();
    const old = token();
    await repo.mint([
      { token: raced, recordID: PUB, format: 'presentation', expiresAt: nowS() + 60 },
      { token: old, recordID: PUB, format: 'presentation', expiresAt: nowS() + 60 },
    ]);
    const results = await Promise.all([repo.consume(raced, now), repo.consume(raced, now)]);
    expect(results.filter((r) => r !== undefined)).toEqual([{ recordID: PUB, format: 'presentation' }]);
    expect(await repo.consume(old, now + 60_000)).toBeUndefined();
    expect(await repo.consume(old, now + 59_000)).toEqual({ recordID: PUB, format: 'presentation' });
    expect(await repo.consume(token(), now)).toBeUndefined();
  });
});
