import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_NOT_FOUND_HTML } from '../../shared/domain/recording-not-found.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { makeRecording, newRecordId, putFile, request, saveRecording } from './playback-fixture.js';

// The presentation player at /playback/presentation/2.3/: BBB's bbb-playback from PLAYBACK_PLAYER_DIR, or our page.
const PUB = newRecordId();
const UNPUB = newRecordId();
const PROTECTED = newRecordId();
const PLAYER_INDEX = '<!DOCTYPE html><html><head><script src="/playback/presentation/2.3/static/js/main.1234.js"></script></head><body><div id="root"></div></body></html>';
const PLAYER_JS = 'console.log("bbb-playback");';

async function seed(t: TestStack): Promise<void> {
  await saveRecording(t.stack, makeRecording(PUB, { name: 'Algebra <1>' }));
  await saveRecording(t.stack, makeRecording(UNPUB, { published: false, state: 'unpublished' }));
  await saveRecording(t.stack, makeRecording(PROTECTED, { protected: true }));
  await putFile(t.stack, PUB, 'presentation', 'metadata.xml', '<recording/>');
  await putFile(t.stack, PUB, 'presentation', 'shapes.svg', '<svg/>');
  await putFile(t.stack, PUB, 'presentation', 'presentation/d2f0/Folie 1.png', 'png');
}

const expectNotFound = (r: { status: number; body: Buffer }, what: string) => {
  expect(r.status, what).toBe(404);
  expect(r.body.toString(), what).toBe(RECORDING_NOT_FOUND_HTML);
};

describe('without PLAYBACK_PLAYER_DIR', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
    await seed(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers a page saying the player is not installed, with links to the recording's files and other formats", async () => {
    const r = await request(t.url, `/playback/presentation/2.3/${PUB}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = r.body.toString();
    expect(html).toContain('<title>Algebra &#60;1&#62;</title>');
    expect(html).toContain('PLAYBACK_PLAYER_DIR');
    expect(html).toContain(`<a href="/presentation/${PUB}/metadata.xml">metadata.xml</a>`);
    expect(html).toContain(`<a href="/presentation/${PUB}/presentation/d2f0/Folie%201.png">presentation/d2f0/Folie 1.png</a>`);
    expect(html).toContain(`<a href="/recording/${PUB}/podcast">podcast</a>`);
    // the links work
    expect((await request(t.url, `/presentation/${PUB}/presentation/d2f0/Folie%201.png`)).body.toString()).toBe('png');
  });

  it('answers the not-found page for recordings that may not play, and for player files', async () => {
    expectNotFound(await request(t.url, `/playback/presentation/2.3/${UNPUB}`), 'unpublished');
    expectNotFound(await request(t.url, `/playback/presentation/2.3/${PROTECTED}`), 'protected');
    expectNotFound(await request(t.url, `/playback/presentation/2.3/${newRecordId()}`), 'unknown');
    expectNotFound(await request(t.url, '/playback/presentation/2.3/static/js/main.1234.js'), 'no player installed');
  });

  it('sends the 2.0 player’s links to the 2.3 player (Scalelite’s nginx)', async () => {
    const r = await request(t.url, `/playback/presentation/2.0/playback.html?meetingId=${PUB}`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`/playback/presentation/2.3/${PUB}?meetingId=${PUB}`);
  });
});

describe('with PLAYBACK_PLAYER_DIR', () => {
  let t: TestStack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'player-'));
    mkdirSync(join(dir, 'static', 'js'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), PLAYER_INDEX);
    writeFileSync(join(dir, 'static', 'js', 'main.1234.js'), PLAYER_JS);
    writeFileSync(join(dir, '..', `outside-${PUB}.txt`), 'outside the player');
    t = await startTestStack({ env: { PLAYBACK_PLAYER_DIR: dir } });
    await seed(t);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', `outside-${PUB}.txt`), { force: true });
  });

  it("serves the player's page for a recording that may play, and its files", async () => {
    const page = await request(t.url, `/playback/presentation/2.3/${PUB}?t=1m`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toBe(PLAYER_INDEX);
    const js = await request(t.url, '/playback/presentation/2.3/static/js/main.1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body.toString()).toBe(PLAYER_JS);
    // what the player then loads, relative to the recording (bbb-playback's buildFileURL)
    expect((await request(t.url, `/presentation/${PUB}/shapes.svg`)).body.toString()).toBe('<svg/>');
  });

  it('answers the not-found page for recordings that may not play, missing files and paths out of the directory', async () => {
    expectNotFound(await request(t.url, `/playback/presentation/2.3/${UNPUB}`), 'unpublished');
    expectNotFound(await request(t.url, '/playback/presentation/2.3/static/js/missing.js'), 'missing');
    for (const path of [`/playback/presentation/2.3/..%2Foutside-${PUB}.txt`, `/playback/presentation/2.3/static/..%2F..%2F..%2Foutside-${PUB}.txt`, '/playback/presentation/2.3/%2Fetc%2Fpasswd']) {
      const r = await request(t.url, path);
      expect(r.body.toString(), path).not.toContain('outside the player');
      expectNotFound(r, path);
    }
  });
});
