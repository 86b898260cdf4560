import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_NOT_FOUND_HTML } from '../../shared/domain/recording-not-found.js';
import { playerFileKey } from '../../shared/storage/storage-keys.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { CookieJar, makeRecording, newRecordId, putFile, request, saveRecording, setCookies } from './playback-fixture.js';

// The presentation player at /playback/presentation/2.3/: BBB's bbb-playback from the bucket (what
// `slctl playback:install` writes), or our page while none is installed.
const PUB = newRecordId();
const UNPUB = newRecordId();
const PROTECTED = newRecordId();
const PLAYER_INDEX = '<!DOCTYPE html><html><head><script src="/playback/presentation/2.3/static/js/main.1234.js"></script></head><body><div id="root"></div></body></html>';
const PLAYER_JS = 'console.log("bbb-playback");';

let t: TestStack;
const get = (path: string, headers: Record<string, string> = {}) => request(t.url, path, { headers });

const expectNotFound = (r: { status: number; body: Buffer }, what: string) => {
  expect(r.status, what).toBe(404);
  expect(r.body.toString(), what).toBe(RECORDING_NOT_FOUND_HTML);
};

beforeAll(async () => {
  t = await startTestStack();
  await saveRecording(t.stack, makeRecording(PUB, { name: 'Algebra <1>' }));
  await saveRecording(t.stack, makeRecording(UNPUB, { published: false, state: 'unpublished' }));
  await saveRecording(t.stack, makeRecording(PROTECTED, { protected: true, meetingID: 'protected-lecture' }));
  await putFile(t.stack, PUB, 'presentation', 'metadata.xml', '<recording/>');
  await putFile(t.stack, PUB, 'presentation', 'shapes.svg', '<svg/>');
  await putFile(t.stack, PUB, 'presentation', 'presentation/d2f0/Folie 1.png', 'png');
  await putFile(t.stack, PROTECTED, 'presentation', 'shapes.svg', '<svg protected/>');
});

afterAll(async () => {
  await t?.close();
});

describe('while no player is installed', () => {
  it("answers a page saying so, with links to the recording's files (which its cookies open) and other formats", async () => {
    const r = await get(`/playback/presentation/2.3/${PUB}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = r.body.toString();
    expect(html).toContain('<title>Algebra &#60;1&#62;</title>');
    expect(html).toContain('slctl playback:install DIR');
    expect(html).toContain(`<a href="/presentation/${PUB}/metadata.xml">metadata.xml</a>`);
    expect(html).toContain(`<a href="/presentation/${PUB}/presentation/d2f0/Folie%201.png">presentation/d2f0/Folie 1.png</a>`);
    expect(html).toContain(`<a href="/recording/${PUB}/podcast">podcast</a>`);
    // an unprotected recording's page hands out fresh cookies (old links skip the play route)
    expect(setCookies(r)).toHaveLength(6);
    const jar = new CookieJar().take(r);
    const path = `/presentation/${PUB}/presentation/d2f0/Folie%201.png`;
    expect((await get(path, jar.headersFor(path))).body.toString()).toBe('png');
  });

  it('answers the not-found page for recordings that may not play, and for player files', async () => {
    expectNotFound(await get(`/playback/presentation/2.3/${UNPUB}`), 'unpublished');
    expectNotFound(await get(`/playback/presentation/2.3/${PROTECTED}`), 'protected, no cookies');
    expectNotFound(await get(`/playback/presentation/2.3/${newRecordId()}`), 'unknown');
    expectNotFound(await get('/playback/presentation/2.3/static/js/main.1234.js'), 'no player installed');
  });

  it('sends the 2.0 player’s links to the 2.3 player (Scalelite’s nginx)', async () => {
    const r = await get(`/playback/presentation/2.0/playback.html?meetingId=${PUB}`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`/playback/presentation/2.3/${PUB}?meetingId=${PUB}`);
  });
});

describe('with the player in the bucket', () => {
  beforeAll(async () => {
    await t.stack.storage.put(playerFileKey('index.html'), PLAYER_INDEX, { contentType: 'text/html' });
    await t.stack.storage.put(playerFileKey('static/js/main.1234.js'), PLAYER_JS);
  });

  it("serves the player's page for a recording that may play, and its files to anybody", async () => {
    const page = await get(`/playback/presentation/2.3/${PUB}?t=1m`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store'); // it carries this viewer's cookies
    expect(page.body.toString()).toBe(PLAYER_INDEX);
    const js = await get('/playback/presentation/2.3/static/js/main.1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body.toString()).toBe(PLAYER_JS);
    expect(js.headers['cache-control']).toBe('no-cache');
    expect(setCookies(js)).toEqual([]);
    // what the player then loads, relative to the recording (bbb-playback's buildFileURL), with the page's cookies
    const jar = new CookieJar().take(page);
    const shapes = `/presentation/${PUB}/shapes.svg`;
    expect((await get(shapes, jar.headersFor(shapes))).body.toString()).toBe('<svg/>');
  });

  it('a protected recording: the page only with the cookies its play route handed out for a token', async () => {
    const list = await t.call('getRecordings', 'meetingID=protected-lecture');
    const url = new URL(/<url>([^<]*\/presentation\?token=[0-9a-f]{64})<\/url>/.exec(list.body)![1]);
    const play = await get(`${url.pathname}${url.search}`);
    expect(play.status).toBe(307);
    const jar = new CookieJar().take(play);
    const player = `/playback/presentation/2.3/${PROTECTED}`;
    const page = await get(player, jar.headersFor(player));
    expect(page.body.toString()).toBe(PLAYER_INDEX);
    expect(setCookies(page)).toEqual([]); // it keeps the ones it has
    expect(page.headers['cache-control']).toBe('no-cache');
    const shapes = `/presentation/${PROTECTED}/shapes.svg`;
    expect((await get(shapes, jar.headersFor(shapes))).body.toString()).toBe('<svg protected/>');
    expectNotFound(await get(player), 'no cookies');
    // another recording's cookies do not open it
    const pubJar = new CookieJar().take(await get(`/recording/${PUB}/presentation`));
    expectNotFound(await get(player, { Cookie: pubJar.header(`/playback/presentation/2.3/${PUB}`)! }), 'cookies of another recording');
  });

  it('answers the not-found page for recordings that may not play, missing files and paths out of the player', async () => {
    expectNotFound(await get(`/playback/presentation/2.3/${UNPUB}`), 'unpublished');
    expectNotFound(await get('/playback/presentation/2.3/static/js/missing.js'), 'missing');
    expectNotFound(await get('/playback/presentation/2.3/'), 'the directory');
    for (const path of [
      `/playback/presentation/2.3/..%2F..%2F..%2Frecordings%2F${PUB}%2Fpresentation%2Fmetadata.xml`,
      `/playback/presentation/2.3/static/..%2F..%2F..%2F..%2Frecordings/${PUB}/presentation/metadata.xml`,
      '/playback/presentation/2.3/%2Fetc%2Fpasswd',
    ]) {
      const r = await get(path);
      expect(r.body.toString(), path).not.toContain('<recording/>');
      expectNotFound(r, path);
    }
  });
});
