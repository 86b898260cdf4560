/**
 * The recording import end to end on real parts: tars built here from BBB-shaped files, put into the
 * embedded S3 under `uploads/`, imported by `importUpload` into dynalite and the S3 (reference §5.1,
 * §5.2; DESIGN §4 invariant 11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpload, type ImportReport } from '../../shared/app/import-recording.js';
import type { Logger } from '../../shared/app/logger.js';
import type { Recording } from '../../shared/domain/recording.js';
import { formatPrefix, recordingFileKey, recordingPrefix, uploadKey } from '../../shared/storage/storage-keys.js';
import { injectDynamoFaults, throttled } from '../helpers/dynamo-faults.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { bbbRecording, bytes, metadataXml, tarBuffer, withFile, type TarFile } from './tar-fixtures.js';

let t: TestStack;
let uploads = 0;
const logged: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = {
  info: (msg, fields) => void logged.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => void logged.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => void logged.push({ level: 'error', msg, fields }),
};

beforeAll(async () => {
  t = await startTestStack({ autoImport: false, log });
});
afterAll(async () => {
  await t?.close();
});

const storage = () => t.stack.storage;
const store = () => t.stack.deps.store;

async function readObject(key: string): Promise<Buffer | undefined> {
  const o = await storage().get(key);
  if (!o) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of o.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listKeys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of storage().list(prefix)) out.push(o.key);
  return out.sort();
}

/** Puts the tar under a fresh upload key of this recording; returns the key. */
async function upload(recordID: string, tar: Buffer): Promise<string> {
  const key = uploadKey('bbb-1', recordID, `u${++uploads}`);
  await storage().put(key, tar, { contentType: 'application/x-tar' });
  return key;
}

const fileKey = (recordID: string, name: string) => {
  const [format, , ...rest] = name.split('/');
  return recordingFileKey(recordID, format, rest.join('/'));
};

/** Every file of the tar is in storage at its key, byte for byte. */
async function expectFilesStored(recordID: string, files: TarFile[]) {
  for (const f of files) expect((await readObject(fileKey(recordID, f.name)))?.equals(f.body), f.name).toBe(true);
}

const withoutImport = (r: Recording | undefined) => {
  const { importedAt: _i, version: _v, ...rest } = r!;
  return rest;
};

