/**
 * The other ways into the same import: a published tree on disk (`slctl recordings:import-published DIR`)
 * and a tar file (`slctl recordings:import FILE.tar`), into the embedded S3 and dynalite.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPublishedDirectory, importTarStream, listPublishedRecordings } from '../../shared/app/import-recording.js';
import { recordingFileKey, recordingPrefix } from '../../shared/storage/storage-keys.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { bbbRecording, tarBuffer, type TarFile } from './tar-fixtures.js';

let t: TestStack;
let dir: string;

beforeAll(async () => {
  t = await startTestStack({ autoImport: false });
  dir = await mkdtemp(join(tmpdir(), 'published-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writeTree(root: string, files: TarFile[]) {
  for (const f of files) {
    await mkdir(dirname(join(root, f.name)), { recursive: true });
    await writeFile(join(root, f.name), f.body);
  }
}

async function readObject(key: string): Promise<Buffer | undefined> {
  const o = await t.stack.storage.get(key);
  if (!o) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of o.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listKeys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of t.stack.storage.list(prefix)) out.push(o.key);
  return out.sort();
}

const keyOf = (recordID: string, name: string) => {
  const [format, , ...rest] = name.split('/');
  return recordingFileKey(recordID, format, rest.join('/'));
};

describe('importPublishedDirectory', () => {
  const a = bbbRecording({ meetingID: 'published-a' });
  const b = bbbRecording({ meetingID: 'published-b', formats: ['presentation'], published: false });

  beforeAll(async () => {
    await writeTree(dir, [...a.files, ...b.files]);
    // what a published tree may also hold: a link out of it, a stray file, a directory that is no record id
    await symlink('/etc/passwd', join(dir, 'podcast', a.recordID, 'passwd'));
    await writeFile(join(dir, 'presentation', 'README'), 'not a recording');
    await mkdir(join(dir, 'presentation', 'not..an id'), { recursive: true });
  });

  it('lists the recordings of the tree with their formats', async () => {
    expect(await listPublishedRecordings(dir)).toEqual(
      [
        { recordID: a.recordID, formats: ['podcast', 'presentation', 'video'] },
        { recordID: b.recordID, formats: ['presentation'] },
      ].sort((x, y) => (x.recordID < y.recordID ? -1 : 1)),
    );
  });

  it('imports one recording of the tree like an upload, following no link and changing nothing on disk', async () => {
    const report = await importPublishedDirectory(t.stack.deps, dir, a.recordID);
    expect(report).toMatchObject({ outcome: 'imported', ok: true, formats: ['podcast', 'presentation', 'video'], files: a.files.length, skippedCount: 1, uploadDeleted: false });
    expect(report.skipped).toEqual([{ name: `podcast/${a.recordID}/passwd`, reason: 'not a regular file' }]);
    for (const f of a.files) expect((await readObject(keyOf(a.recordID, f.name)))?.equals(f.body), f.name).toBe(true);
    expect(await listKeys(recordingPrefix(a.recordID))).toEqual(a.files.map((f) => keyOf(a.recordID, f.name)).sort());
    expect(await t.stack.deps.store.recordings.get(a.recordID)).toMatchObject({ meetingID: a.meetingID, published: true, state: 'published' });
    expect(await listPublishedRecordings(dir)).toHaveLength(2);
  });

  it('is safe to run again and keeps the metadata published flag', async () => {
    await importPublishedDirectory(t.stack.deps, dir, b.recordID);
    const first = await t.stack.deps.store.recordings.get(b.recordID);
    const again = await importPublishedDirectory(t.stack.deps, dir, b.recordID);
    expect(again.outcome).toBe('imported');
    const second = await t.stack.deps.store.recordings.get(b.recordID);
    expect({ ...second, importedAt: 0, version: 0 }).toEqual({ ...first, importedAt: 0, version: 0 });
    expect(second).toMatchObject({ published: false, state: 'unpublished' });
  });

  it('reports a record id the tree does not have', async () => {
    const report = await importPublishedDirectory(t.stack.deps, dir, 'ffffffff-1700000000000');
    expect(report).toMatchObject({ outcome: 'no-format', ok: false });
  });

  it('reports a directory that cannot be read', async () => {
    const report = await importPublishedDirectory(t.stack.deps, join(dir, 'missing'), a.recordID);
    expect(report).toMatchObject({ outcome: 'unreadable', ok: false });
    expect(report.error).toContain('cannot read the directory');
  });
});

describe('importTarStream of a tar file', () => {
  it('imports the recording the tar holds (no expected record id given)', async () => {
    const rec = bbbRecording({ meetingID: 'from-a-file', formats: ['video', 'podcast'] });
    const file = join(dir, 'recording.tar');
    await writeFile(file, await tarBuffer(rec.files));
    const report = await importTarStream(t.stack.deps, createReadStream(file), { source: file });
    expect(report).toMatchObject({ source: file, outcome: 'imported', recordID: rec.recordID, formats: ['podcast', 'video'] });
    expect((await readObject(recordingFileKey(rec.recordID, 'video', 'video-0.m4v')))?.equals(rec.files.find((f) => f.name.endsWith('video-0.m4v'))!.body)).toBe(true);
  });
});
