import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUploadKey } from '../../shared/storage/storage-keys.js';
import { rawRequest, startTestStack, type TestStack } from '../helpers/test-stack.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../bbb/scalelite-upload.sh');
const WRAPPER = join(dirname(fileURLToPath(import.meta.url)), '../../bbb/scalelite_upload.rb');
const RID = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9-1700000000123';
const OTHER_RID = 'ffffffffffffffffffffffffffffffffffffffff-1700000000999';
const SECRET = 'bbb1-secret-for-uploads-0123456789';

const has = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

interface Run {
  code: number;
  stderr: string;
}

/** Runs a command without blocking this process (the balancer under test answers from it). */
const run = (file: string, args: string[], env: Record<string, string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr: String(stderr) });
    });
  });

/** Every entry of a tar: name, type and (files) content. */
async function tarEntries(body: NodeJS.ReadableStream): Promise<Map<string, { type: string; content: Buffer }>> {
  const extract = tar.extract();
  body.pipe(extract);
  const entries = new Map<string, { type: string; content: Buffer }>();
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    entries.set(entry.header.name, { type: entry.header.type ?? 'file', content: Buffer.concat(chunks) });
  }
  return entries;
}

/** BBB's published tree: three formats of RID (UTF-8 names, binary files), one format of another recording. */
function publishedTree(root: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    [`presentation/${RID}/metadata.xml`]: Buffer.from(`<recording><id>${RID}</id><meta><meetingName>Überblick – Kurs</meetingName></meta></recording>`),
    [`presentation/${RID}/shapes.svg`]: Buffer.from('<svg/>'),
    [`presentation/${RID}/presentation/d2d9a672/thumbnails/thumb-1.png`]: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]),
    [`presentation/${RID}/presentation/d2d9a672/Präsentation ünd Noten.pdf`]: Buffer.from('%PDF-1.4 é'),
    [`video/${RID}/metadata.xml`]: Buffer.from(`<recording><id>${RID}</id></recording>`),
    [`video/${RID}/video-0.m4v`]: Buffer.alloc(70_000, 0xab),
    [`podcast/${RID}/metadata.xml`]: Buffer.from(`<recording><id>${RID}</id></recording>`),
    [`podcast/${RID}/audio.ogg`]: Buffer.from('OggS'),
  };
  const other = { [`presentation/${OTHER_RID}/metadata.xml`]: Buffer.from('<recording/>') };
  for (const [path, content] of Object.entries({ ...files, ...other })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  // a format directory without metadata.xml (publishing broke half-way) is left out
  mkdirSync(join(root, 'notes', RID), { recursive: true });
  writeFileSync(join(root, 'notes', RID, 'notes.pdf'), 'half');
  return files;
}