describe('importUpload of a BBB recording', () => {
  // the video is over SMALL_FILE_BYTES: streamed through, not read whole
  const rec = bbbRecording({ meta: { 'bbb-recording-ready-url': 'https://lms.example.com/ready', 'Mixed.Case_key': 'Wert ✓' }, videoBytes: 3 * 1024 * 1024 + 7 });
  let key: string;
  let report: ImportReport;

  beforeAll(async () => {
    key = await upload(rec.recordID, await tarBuffer(rec.files));
    report = await importUpload(t.stack.deps, key);
  });

  it('writes every file to recordings/<record_id>/<format>/… byte for byte, with its type', async () => {
    expect(report).toMatchObject({ outcome: 'imported', ok: true, recordID: rec.recordID, formats: ['podcast', 'presentation', 'video'], failedFormats: [], files: rec.files.length, skippedCount: 0, uploadDeleted: true });
    expect(report.bytes).toBe(rec.files.reduce((n, f) => n + f.body.length, 0));
    await expectFilesStored(rec.recordID, rec.files);
    expect(await listKeys(recordingPrefix(rec.recordID))).toEqual(rec.files.map((f) => fileKey(rec.recordID, f.name)).sort());
    const pdf = rec.files.find((f) => f.name.endsWith('.pdf'))!;
    expect(pdf.name).toContain('Übersicht – 週報.pdf');
    const pdfObject = await storage().get(fileKey(rec.recordID, pdf.name));
    expect(pdfObject).toMatchObject({ contentType: 'application/pdf', contentDisposition: 'attachment' });
    pdfObject!.body.destroy();
    const ogg = await storage().get(recordingFileKey(rec.recordID, 'podcast', 'audio.ogg'));
    expect(ogg).toMatchObject({ contentType: 'audio/ogg', contentDisposition: 'attachment' });
    ogg!.body.destroy();
    const video = await storage().get(recordingFileKey(rec.recordID, 'video', 'video-0.m4v'));
    expect(video).toMatchObject({ contentType: 'video/mp4', size: 3 * 1024 * 1024 + 7 });
    expect(video!.contentDisposition).toBeUndefined();
    video!.body.destroy();
    expect((await storage().head(recordingFileKey(rec.recordID, 'presentation', 'shapes.svg')))?.contentType).toBe('image/svg+xml');
  });

  it('stores the recording as metadata.xml says (formats, thumbnails, lengths, metadata, state)', async () => {
    const r = await store().recordings.get(rec.recordID);
    expect(r).toMatchObject({
      recordID: rec.recordID,
      meetingID: rec.meetingID,
      name: rec.spec.meetingName,
      published: true,
      protected: false,
      state: 'published',
      startTime: rec.spec.startTime,
      endTime: rec.spec.startTime + 3_540_000,
      participants: 4,
      metadata: {
        'bbb-origin': 'Greenlight',
        'bbb-origin-version': 'v3',
        'gl-listed': 'false',
        'bbb-context': 'Cours de génie — 第2回',
        'bbb-recording-ready-url': 'https://lms.example.com/ready',
        'Mixed.Case_key': 'Wert ✓',
      },
      version: 1,
    });
    expect(r!.tenantId).toBeUndefined();
    expect(Object.keys(r!.metadata)).not.toContain('isBreakout');
    expect(Object.keys(r!.metadata)).not.toContain('meetingId');
    expect(r!.formats).toEqual({
      presentation: {
        type: 'presentation',
        url: `/playback/presentation/2.3/${rec.recordID}`,
        length: 59,
        processingTime: 5429,
        thumbnails: rec.thumbnails.map((th) => ({ url: `/presentation/${rec.recordID}/${th.path}`, width: 176, height: 136, alt: th.alt })),
      },
      video: { type: 'video', url: `/playback/video/${rec.recordID}/`, length: 59, processingTime: 5429, thumbnails: [] },
      podcast: { type: 'podcast', url: `/podcast/${rec.recordID}/audio.ogg`, length: 59, processingTime: 5429, thumbnails: [] },
    });
    expect(r!.formats.presentation.thumbnails[1].alt).toBe('Folie 2: «Ergebnisse» & <Pläne>');
    expect(report.recording).toEqual(r);
  });

  it('deletes the upload after the import', async () => {
    expect(await storage().head(key)).toBeUndefined();
  });

  it('takes a redelivered event (the upload gone) as imported', async () => {
    const again = await importUpload(t.stack.deps, key);
    expect(again).toMatchObject({ outcome: 'already-imported', ok: true, files: 0 });
    expect((await store().recordings.get(rec.recordID))?.version).toBe(1);
  });

  it('changes nothing when the same tar is imported again', async () => {
    const before = await store().recordings.get(rec.recordID);
    const keysBefore = await listKeys(recordingPrefix(rec.recordID));
    const second = await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(rec.files)));
    expect(second).toMatchObject({ outcome: 'imported', ok: true, staleFilesRemoved: 0, uploadDeleted: true });
    const after = await store().recordings.get(rec.recordID);
    expect(withoutImport(after)).toEqual(withoutImport(before));
    expect(after!.version).toBe(before!.version! + 1);
    expect(await listKeys(recordingPrefix(rec.recordID))).toEqual(keysBefore);
    await expectFilesStored(rec.recordID, rec.files);
  });

  it('gives one result when the same upload is imported twice at once', async () => {
    const r2 = bbbRecording({ meetingID: 'twice-at-once', formats: ['video', 'podcast'] });
    const k = await upload(r2.recordID, await tarBuffer(r2.files));
    const [a, b] = await Promise.all([importUpload(t.stack.deps, k), importUpload(t.stack.deps, k)]);
    expect([a.outcome, b.outcome].every((o) => o === 'imported' || o === 'already-imported')).toBe(true);
    expect(a.ok && b.ok).toBe(true);
    expect(await storage().head(k)).toBeUndefined();
    const r = await store().recordings.get(r2.recordID);
    expect(Object.keys(r!.formats).sort()).toEqual(['podcast', 'video']);
    await expectFilesStored(r2.recordID, r2.files);
  });
});

