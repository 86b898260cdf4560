import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_NOT_FOUND_HTML } from '../../shared/domain/recording-not-found.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { CookieJar, makeRecording, newRecordId, putFile, request, saveRecording, type BytesResponse } from './playback-fixture.js';

// Real parts: the local stack (dynalite, the embedded S3), recordings saved through the store, files put
// in the bucket at the importer's keys, and real HTTP to the balancer. The file route serves whoever has
// the play route's cookies (`jar`, filled by playing PUB's formats); access itself: playback-access.test.ts.
let t: TestStack;
const jar = new CookieJar();
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => request(t.url, path, { method, headers: jar.headersFor(path, headers) });
const bare = (path: string) => request(t.url, path);

const PUB = newRecordId();
const UNPUB = newRecordId();
const DELETED = newRecordId();
const PROTECTED = newRecordId();
const UNKNOWN = newRecordId();

const METADATA = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<recording><id>x</id><meta><meetingName>Übung – Grüße ✓</meetingName></meta></recording>\n', 'utf8');
const WEBCAMS = randomBytes(256 * 1024 + 17);
const AUDIO = randomBytes(4096);
const VIDEO_INDEX = '<!DOCTYPE html><html><body><video src="video-0.m4v"></video></body></html>';
const SECRET = 'the unpublished recording’s private notes';

const expectNotFound = (r: BytesResponse) => {
  expect(r.status).toBe(404);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.body.toString('utf8')).toBe(RECORDING_NOT_FOUND_HTML);
};

