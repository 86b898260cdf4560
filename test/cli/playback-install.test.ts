/**
 * `slctl playback:install DIR [--dry-run]` as the real binary against the embedded S3 of a local stack: a
 * bbb-playback-shaped build uploaded under playback/presentation/2.3/ with content types and Cache-Control,
 * stale player files removed only after every upload succeeded, and the directories it refuses.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYER_PREFIX, playerFileKey } from '../../shared/storage/storage-keys.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

const f = useSlctlFixture('slctl-playback-install');
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'slctl-player-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const slctl = (args: string[], s3Endpoint = f.stack.s3Endpoint) => f.slctl(args, { env: { S3_ENDPOINT: s3Endpoint }, timeoutMs: SPAWN_TIMEOUT });

/**
 * A proxy in front of the embedded S3 that refuses the PUT of any key containing `refuse` (403
 * AccessDenied, which the SDK does not retry) and forwards everything else.
 */
async function refusingProxy(refuse: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const upstream = new URL(f.stack.s3Endpoint);
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT' && (req.url ?? '').includes(refuse)) {
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      });
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A directory with these files (path → content). */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

/** What a build of bbb-playback looks like (`npm run build` + the version file of its deploy script). */
const BUILD: Record<string, string> = {
  'index.html': '<!doctype html><html><script src="/playback/presentation/2.3/static/js/main.3f2a1b9c.js"></script></html>',
  'bbb-playback-version': '5.1.1\n',
  'config.json': '{"controls":{"about":true}}',
  'manifest.json': '{"short_name":"Playback"}',
  'static/js/main.3f2a1b9c.js': 'console.log("player")',
  'static/js/787.28cb0dcd.chunk.js': 'console.log("chunk")',
  'static/css/main.073c9b0a.css': 'body{margin:0}',
  'static/media/logo.5d5d9eef.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'locales/en.json': '{"button.play":"Play"}',
};

async function playerKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of f.stack.storage.list(PLAYER_PREFIX)) keys.push(o.key.slice(PLAYER_PREFIX.length));
  return keys.sort();
}