describe('importUpload, one format at a time and rebuilt', () => {
  it('adds a format that a later upload brings, keeping the earlier ones', async () => {
    const full = bbbRecording({ meetingID: 'format-by-format' });
    const first = full.files.filter((f) => f.name.startsWith('presentation/'));
    await importUpload(t.stack.deps, await upload(full.recordID, await tarBuffer(first)));
    expect(Object.keys((await store().recordings.get(full.recordID))!.formats)).toEqual(['presentation']);
    const second = full.files.filter((f) => !f.name.startsWith('video/'));
    expect((await importUpload(t.stack.deps, await upload(full.recordID, await tarBuffer(second)))).formats).toEqual(['podcast', 'presentation']);
    expect(Object.keys((await store().recordings.get(full.recordID))!.formats).sort()).toEqual(['podcast', 'presentation']);
  });

  it('removes files of a re-imported format that the new tar no longer has', async () => {
    const three = bbbRecording({ meetingID: 'rebuilt', formats: ['presentation'], slides: 3 });
    await importUpload(t.stack.deps, await upload(three.recordID, await tarBuffer(three.files)));
    const slide3 = fileKey(three.recordID, three.files.find((f) => f.name.endsWith('slide-3.png'))!.name);
    expect(await storage().head(slide3)).toBeDefined();
    const two = bbbRecording({ meetingID: 'rebuilt', formats: ['presentation'], slides: 2 });
    const report = await importUpload(t.stack.deps, await upload(two.recordID, await tarBuffer(two.files)));
    expect(report.staleFilesRemoved).toBe(three.files.length - two.files.length);
    expect(await storage().head(slide3)).toBeUndefined();
    expect(await listKeys(formatPrefix(two.recordID, 'presentation'))).toEqual(two.files.map((f) => fileKey(two.recordID, f.name)).sort());
  });
});

describe('importUpload of a breakout recording', () => {
  it('keeps parentMeetingId and sequence as metadata, drops isBreakout', async () => {
    const rec = bbbRecording({ meetingID: 'Breakout-Raum 1 (Gruppe ä)', meetingName: 'Gruppe ä (Raum 1)', isBreakout: true, meta: { parentMeetingId: 'Réunion-hebdo-週次', sequence: '1', freeJoin: 'false' }, formats: ['presentation'] });
    const report = await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(rec.files)));
    expect(report.outcome).toBe('imported');
    const r = await store().recordings.get(rec.recordID);
    expect(r).toMatchObject({ meetingID: 'Breakout-Raum 1 (Gruppe ä)', name: 'Gruppe ä (Raum 1)' });
    expect(r!.metadata).toMatchObject({ parentMeetingId: 'Réunion-hebdo-週次', sequence: '1', freeJoin: 'false' });
    expect('isBreakout' in r!.metadata).toBe(false);
  });
});

describe('importUpload of unusual metadata', () => {
  it('stores a recording whose metadata has prototype names (left out) and odd tag names', async () => {
    const rec = bbbRecording({ meetingID: 'odd-meta', formats: ['podcast'], meta: { constructor: 'c', __proto__x: 'p', prototype: 'q', 'a.b-c_1': 'ok' } });
    const report = await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(rec.files)));
    expect(report.outcome).toBe('imported');
    const r = await store().recordings.get(rec.recordID);
    expect(r!.metadata).toMatchObject({ __proto__x: 'p', 'a.b-c_1': 'ok' });
    expect(Object.hasOwn(r!.metadata, 'constructor') || Object.hasOwn(r!.metadata, 'prototype')).toBe(false);
  });
});