beforeAll(async () => {
  t = await startTestStack();
  const { stack } = t;
  await saveRecording(stack, makeRecording(PUB));
  await saveRecording(stack, makeRecording(UNPUB, { published: false, state: 'unpublished' }));
  await saveRecording(stack, makeRecording(DELETED, { published: true, state: 'deleted' }));
  await saveRecording(stack, makeRecording(PROTECTED, { protected: true }));
  await putFile(stack, PUB, 'presentation', 'metadata.xml', METADATA);
  await putFile(stack, PUB, 'presentation', 'video/webcams.webm', WEBCAMS);
  await putFile(stack, PUB, 'presentation', 'presentation/d2f0/slide-1.png', randomBytes(300));
  await putFile(stack, PUB, 'presentation', 'presentation/d2f0/Übersicht 1.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await putFile(stack, PUB, 'podcast', 'audio.ogg', AUDIO);
  await putFile(stack, PUB, 'video', 'index.html', VIDEO_INDEX);
  await putFile(stack, PUB, 'video', 'video-0.m4v', randomBytes(1000));
  for (const id of [UNPUB, DELETED, PROTECTED]) await putFile(stack, id, 'presentation', 'metadata.xml', SECRET);
  await putFile(stack, PUB, 'presentation', 'presentation/d2f0/thumbnails/thumb-1.png', 'thumb');
  await putFile(stack, PROTECTED, 'presentation', 'presentation/d2f0/thumbnails/thumb-1.png', 'protected thumb');
  await stack.deps.storage!.put('uploads/bbb-1/x/u.tar', SECRET);
  for (const format of ['presentation', 'video', 'podcast']) jar.take(await bare(`/recording/${PUB}/${format}`));
});

afterAll(async () => {
  await t?.close();
});

describe('GET /<format>/<record id>/<path>', () => {
  it('streams the file with its type, length, ETag and Last-Modified, inline for presentation', async () => {
    const r = await get(`/presentation/${PUB}/metadata.xml`);
    expect(r.status).toBe(200);
    expect(r.body.equals(METADATA)).toBe(true);
    expect(r.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(r.headers['content-length']).toBe(String(METADATA.length));
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers.etag).toMatch(/^"[^"]+"$/);
    expect(Date.parse(r.headers['last-modified'] ?? '')).not.toBeNaN();
    expect(r.headers['content-disposition']).toBeUndefined();

    const video = await get(`/presentation/${PUB}/video/webcams.webm`);
    expect(video.status).toBe(200);
    expect(video.headers['content-type']).toBe('video/webm');
    expect(video.body.equals(WEBCAMS)).toBe(true);

    const png = await get(`/presentation/${PUB}/presentation/d2f0/slide-1.png`);
    expect(png.headers['content-type']).toBe('image/png');
    const utf8 = await get(`/presentation/${PUB}/presentation/d2f0/${encodeURIComponent('Übersicht 1.svg')}`);
    expect(utf8.status).toBe(200);
    expect(utf8.headers['content-type']).toBe('image/svg+xml');
    expect(utf8.body.toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
  });

  it('serves downloads as attachments (podcast), as Scalelite does for every format but presentation, video, screenshare', async () => {
    const r = await get(`/podcast/${PUB}/audio.ogg`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('audio/ogg');
    expect(r.headers['content-disposition']).toBe('attachment');
    expect(r.body.equals(AUDIO)).toBe(true);
    expect((await get(`/video/${PUB}/video-0.m4v`)).headers['content-disposition']).toBeUndefined();
  });

  it('answers one byte range with 206 and Content-Range, and 416 past the end', async () => {
    const size = WEBCAMS.length;
    const path = `/presentation/${PUB}/video/webcams.webm`;
    const mid = await get(path, { Range: 'bytes=1000-1999' });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 1000-1999/${size}`);
    expect(mid.headers['content-length']).toBe('1000');
    expect(mid.body.equals(WEBCAMS.subarray(1000, 2000))).toBe(true);

    const open = await get(path, { Range: `bytes=${size - 10}-` });
    expect(open.status).toBe(206);
    expect(open.headers['content-range']).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect(open.body.equals(WEBCAMS.subarray(size - 10))).toBe(true);

    const suffix = await get(path, { Range: 'bytes=-500' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers['content-range']).toBe(`bytes ${size - 500}-${size - 1}/${size}`);
    expect(suffix.body.equals(WEBCAMS.subarray(size - 500))).toBe(true);

    const clamped = await get(path, { Range: `bytes=${size - 3}-${size + 1000}` });
    expect(clamped.status).toBe(206);
    expect(clamped.headers['content-range']).toBe(`bytes ${size - 3}-${size - 1}/${size}`);
    expect(clamped.body.equals(WEBCAMS.subarray(size - 3))).toBe(true);

    for (const range of [`bytes=${size}-`, `bytes=${size + 5}-${size + 9}`, 'bytes=-0']) {
      const past = await get(path, { Range: range });
      expect(past.status, range).toBe(416);
      expect(past.headers['content-range'], range).toBe(`bytes */${size}`);
      expect(past.body.length).toBe(0);
    }

    // a range we do not serve (several ranges, another unit) is ignored: the whole file
    const multi = await get(path, { Range: 'bytes=0-1,5-6' });
    expect(multi.status).toBe(200);
    expect(multi.body.equals(WEBCAMS)).toBe(true);
  });

  it('honours If-None-Match (304) and If-Range (a stale validator gets the whole file)', async () => {
    const path = `/presentation/${PUB}/metadata.xml`;
    const { headers } = await get(path);
    const notModified = await get(path, { 'If-None-Match': headers.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(headers.etag);

    const sameVersion = await get(path, { Range: 'bytes=0-4', 'If-Range': headers.etag! });
    expect(sameVersion.status).toBe(206);
    expect(sameVersion.body.toString()).toBe('<?xml');
    const otherVersion = await get(path, { Range: 'bytes=0-4', 'If-Range': '"not-this-one"' });
    expect(otherVersion.status).toBe(200);
    expect(otherVersion.body.equals(METADATA)).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    const r = await get(`/presentation/${PUB}/video/webcams.webm`, {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(WEBCAMS.length));
    expect(r.headers['content-type']).toBe('video/webm');
    expect(r.body.length).toBe(0);
    const ranged = await get(`/presentation/${PUB}/video/webcams.webm`, { Range: 'bytes=0-9' }, 'HEAD');
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 0-9/${WEBCAMS.length}`);
    const missing = await get(`/presentation/${UNPUB}/metadata.xml`, {}, 'HEAD');
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
  });

  it("serves a directory's index.html, and sends /<format>/<id> to the directory", async () => {
    const dir = await get(`/video/${PUB}/`);
    expect(dir.status).toBe(200);
    expect(dir.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(dir.body.toString()).toBe(VIDEO_INDEX);
    const toDir = await get(`/video/${PUB}?t=10`);
    expect(toDir.status).toBe(301);
    expect(toDir.headers.location).toBe(`/video/${PUB}/?t=10`);
    // the redirect tells nothing (it is given for any record id); the directory is checked
    expect((await bare(`/podcast/${UNKNOWN}`)).headers.location).toBe(`/podcast/${UNKNOWN}/`);
    expectNotFound(await get(`/podcast/${PUB}/`)); // no index.html there
    expectNotFound(await get(`/presentation/${PUB}/presentation/`));
  });

  it('answers the "Recording Not Found" page without the cookies of that recording, and for missing files', async () => {
    for (const id of [UNKNOWN, UNPUB, DELETED, PROTECTED]) expectNotFound(await get(`/presentation/${id}/metadata.xml`));
    expectNotFound(await bare(`/presentation/${PUB}/metadata.xml`));
    // PUB's cookies sent along to another recording's files open nothing
    expectNotFound(await request(t.url, `/presentation/${UNPUB}/metadata.xml`, { headers: { Cookie: jar.header(`/presentation/${PUB}/`)! } }));
    expectNotFound(await get(`/presentation/${PUB}/nothing-here.xml`));
    expectNotFound(await get('/presentation/not_a.record.id/metadata.xml'));
  });

  it("serves slide thumbnails without cookies (front-ends show them in <img>) while the recording may play", async () => {
    const thumb = await bare(`/presentation/${PUB}/presentation/d2f0/thumbnails/thumb-1.png`);
    expect(thumb.status).toBe(200);
    expect(thumb.body.toString()).toBe('thumb');
    // a protected recording's too, unless PROTECTED_RECORDINGS_ENABLED (Scalelite; getRecordings hides them anyway)
    expect((await bare(`/presentation/${PROTECTED}/presentation/d2f0/thumbnails/thumb-1.png`)).body.toString()).toBe('protected thumb');
    await putFile(t.stack, UNPUB, 'presentation', 'presentation/d2f0/thumbnails/thumb-1.png', SECRET);
    expectNotFound(await bare(`/presentation/${UNPUB}/presentation/d2f0/thumbnails/thumb-1.png`));
    // nothing else goes without cookies
    expectNotFound(await bare(`/presentation/${PUB}/presentation/d2f0/slide-1.png`));
  });

  it('never serves a file outside the recording format’s directory (path traversal)', async () => {
    const attempts = [
      `/presentation/${PUB}/..%2F..%2F${UNPUB}%2Fpresentation%2Fmetadata.xml`,
      `/presentation/${PUB}/..%2f..%2f..%2fuploads%2fbbb-1%2fx%2fu.tar`,
      `/presentation/${PUB}/%2e%2e%2f%2e%2e%2f${UNPUB}/presentation/metadata.xml`,
      `/presentation/${PUB}/presentation%5C..%5C..%5C..%5C${UNPUB}%5Cpresentation%5Cmetadata.xml`,
      `/presentation/${PUB}//${UNPUB}/presentation/metadata.xml`,
      `/presentation/${PUB}/metadata.xml%00.png`,
      `/presentation/${PUB}/%252e%252e/%252e%252e/${UNPUB}/presentation/metadata.xml`,
      `/presentation/${PUB}/%E0%A4%A/metadata.xml`,
      `/presentation/..%2F${UNPUB}/metadata.xml`,
      `/presentation/${PUB}/${'a/'.repeat(500)}x`,
    ];
    for (const path of attempts) {
      const r = await get(path);
      expect(r.body.toString(), path).not.toContain(SECRET);
      expect(r.status, path).toBe(404);
      expect(r.body.toString(), path).toBe(RECORDING_NOT_FOUND_HTML);
    }
    // dot segments the URL parser resolves before routing leave the playback routes altogether
    for (const path of [`/presentation/${PUB}/../../uploads/bbb-1/x/u.tar`, `/presentation/${PUB}/%2e%2e/%2e%2e/${UNPUB}/presentation/metadata.xml`]) {
      const r = await get(path);
      expect(r.body.toString(), path).not.toContain(SECRET);
      expect(r.body.toString(), path).toContain('unsupportedRequest');
    }
  });
});

describe('GET /recording/<record id>/<format> (play)', () => {
  it('redirects (307) to the format’s playback URL with the access cookies', async () => {
    const r = await bare(`/recording/${PUB}/presentation`);
    expect(r.status).toBe(307);
    expect(r.headers.location).toBe(`/playback/presentation/2.3/${PUB}`);
    expect(r.headers['set-cookie']).toHaveLength(6);
    expect(r.headers['cache-control']).toBe('no-store');
    const podcast = await bare(`/recording/${PUB}/podcast/`);
    expect(podcast.headers.location).toBe(`/podcast/${PUB}/audio.ogg`);
    expect(podcast.headers['set-cookie']).toHaveLength(3);
  });

  it('answers the not-found page for unknown, unpublished, deleted and protected recordings and unknown formats', async () => {
    expectNotFound(await get(`/recording/${UNKNOWN}/presentation`));
    expectNotFound(await get(`/recording/${UNPUB}/presentation`));
    expectNotFound(await get(`/recording/${DELETED}/presentation`));
    expectNotFound(await get(`/recording/${PROTECTED}/presentation`)); // no token
    expectNotFound(await get(`/recording/${PROTECTED}/presentation?token=${'a'.repeat(64)}`)); // not one getRecordings minted
    expectNotFound(await get(`/recording/${PUB}/notes`));
  });

  it('follows Scalelite’s nginx: /playback/video/… and /recording/screenshare/… go to the file routes', async () => {
    const video = await get(`/playback/video/${PUB}/`);
    expect(video.status).toBe(307);
    expect(video.headers.location).toBe(`/video/${PUB}/`);
    const screenshare = await get(`/recording/screenshare/${PUB}/`);
    expect(screenshare.status).toBe(307);
    expect(screenshare.headers.location).toBe(`/screenshare/${PUB}/`);
    // and the whole way from the video format's playback URL to its page
    const page = await get((await get(`/recording/${PUB}/video`)).headers.location!);
    expect(page.headers.location).toBe(`/video/${PUB}/`);
    expect((await get(page.headers.location!)).body.toString()).toBe(VIDEO_INDEX);
  });
});

describe('with PROTECTED_RECORDINGS_ENABLED', () => {
  let p: TestStack;
  const THUMB = 'presentation/d2f0/thumbnails/thumb-1.png';
  beforeAll(async () => {
    p = await startTestStack({ env: { PROTECTED_RECORDINGS_ENABLED: 'true' } });
    await saveRecording(p.stack, makeRecording(PROTECTED, { protected: true }));
    await saveRecording(p.stack, makeRecording(PUB));
    await putFile(p.stack, PROTECTED, 'presentation', THUMB, SECRET);
    await putFile(p.stack, PUB, 'presentation', THUMB, 'thumb');
  });
  afterAll(async () => {
    await p?.close();
  });

  it("refuses a protected recording's thumbnails without cookies, not the others'", async () => {
    expectNotFound(await request(p.url, `/presentation/${PROTECTED}/${THUMB}`));
    expect((await request(p.url, `/presentation/${PUB}/${THUMB}`)).body.toString()).toBe('thumb');
  });
});

describe('with RECORDING_DISABLED', () => {
  let d: TestStack;
  beforeAll(async () => {
    d = await startTestStack({ env: { RECORDING_DISABLED: 'true' } });
    await saveRecording(d.stack, makeRecording(PUB));
    await putFile(d.stack, PUB, 'presentation', 'metadata.xml', METADATA);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('has no playback routes: the catch-all answers, as in Scalelite; the not-found page for CloudFront stays', async () => {
    const page = await request(d.url, '/errors/recording-not-found.html');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe(RECORDING_NOT_FOUND_HTML);
    for (const path of [`/presentation/${PUB}/metadata.xml`, `/recording/${PUB}/presentation`, `/playback/presentation/2.3/${PUB}`]) {
      const r = await request(d.url, path);
      expect(r.status, path).toBe(200);
      expect(r.body.toString(), path).toContain('<messageKey>unsupportedRequest</messageKey>');
    }
  });
});