describe('bbb/scalelite-upload.sh (post-publish upload)', () => {
  let t: TestStack;
  let dir: string;
  let files: Record<string, Buffer>;

  /** A config file and bbb-web.properties in the temp dir; returns the env that points the script at them. */
  const configure = (name: string, o: { url?: string; salt?: string; extra?: string } = {}) => {
    const props = join(dir, `${name}.properties`);
    writeFileSync(props, `# bbb-web\nbigbluebutton.web.serverURL=https://BBB1.example.com\nsecuritySalt=${o.salt ?? SECRET}\r\n`);
    const conf = join(dir, `${name}.conf`);
    writeFileSync(
      conf,
      [
        '# test settings',
        `SCALELITE_URL="${o.url ?? t.url}"`,
        `BBB_WEB_PROPERTIES=/nonexistent/bbb-web.properties:${props}`,
        `PUBLISHED_DIR=${join(dir, 'published')}`,
        `WORK_DIR=${join(dir, 'work', name)}`,
        `LOG_FILE=${join(dir, `${name}.log`)}`,
        'RETRY_DELAY=0',
        o.extra ?? '',
      ].join('\n'),
    );
    return { SCALELITE_UPLOAD_CONF: conf };
  };

  const uploadsOf = async (recordID: string) => {
    const keys: string[] = [];
    for await (const o of t.stack.storage.list('uploads/')) if (parseUploadKey(o.key)?.recordID === recordID) keys.push(o.key);
    return keys;
  };

  beforeAll(async () => {
    const missing = ['bash', 'curl', 'tar', 'sha256sum'].filter((tool) => !has(tool));
    expect(missing, 'tools the post-publish script needs (Debian: bash curl tar coreutils)').toEqual([]);
    dir = mkdtempSync(join(tmpdir(), 'post-publish-'));
    files = publishedTree(join(dir, 'published'));
    t = await startTestStack({ autoImport: false });
    await t.stack.deps.store.servers.add({ id: 'bbb-1', url: 'https://bbb1.example.com/bigbluebutton/api', secret: SECRET, state: 'enabled' });
  });

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tars every published format of the record id as <format>/<record_id>/… and uploads it through the balancer', async () => {
    const env = configure('ok');
    const result = await run('bash', [SCRIPT, '-m', RID, '-f', 'presentation'], env);
    expect(result.stderr).toMatch(/uploaded podcast,presentation,video of/);
    expect(result.code).toBe(0);

    // found by the host name of bigbluebutton.web.serverURL, signed with securitySalt
    const keys = await uploadsOf(RID);
    expect(keys).toHaveLength(1);
    expect(parseUploadKey(keys[0])?.serverId).toBe('bbb-1');

    const entries = await tarEntries((await t.stack.storage.get(keys[0]))!.body);
    const fileNames = [...entries].filter(([, e]) => e.type === 'file').map(([name]) => name);
    expect(fileNames.sort()).toEqual(Object.keys(files).sort());
    for (const [name, content] of Object.entries(files)) expect(entries.get(name)!.content.equals(content), name).toBe(true);
    for (const name of entries.keys()) expect(name).toMatch(new RegExp(`^(presentation|video|podcast)/${RID}(/|$)`));
    expect([...entries.keys()]).toContain(`presentation/${RID}/`);

    expect(readdirSync(join(dir, 'work', 'ok'))).toEqual([]); // the tar was removed
    expect(readFileSync(join(dir, 'ok.log'), 'utf8')).toMatch(new RegExp(`scalelite-upload\\[${RID}\\]: uploaded`));
    expect(readFileSync(join(dir, 'ok.log'), 'utf8')).not.toContain(SECRET);
  });

  it('exits non-zero with a clear message, without retrying, when the balancer refuses the secret', async () => {
    const before = await uploadsOf(RID);
    const env = configure('wrong-secret', { salt: 'not-the-secret', extra: 'ATTEMPTS=5' });
    const result = await run('bash', [SCRIPT, '-m', RID], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/refused the upload request \(HTTP 401\).*secret/);
    expect(result.stderr).not.toMatch(/attempt 1 of 5 failed/);
    expect(result.stderr).not.toContain('not-the-secret');
    expect(await uploadsOf(RID)).toEqual(before);
  });

  it('is refused for a server the balancer does not know', async () => {
    const result = await run('bash', [SCRIPT, '-m', RID], configure('unknown', { extra: 'SERVER=bbb-99' }));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/server 'bbb-99' is not registered/);
  });

  it('retries with backoff while the balancer fails, then uploads', async () => {
    let requests = 0;
    // the balancer behind a proxy that answers 503 to the first request
    const proxy = http.createServer((req, res) => {
      requests++;
      if (requests === 1) {
        res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error":"Service Unavailable"}');
        return;
      }
      void rawRequest(t.url, req.url!, { method: req.method }).then((r) => res.writeHead(r.status, { 'Content-Type': String(r.headers['content-type']) }).end(r.body));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const before = (await uploadsOf(RID)).length;
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/bigbluebutton/api/`;
      const result = await run('bash', [SCRIPT, '-m', RID], configure('retry', { url, extra: 'SERVER=bbb-1' }));
      expect(result.stderr).toMatch(/upload request failed \(HTTP 503\): Service Unavailable/);
      expect(result.stderr).toMatch(/attempt 1 of 6 failed; next in 0s/);
      expect(result.code).toBe(0);
      expect(requests).toBe(2);
      expect((await uploadsOf(RID)).length).toBe(before + 1);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('gives up after ATTEMPTS when the balancer cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const result = await run('bash', [SCRIPT, '-m', RID], configure('unreachable', { url: `http://127.0.0.1:${port}`, extra: 'ATTEMPTS=2' }));
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stderr).toMatch(/giving up on .* after 2 attempts/);
  });

  it('says so when nothing is published for the record id, or the settings are unusable', async () => {
    const nothing = await run('bash', [SCRIPT, '-m', 'b'.repeat(40) + '-1700000000000'], configure('nothing'));
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing published for b{40}-1700000000000/);

    const noConfig = await run('bash', [SCRIPT, '-m', RID], { SCALELITE_UPLOAD_CONF: join(dir, 'missing.conf') });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/cannot read the config file .*missing\.conf/);

    const badUrl = await run('bash', [SCRIPT, '-m', RID], configure('bad-url', { url: 'sl.example.com' }));
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/SCALELITE_URL must be/);

    const badId = await run('bash', [SCRIPT, '-m', '../etc'], configure('bad-id'));
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/not a record id/);
  });

  it('runs from BBB’s post_publish hook (ruby scalelite_upload.rb -m <id> -f <format>)', async () => {
    const before = (await uploadsOf(RID)).length;
    const result = await run('ruby', [WRAPPER, '-m', RID, '-f', 'video'], { ...configure('ruby'), SCALELITE_UPLOAD_SCRIPT: SCRIPT });
    expect(result.code).toBe(0);
    expect((await uploadsOf(RID)).length).toBe(before + 1);
  });
});