describe('importUpload with a bad format', () => {
  it('imports the other formats when one metadata.xml is corrupt, and logs the failure', async () => {
    const rec = bbbRecording({ meetingID: 'one-bad-format' });
    const bad = `video/${rec.recordID}/metadata.xml`;
    const files = withFile(rec.files, bad, '<recording><id>truncated');
    const key = await upload(rec.recordID, await tarBuffer(files));
    const report = await importUpload(t.stack.deps, key);
    expect(report).toMatchObject({ outcome: 'partial', ok: true, formats: ['podcast', 'presentation'], uploadDeleted: true });
    expect(report.failedFormats).toEqual([{ format: 'video', code: 'xml.invalid', error: expect.stringContaining('not an XML document') }]);
    const r = await store().recordings.get(rec.recordID);
    expect(Object.keys(r!.formats).sort()).toEqual(['podcast', 'presentation']);
    expect(logged).toContainEqual({ level: 'error', msg: 'recording format not imported', fields: expect.objectContaining({ recordID: rec.recordID, format: 'video', code: 'xml.invalid', source: key }) });
    // the bad format's files stay written (for a look), but nothing points at them
    expect((await readObject(recordingFileKey(rec.recordID, 'video', 'video-0.m4v')))?.length).toBe(300 * 1024);
  });

  it('refuses a format whose metadata.xml names another recording or format, or that has none', async () => {
    const rec = bbbRecording({ meetingID: 'mismatched-formats' });
    let files = withFile(rec.files, `video/${rec.recordID}/metadata.xml`, metadataXml({ recordID: 'ffff-1700000000000', meetingId: 'x', meetingName: 'x', format: 'video' }));
    files = withFile(files, `podcast/${rec.recordID}/metadata.xml`, metadataXml({ recordID: rec.recordID, meetingId: 'x', meetingName: 'x', format: 'video' }));
    files = withFile(files, `notes/${rec.recordID}/notes.pdf`, bytes('notes', 1000));
    const report = await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(files)));
    expect(report.outcome).toBe('partial');
    expect(report.formats).toEqual(['presentation']);
    expect(report.failedFormats.map((f) => [f.format, f.code])).toEqual([
      ['notes', 'metadata.missing'],
      ['podcast', 'metadata.otherFormat'],
      ['video', 'metadata.otherRecording'],
    ]);
  });
});