async function text(key: string): Promise<string | undefined> {
  const o = await f.stack.storage.get(key);
  if (!o) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of o.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const bytes = (files: Record<string, string>) => Object.values(files).reduce((n, b) => n + Buffer.byteLength(b), 0);

describe('slctl playback:install', () => {
  it('refuses a directory without index.html, a missing directory and no argument (exit 1, one line)', async () => {
    const empty = tree('no-index', { 'static/js/main.12345678.js': 'x' });
    expect(await slctl(['playback:install', empty])).toEqual({
      code: 1,
      stdout: '',
      stderr: `ERROR: ${empty} has no index.html: it is not a build of the player (bbb-playback's build/ directory, or /var/bigbluebutton/playback/presentation/2.3 of a BBB server)\n`,
    });
    expect(await slctl(['playback:install', join(work, 'missing')])).toEqual({ code: 1, stdout: '', stderr: `ERROR: ${join(work, 'missing')} is not a directory\n` });
    expect(await slctl(['playback:install'])).toEqual({ code: 1, stdout: '', stderr: "Error: name the player's directory (a build of bbb-playback, with index.html)\n" });
    expect(await playerKeys()).toEqual([]);
  }, SPAWN_TIMEOUT * 3);

  it('installs a build: every file with its content type and Cache-Control, links outside skipped, stale files removed; --dry-run first changes nothing', async () => {
    const dir = tree('build', BUILD);
    writeFileSync(join(work, 'secret.txt'), 'outside the player');
    symlinkSync(join(work, 'secret.txt'), join(dir, 'outside-link.txt'));
    symlinkSync('config.json', join(dir, 'config-link.json')); // inside: uploaded with the target's content
    await f.stack.storage.put(playerFileKey('static/js/main.0ld0ld00.js'), 'old player');
    await f.stack.storage.put('recordings/keep-me/presentation/metadata.xml', '<recording/>');

    const dry = await slctl(['playback:install', dir, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toBe('skipped: outside-link.txt (a symbolic link leading outside the directory)\n');
    const dryLines = dry.stdout.trimEnd().split('\n');
    expect(dryLines[0]).toBe('Dry run: nothing is uploaded or removed.');
    expect(dryLines).toContain('upload index.html (text/html; charset=utf-8; no-cache)');
    expect(dryLines).toContain('upload static/js/main.3f2a1b9c.js (text/javascript; charset=utf-8; public, max-age=31536000, immutable)');
    expect(dryLines).toContain('remove static/js/main.0ld0ld00.js');
    expect(dryLines.at(-1)).toBe(`Would install the presentation player 5.1.1 at s3://${f.stack.config.s3Bucket}/${PLAYER_PREFIX}: 10 files (${bytes(BUILD) + Buffer.byteLength(BUILD['config.json'])} B); would remove 1 stale file`);
    expect(await playerKeys()).toEqual(['static/js/main.0ld0ld00.js']);

    const r = await slctl(['playback:install', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('skipped: outside-link.txt (a symbolic link leading outside the directory)\n');
    expect(r.stdout).toBe(`Installed the presentation player 5.1.1 at s3://${f.stack.config.s3Bucket}/${PLAYER_PREFIX}: 10 files (${bytes(BUILD) + Buffer.byteLength(BUILD['config.json'])} B); removed 1 stale file\n`);
    expect(await playerKeys()).toEqual([...Object.keys(BUILD), 'config-link.json'].sort());
    for (const [path, body] of Object.entries(BUILD)) expect(await text(playerFileKey(path)), path).toBe(body);
    expect(await text(playerFileKey('config-link.json'))).toBe(BUILD['config.json']);

    const head = (path: string) => f.stack.storage.head(playerFileKey(path));
    expect(await head('index.html')).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(await head('static/js/787.28cb0dcd.chunk.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' });
    expect(await head('static/css/main.073c9b0a.css')).toMatchObject({ contentType: 'text/css; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' });
    expect(await head('static/media/logo.5d5d9eef.svg')).toMatchObject({ contentType: 'image/svg+xml', cacheControl: 'public, max-age=31536000, immutable' });
    expect(await head('config.json')).toMatchObject({ contentType: 'application/json', cacheControl: 'public, max-age=300' });
    expect(await head('bbb-playback-version')).toMatchObject({ contentType: 'application/octet-stream', cacheControl: 'public, max-age=300' });
    // nothing outside the player's prefix is touched
    expect(await text('recordings/keep-me/presentation/metadata.xml')).toBe('<recording/>');
  }, SPAWN_TIMEOUT * 2);

  it('a failed upload leaves the installed player whole: nothing is removed, exit 1', async () => {
    const dir = tree('broken', { 'index.html': '<html>new</html>', 'static/js/refused.12345678.js': 'the bucket refuses this one' });
    const before = await playerKeys();
    const proxy = await refusingProxy('refused');
    let r;
    try {
      r = await slctl(['playback:install', dir], proxy.endpoint);
    } finally {
      await proxy.close();
    }
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe('not uploaded: static/js/refused.12345678.js: Access Denied\nError: 1 of 2 files not uploaded; nothing was removed. Run the install again.\n');
    expect(await playerKeys()).toEqual(before);
    expect(await text(playerFileKey('index.html'))).toBe('<html>new</html>'); // the files that could be uploaded are
  }, SPAWN_TIMEOUT);

  it('warns about a directory that does not look like a bbb-playback build, installs it, and says the version is unknown', async () => {
    const dir = tree('plain', { 'index.html': '<html>plain</html>' });
    const r = await slctl(['playback:install', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${dir} has no static/ directory: it does not look like a build of bbb-playback\n`);
    expect(r.stdout).toMatch(/^Installed the presentation player \(no bbb-playback-version file: version unknown\) at .*: 1 file \(18 B\); removed 9 stale files\n$/);
    expect(await playerKeys()).toEqual(['index.html']);
  }, SPAWN_TIMEOUT);
});