describe('importUpload of what cannot be imported', () => {
  const expectLeft = async (key: string, report: ImportReport, outcome: ImportReport['outcome']) => {
    expect(report.outcome).toBe(outcome);
    expect(report.ok).toBe(false);
    expect(report.uploadDeleted).toBe(false);
    expect(report.error).toBeTruthy();
    expect(await storage().head(key)).toBeDefined();
  };

  it('leaves a file that is no tar in storage and reports it', async () => {
    const rec = bbbRecording({ meetingID: 'not-a-tar' });
    const key = await upload(rec.recordID, bytes('garbage', 10_000));
    const report = await importUpload(t.stack.deps, key);
    await expectLeft(key, report, 'unreadable');
    expect(report.error).toMatch(/cannot be read: Invalid tar header/);
    expect(logged).toContainEqual({ level: 'error', msg: 'recording import: the source cannot be read', fields: expect.objectContaining({ source: key, recordID: rec.recordID }) });
    expect(await store().recordings.get(rec.recordID)).toBeUndefined();
  });

  it('leaves a truncated tar (cut inside a file, or between files) and stores no recording', async () => {
    const rec = bbbRecording({ meetingID: 'truncated', formats: ['video', 'podcast'], videoBytes: 2 * 1024 * 1024 });
    const metadataFirst = [...rec.files.filter((f) => f.name.endsWith('metadata.xml')), ...rec.files.filter((f) => !f.name.endsWith('metadata.xml'))];
    const tar = await tarBuffer(metadataFirst);
    for (const cut of [tar.length - 1024 * 1024, tar.length - 2 * 1024]) {
      // inside the (streamed) video, inside the (small) audio file
      const inside = await upload(rec.recordID, tar.subarray(0, cut));
      const r = await importUpload(t.stack.deps, inside);
      await expectLeft(inside, r, 'unreadable');
      expect(r.error).toMatch(/Unexpected end of data/);
    }
    // cut after a whole file (the video's metadata.xml), before the next header: without the end-of-archive
    // blocks tar-stream alone would read a complete, shorter tar
    const first = await tarBuffer(metadataFirst.slice(0, 1), { directories: false });
    const between = await upload(rec.recordID, first.subarray(0, first.length - 1024));
    const report = await importUpload(t.stack.deps, between);
    await expectLeft(between, report, 'unreadable');
    expect(report.error).toMatch(/end-of-archive/);
    expect(await store().recordings.get(rec.recordID)).toBeUndefined();
  });

  it('leaves an empty upload', async () => {
    const key = await upload('abcdef-1700000000000', Buffer.alloc(0));
    await expectLeft(key, await importUpload(t.stack.deps, key), 'unreadable');
  });

  it('leaves a tar with no importable format: files outside the layout, unsafe paths, another recording', async () => {
    const rec = bbbRecording({ meetingID: 'nothing-importable' });
    const other = bbbRecording({ meetingID: 'someone-else', formats: ['podcast'] });
    const files: TarFile[] = [
      { name: 'metadata.xml', body: Buffer.from('<recording/>') },
      { name: `presentation/${rec.recordID}`, body: Buffer.from('x') },
      { name: `../presentation/${rec.recordID}/x.png`, body: Buffer.from('x') },
      { name: `presentation/${rec.recordID}/link`, body: Buffer.alloc(0), type: 'symlink', linkname: '/etc/passwd' },
      ...other.files,
    ];
    const key = await upload(rec.recordID, await tarBuffer(files, { directories: false }));
    const report = await importUpload(t.stack.deps, key);
    await expectLeft(key, report, 'no-format');
    expect(report.files).toBe(0);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'outside <format>/<record_id>/',
      'outside <format>/<record_id>/',
      'parent directory reference (..)',
      'not a regular file',
      ...other.files.map(() => `belongs to recording ${other.recordID}, not ${rec.recordID}`),
    ]);
    expect(await listKeys(recordingPrefix(other.recordID))).toEqual([]);
    expect(await listKeys(recordingPrefix(rec.recordID))).toEqual([]);
  });

  it('imports the right recording and skips entries of another one or with unsafe paths', async () => {
    const rec = bbbRecording({ meetingID: 'with-strays', formats: ['podcast'] });
    const other = bbbRecording({ meetingID: 'stray', formats: ['podcast'] });
    const files = [...rec.files, ...other.files, { name: `podcast/${rec.recordID}/../../video/${other.recordID}/x`, body: Buffer.from('x') }];
    const report = await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(files, { directories: false })));
    expect(report).toMatchObject({ outcome: 'imported', formats: ['podcast'], files: rec.files.length, skippedCount: other.files.length + 1 });
    expect(await listKeys(recordingPrefix(other.recordID))).toEqual([]);
    expect(await store().recordings.get(other.recordID)).toBeUndefined();
  });

  it('leaves a key that is not an upload alone', async () => {
    const report = await importUpload(t.stack.deps, 'recordings/x/presentation/metadata.xml');
    expect(report).toMatchObject({ outcome: 'refused', ok: false });
  });
});

describe('importUpload when storage fails', () => {
  it('keeps the upload and stores no recording when a file cannot be written (mid-multipart); a retry imports it', async () => {
    // a video over the 8 MiB part size: the failure comes while the tar is streaming into a multipart upload
    const rec = bbbRecording({ meetingID: 's3-fault', formats: ['presentation', 'video'], videoBytes: 17 * 1024 * 1024 });
    const key = await upload(rec.recordID, await tarBuffer(rec.files));
    const victim = recordingFileKey(rec.recordID, 'video', 'video-0.m4v');
    const name = 'fail-a-part';
    let refused = 0;
    const client = await storage().client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; PartNumber?: number };
        if ((context as { commandName?: string }).commandName === 'UploadPartCommand' && input.Key === victim && input.PartNumber === 2) {
          refused++;
          throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    let failed: ImportReport;
    try {
      failed = await importUpload(t.stack.deps, key);
    } finally {
      client.middlewareStack.remove(name);
    }
    expect(refused).toBeGreaterThan(0);
    expect(failed).toMatchObject({ outcome: 'failed', ok: false, uploadDeleted: false });
    // (s3rver does not implement AbortMultipartUpload: the error reported is the abort's, not the part's)
    expect(failed.error).toMatch(/internal error|not allowed/);
    expect(await storage().head(key)).toBeDefined();
    expect(await store().recordings.get(rec.recordID)).toBeUndefined();
    expect(await storage().head(victim)).toBeUndefined();
    const retried = await importUpload(t.stack.deps, key);
    expect(retried).toMatchObject({ outcome: 'imported', uploadDeleted: true });
    await expectFilesStored(rec.recordID, rec.files);
  });

  it('keeps the last copy of a file the tar holds twice', async () => {
    const rec = bbbRecording({ meetingID: 'duplicate-entry', formats: ['podcast'] });
    const audio = rec.files.find((f) => f.name.endsWith('audio.ogg'))!;
    const files = [...rec.files, { name: audio.name, body: bytes('second copy', 5000) }];
    await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(files)));
    expect((await readObject(fileKey(rec.recordID, audio.name)))?.equals(bytes('second copy', 5000))).toBe(true);
  });
});

describe('importUpload and what an admin decided', () => {
  it("keeps an admin's unpublish (publishUpdated) across a re-import", async () => {
    const rec = bbbRecording({ meetingID: 'admin-choice', formats: ['video'] });
    const tar = await tarBuffer(rec.files);
    await importUpload(t.stack.deps, await upload(rec.recordID, tar));
    await store().recordings.update(rec.recordID, (r) => r && { ...r, published: false, state: 'unpublished', publishUpdated: true, protected: true });
    const report = await importUpload(t.stack.deps, await upload(rec.recordID, tar));
    expect(report.outcome).toBe('imported');
    expect(await store().recordings.get(rec.recordID)).toMatchObject({ published: false, state: 'unpublished', publishUpdated: true, protected: true });
  });
});

describe('importUpload settings', () => {
  it('imports new recordings unpublished with RECORDING_IMPORT_UNPUBLISHED, protected with PROTECTED_RECORDINGS_ENABLED', async () => {
    const s = await startTestStack({ autoImport: false, env: { RECORDING_IMPORT_UNPUBLISHED: 'true', PROTECTED_RECORDINGS_ENABLED: 'true' } });
    try {
      const rec = bbbRecording({ meetingID: 'import-unpublished', formats: ['podcast'] });
      const key = uploadKey('bbb-1', rec.recordID, 'u1');
      await s.stack.storage.put(key, await tarBuffer(rec.files));
      expect((await importUpload(s.stack.deps, key)).outcome).toBe('imported');
      expect(await s.stack.deps.store.recordings.get(rec.recordID)).toMatchObject({ published: false, state: 'unpublished', protected: true });
    } finally {
      await s.close();
    }
  });

  it('imports nothing with RECORDING_DISABLED and leaves the upload', async () => {
    const s = await startTestStack({ autoImport: false, env: { RECORDING_DISABLED: 'true' } });
    try {
      const rec = bbbRecording({ meetingID: 'disabled', formats: ['podcast'] });
      const key = uploadKey('bbb-1', rec.recordID, 'u1');
      await s.stack.storage.put(key, await tarBuffer(rec.files));
      expect(await importUpload(s.stack.deps, key)).toMatchObject({ outcome: 'disabled', ok: false, files: 0 });
      expect(await s.stack.storage.head(key)).toBeDefined();
      expect(await s.stack.deps.store.recordings.get(rec.recordID)).toBeUndefined();
      const stored: string[] = [];
      for await (const o of s.stack.storage.list(recordingPrefix(rec.recordID))) stored.push(o.key);
      expect(stored).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('importUpload of a tenant recording', () => {
  it('gets the tenant from tenant-id and the front-end meetingID from the namespaced id', async () => {
    const rec = bbbRecording({ meetingID: 'Salle A', bbbMeetingId: 'tenant-a~Salle A', meta: { 'tenant-id': 'tenant-a', 'tenant-name': 'École A' }, formats: ['podcast'] });
    await importUpload(t.stack.deps, await upload(rec.recordID, await tarBuffer(rec.files)));
    expect(await store().recordings.get(rec.recordID)).toMatchObject({ tenantId: 'tenant-a', meetingID: 'Salle A', metadata: { 'tenant-id': 'tenant-a', 'tenant-name': 'École A' } });
  });

  it('finds the front-end meetingID of a hashed (long) id in the meeting records, and keeps the BBB id when there is none', async () => {
    const long = `${'Très long identifiant de salle '.repeat(10)}`;
    const { bbbMeetingId } = await import('../../shared/domain/meeting-id.js');
    const hashed = bbbMeetingId('tenant-b', long);
    expect(hashed).toMatch(/^tenant-b~#[0-9a-f]{64}$/);
    const now = Date.now();
    await store().meetings.reserveVoiceBridge(
      '71234',
      { meetingID: long, tenantId: 'tenant-b', serverId: 'bbb-1', moderatorPW: 'mp', voiceBridge: '71234', createdAt: now, expiresAt: Math.floor(now / 1000) + 3600, analyticsCallbackUrl: 'https://lms.example.com/analytics' },
      now,
    );
    const known = bbbRecording({ meetingID: 'known-long', bbbMeetingId: hashed, meta: { 'tenant-id': 'tenant-b' }, formats: ['podcast'] });
    await importUpload(t.stack.deps, await upload(known.recordID, await tarBuffer(known.files)));
    expect(await store().recordings.get(known.recordID)).toMatchObject({ tenantId: 'tenant-b', meetingID: long });

    const unknownId = `tenant-b~#${'0'.repeat(64)}`;
    const unknown = bbbRecording({ meetingID: 'unknown-long', bbbMeetingId: unknownId, meta: { 'tenant-id': 'tenant-b' }, formats: ['podcast'] });
    await importUpload(t.stack.deps, await upload(unknown.recordID, await tarBuffer(unknown.files)));
    expect(await store().recordings.get(unknown.recordID)).toMatchObject({ tenantId: 'tenant-b', meetingID: unknownId });
  });
});

describe('importUpload when DynamoDB fails', () => {
  it('keeps the upload when the recording cannot be written, and a retry imports it', async () => {
    const rec = bbbRecording({ meetingID: 'dynamo-fault', formats: ['presentation', 'podcast'] });
    const key = await upload(rec.recordID, await tarBuffer(rec.files));
    let refused = 0;
    const remove = injectDynamoFaults(t.stack.db, (call) => {
      if (call.command === 'PutItemCommand' && call.pk === `RECORDING#${rec.recordID}`) {
        refused++;
        return { fail: throttled() };
      }
      return undefined;
    });
    let failed: ImportReport;
    try {
      failed = await importUpload(t.stack.deps, key);
    } finally {
      remove();
    }
    expect(refused).toBe(1);
    expect(failed).toMatchObject({ outcome: 'failed', ok: false, uploadDeleted: false });
    expect(failed.error).toMatch(/could not be stored/);
    expect(await storage().head(key)).toBeDefined();
    expect(await store().recordings.get(rec.recordID)).toBeUndefined();

    const retried = await importUpload(t.stack.deps, key);
    expect(retried).toMatchObject({ outcome: 'imported', ok: true, uploadDeleted: true, formats: ['podcast', 'presentation'] });
    expect(await storage().head(key)).toBeUndefined();
    expect(await store().recordings.get(rec.recordID)).toMatchObject({ meetingID: rec.meetingID, version: 1 });
    await expectFilesStored(rec.recordID, rec.files);
  });
});
