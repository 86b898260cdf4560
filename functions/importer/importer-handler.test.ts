/**
 * The importer Lambda's handler: S3 event records → importUpload, and a thrown error whenever an upload
 * was not imported (so that Lambda retries and then dead-letters the event). First with an injected
 * import (the adapter's own decisions), then end to end on the local stack's embedded S3 and dynalite
 * with the real importUpload — no SDK mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../shared/app/deps.js';
import type { ImportReport } from '../../shared/app/import-recording.js';
import type { Logger } from '../../shared/app/logger.js';
import { RecordingMetrics } from '../../shared/app/metrics.js';
import { DAY_MS, RETENTION_JOB, type RetentionReport } from '../../shared/app/recording-retention.js';
import { recordingFileKey, uploadKey } from '../../shared/storage/storage-keys.js';
import { startTestStack, type TestStack } from '../../test/helpers/test-stack.js';
import { bbbRecording, tarBuffer } from '../../test/recordings/tar-fixtures.js';
import { recording } from '../../test/recordings/recording-fixtures.js';
import { createImporterHandler, ImportFailedError, type ImportOne, type S3EventLike, s3EventKey, verdict } from './importer-handler.js';

const BUCKET = 'scalelite-recordings';

/** How S3 writes a key into an event notification: URL-encoded as a form, a space as `+`. */
const awsEncoded = (key: string) => encodeURIComponent(key).replace(/%20/g, '+');

/** An S3 "ObjectCreated" notification, as S3 sends it to Lambda. */
function s3Event(keys: string[], opts: { bucket?: string; eventName?: string; encode?: (key: string) => string } = {}): S3EventLike {
  return {
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-central-1',
      eventTime: '2024-01-15T10:00:00.000Z',
      eventName: opts.eventName ?? 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'import',
        bucket: { name: opts.bucket ?? BUCKET, arn: `arn:aws:s3:::${opts.bucket ?? BUCKET}` },
        object: { key: (opts.encode ?? awsEncoded)(key), size: 1024, eTag: 'e', sequencer: '0A' },
      },
    })),
  };
}

interface Logged {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}
const recordingLogger = (into: Logged[]): Logger => ({
  info: (msg, fields) => void into.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => void into.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => void into.push({ level: 'error', msg, fields }),
});

const report = (source: string, over: Partial<ImportReport> = {}): ImportReport => ({
  source,
  outcome: 'imported',
  ok: true,
  recordID: 'rec-1',
  formats: ['presentation'],
  failedFormats: [],
  files: 3,
  bytes: 100,
  skipped: [],
  skippedCount: 0,
  staleFilesRemoved: 0,
  uploadDeleted: true,
  durationMs: 5,
  ...over,
});

/** The handler with an import that answers from a table, recording the keys it was asked for. */
function withImport(answers: Record<string, ImportReport | Error> = {}) {
  const asked: string[] = [];
  const logged: Logged[] = [];
  const deps = { clock: () => 1_700_000_000_000, log: recordingLogger(logged), storage: { bucket: BUCKET } } as unknown as Deps;
  const importOne: ImportOne = async (_deps, key) => {
    asked.push(key);
    const answer = answers[key] ?? report(key);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { handler: createImporterHandler(() => deps, { importOne }), asked, logged };
}

describe('s3EventKey', () => {
  it('decodes S3’s form encoding: + is a space, %2B a plus, UTF-8 escapes, %25 a percent sign', () => {
    expect(s3EventKey('uploads/bbb-1/rec/u1.tar')).toBe('uploads/bbb-1/rec/u1.tar');
    expect(s3EventKey('uploads/my+server/a%2Bb/%C3%BCbersicht+%E9%80%B1.tar')).toBe('uploads/my server/a+b/übersicht 週.tar');
    // an upload key whose server id was itself percent-encoded (uploadKey) arrives encoded twice
    expect(s3EventKey(awsEncoded(uploadKey('bbb 1.example.com', 'rec', 'u1')))).toBe('uploads/bbb%201.example.com/rec/u1.tar');
  });

  it('is undefined for broken percent-encoding', () => {
    expect(s3EventKey('uploads/%E0%A4%A/x.tar')).toBeUndefined();
    expect(s3EventKey('uploads/%zz/x.tar')).toBeUndefined();
  });
});

describe('verdict (what a report means for the Lambda)', () => {
  it('done for imported, partly imported and already imported; ignored for disabled and refused; failed otherwise', () => {
    expect(verdict(report('k'))).toBe('done');
    expect(verdict(report('k', { outcome: 'partial', failedFormats: [{ format: 'video', code: 'metadata.missing', error: 'x' }] }))).toBe('done');
    expect(verdict(report('k', { outcome: 'already-imported', uploadDeleted: false }))).toBe('done');
    expect(verdict(report('k', { outcome: 'disabled', ok: false }))).toBe('ignored');
    expect(verdict(report('k', { outcome: 'refused', ok: false }))).toBe('ignored');
    for (const outcome of ['unreadable', 'no-format', 'failed'] as const) expect(verdict(report('k', { outcome, ok: false }))).toBe('failed');
    // imported, but the upload could not be deleted: retried (the import is idempotent), never dead-lettered silently
    expect(verdict(report('k', { outcome: 'imported', ok: false, uploadDeleted: false, error: 'imported, but the upload could not be deleted' }))).toBe('failed');
  });
});

describe('the importer handler (import injected)', () => {
  it('imports the decoded key of every record, in order, and returns what it did', async () => {
    const { handler, asked } = withImport();
    const keys = ['uploads/bbb 1/rec-1/u1.tar', 'uploads/bbb-2/rec-2/ü+ß.tar'];
    const result = await handler(s3Event(keys), { awsRequestId: 'req-1' });
    expect(asked).toEqual(keys);
    expect(result).toEqual({ imported: keys.map((key) => ({ key, outcome: 'imported', recordID: 'rec-1' })), ignored: [] });
  });

  it('accepts every kind of object creation: PUT, completed multipart upload, copy (the operator’s re-drive)', async () => {
    for (const eventName of ['ObjectCreated:Put', 'ObjectCreated:CompleteMultipartUpload', 'ObjectCreated:Copy']) {
      const { handler, asked } = withImport();
      await handler(s3Event(['uploads/s/r/u.tar'], { eventName }));
      expect(asked).toEqual(['uploads/s/r/u.tar']);
    }
  });

  it('throws when an import fails, after importing the other records; the error names the key and the reason', async () => {
    const failing = 'uploads/s/bad/u1.tar';
    const { handler, asked, logged } = withImport({ [failing]: report(failing, { outcome: 'unreadable', ok: false, uploadDeleted: false, error: 'not a tar file' }) });
    const err = await handler(s3Event([failing, 'uploads/s/good/u2.tar']), { awsRequestId: 'req-2' }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportFailedError);
    expect((err as ImportFailedError).failures).toEqual([{ key: failing, error: 'not a tar file' }]);
    expect((err as Error).message).toBe('1 upload(s) not imported: uploads/s/bad/u1.tar: not a tar file');
    expect(asked).toEqual([failing, 'uploads/s/good/u2.tar']);
    expect(logged.find((l) => l.level === 'error')).toMatchObject({ msg: 'importer: import failed, the upload stays for a retry', fields: { requestId: 'req-2', key: failing, outcome: 'unreadable', error: 'not a tar file' } });
  });

  it('throws when the import itself throws (a bug or an unexpected error): the event is retried', async () => {
    const key = 'uploads/s/r/u.tar';
    const { handler } = withImport({ [key]: new Error('socket hang up') });
    await expect(handler(s3Event([key]))).rejects.toThrow(/uploads\/s\/r\/u\.tar: socket hang up/);
  });

  it('does not throw for RECORDING_DISABLED or a key no upload URL is made for: a retry would change nothing', async () => {
    const disabled = 'uploads/s/r/u1.tar';
    const odd = 'uploads/s/r/extra/u2.tar';
    const { handler, logged } = withImport({
      [disabled]: report(disabled, { outcome: 'disabled', ok: false, uploadDeleted: false }),
      [odd]: report(odd, { outcome: 'refused', ok: false, uploadDeleted: false, error: 'not an upload key' }),
    });
    const result = await handler(s3Event([disabled, odd]));
    expect(result).toEqual({ imported: [], ignored: [{ key: disabled, reason: 'disabled' }, { key: odd, reason: 'not an upload key' }] });
    expect(logged.filter((l) => l.msg === 'importer: upload left in the bucket, not imported')).toHaveLength(2);
  });

  it('ignores, without importing, records that are not uploads of this bucket or not object creations', async () => {
    const { handler, asked } = withImport();
    const result = await handler({
      Records: [
        ...s3Event(['uploads/s/r/u.tar'], { bucket: 'someone-elses-bucket' }).Records!,
        ...s3Event(['recordings/r/presentation/metadata.xml', 'uploads/s/r/notes.txt']).Records!,
        ...s3Event(['uploads/s/r/u.tar'], { eventName: 'ObjectRemoved:Delete' }).Records!,
        { eventSource: 'aws:sqs' },
      ],
    });
    expect(asked).toEqual([]);
    expect(result.imported).toEqual([]);
    expect(result.ignored.map((i) => i.reason)).toEqual([
      'another bucket (someone-elses-bucket, expected scalelite-recordings)',
      'not an upload (uploads/…/*.tar)',
      'not an upload (uploads/…/*.tar)',
      'not an object creation (ObjectRemoved:Delete)',
      'not an S3 event (aws:sqs)',
    ]);
  });

  it('dead-letters a key whose encoding is broken (S3 never sends one: an operator should see it)', async () => {
    const { handler, asked } = withImport();
    await expect(handler(s3Event(['uploads/s/r/%E0%A4%A.tar'], { encode: (k) => k }))).rejects.toBeInstanceOf(ImportFailedError);
    expect(asked).toEqual([]);
  });

  it('an event without records (S3’s test event) does nothing and does not fail', async () => {
    const { handler, logged } = withImport();
    expect(await handler({ Service: 'Amazon S3', Event: 's3:TestEvent' } as S3EventLike)).toEqual({ imported: [], ignored: [] });
    expect(await handler(undefined)).toEqual({ imported: [], ignored: [] });
    expect(logged.map((l) => l.msg)).toEqual(['importer: an event without S3 records; nothing to import', 'importer: an event without S3 records; nothing to import']);
  });
});

describe('the importer handler: the scheduled retention job', () => {
  const emptyReport = (): RetentionReport => ({ dryRun: false, now: 1, globalDays: 30, expired: 1, deleted: 0, failed: 1, kept: 0, unknownStart: 0, scopesFailed: 0, recordings: [], scopes: [] });

  function withJob(job: () => Promise<RetentionReport>) {
    const logged: Logged[] = [];
    const imports: string[] = [];
    let runs = 0;
    const deps = { clock: () => 0, log: recordingLogger(logged), storage: { bucket: BUCKET } } as unknown as Deps;
    const handler = createImporterHandler(() => deps, {
      importOne: async (_d, key) => {
        imports.push(key);
        return report(key);
      },
      retentionJob: () => {
        runs++;
        return job();
      },
    });
    return { handler, logged, imports, runs: () => runs };
  }

  it('runs the job for { job: "recording-retention" } and returns its report, failed recordings included (no throw)', async () => {
    const answer = emptyReport();
    const { handler, imports, runs } = withJob(async () => answer);
    expect(await handler({ job: RETENTION_JOB }, { awsRequestId: 'j1' })).toBe(answer);
    expect([runs(), imports]).toEqual([1, []]);
  });

  it('throws (Lambda retries) when the job cannot run, or for an unknown job, and logs why', async () => {
    const failing = withJob(async () => {
      throw new Error('table unreachable');
    });
    await expect(failing.handler({ job: RETENTION_JOB }, { awsRequestId: 'j2' })).rejects.toThrow('table unreachable');
    expect(failing.logged.find((l) => l.level === 'error')).toMatchObject({ msg: 'importer: retention job failed', fields: { requestId: 'j2', error: 'table unreachable' } });

    const unknown = withJob(async () => emptyReport());
    await expect(unknown.handler({ job: 'vacuum' } as never)).rejects.toThrow('unknown job "vacuum" (expected "recording-retention")');
    expect(unknown.runs()).toBe(0);
  });
});

describe('the importer handler on the embedded S3 and dynalite (real importUpload)', () => {
  let t: TestStack;
  const logged: Logged[] = [];
  beforeAll(async () => {
    t = await startTestStack({ autoImport: false, log: recordingLogger(logged) });
  });
  afterAll(async () => {
    await t?.close();
  });
  const handler = () => createImporterHandler(() => t.stack.deps);
  const storage = () => t.stack.storage;

  it('imports a BBB tar named in an S3 event (server id with a space: encoded twice), deletes the upload, and a redelivery changes nothing', async () => {
    const rec = bbbRecording({ meetingID: 'importer-lambda-1' });
    const key = uploadKey('bbb 1.example.com', rec.recordID, 'u-1');
    await storage().put(key, await tarBuffer(rec.files), { contentType: 'application/x-tar' });
    const event = s3Event([key], { bucket: storage().bucket });

    const first = await handler()(event, { awsRequestId: 'r1' });
    expect(first).toEqual({ imported: [{ key, outcome: 'imported', recordID: rec.recordID }], ignored: [] });
    expect(await storage().head(key)).toBeUndefined(); // the upload is gone once the import committed
    const stored = await t.stack.deps.store.recordings.get(rec.recordID);
    expect(stored).toMatchObject({ recordID: rec.recordID, meetingID: 'importer-lambda-1' });
    expect(Object.keys(stored!.formats).sort()).toEqual(['podcast', 'presentation', 'video']);
    expect(await storage().head(recordingFileKey(rec.recordID, 'video', 'video-0.m4v'))).toMatchObject({ size: 300 * 1024 });

    // S3 delivers at least once: the same event again finds the upload gone and succeeds
    const again = await handler()(event, { awsRequestId: 'r2' });
    expect(again.imported).toEqual([{ key, outcome: 'already-imported', recordID: rec.recordID }]);
    expect((await t.stack.deps.store.recordings.get(rec.recordID))?.formats).toEqual(stored!.formats);
  });

  it('throws for a tar that cannot be read, and the upload stays for the retry and the dead-letter queue', async () => {
    const key = uploadKey('bbb-1', 'f00d0000000000000000000000000000000000ba-1700000000000', 'u-2');
    await storage().put(key, Buffer.from('this is not a tar file, just some bytes that BBB never sends'.repeat(20)), { contentType: 'application/x-tar' });
    const err = await handler()(s3Event([key], { bucket: storage().bucket }), { awsRequestId: 'r3' }).catch((e) => e);
    expect(err).toBeInstanceOf(ImportFailedError);
    expect((err as ImportFailedError).failures[0].key).toBe(key);
    expect(await storage().head(key)).toBeDefined();
    expect(logged.some((l) => l.level === 'error' && l.fields?.key === key && l.fields?.requestId === 'r3')).toBe(true);
  });

  it('the retention job deletes an expired recording, files and item, with the deployment’s RECORDING_RETENTION_DAYS', async () => {
    const now = Date.now();
    const old = recording({ meetingID: 'importer-retention-old', startTime: now - 31 * DAY_MS });
    const young = recording({ meetingID: 'importer-retention-young', startTime: now - 29 * DAY_MS });
    for (const r of [old, young]) {
      expect(await t.stack.deps.store.recordings.save(r)).toBe(true);
      await storage().put(recordingFileKey(r.recordID, 'podcast', 'audio.ogg'), 'ogg');
    }
    const metrics = new RecordingMetrics();
    const deps = { ...t.stack.deps, config: { ...t.stack.deps.config, recordingRetentionDays: 30 }, metrics };
    const result = await createImporterHandler(() => deps)({ job: RETENTION_JOB }, { awsRequestId: 'j3' });
    // (the recordings the import tests above left are from 2023: they expire too)
    const outcomes = new Map(result.recordings.map((r) => [r.recordID, r.outcome]));
    expect([outcomes.get(old.recordID), outcomes.has(young.recordID), result.failed]).toEqual(['deleted', false, 0]);
    expect(await t.stack.deps.store.recordings.get(old.recordID)).toBeUndefined();
    expect(await storage().head(recordingFileKey(old.recordID, 'podcast', 'audio.ogg'))).toBeUndefined();
    expect(await t.stack.deps.store.recordings.get(young.recordID)).toBeDefined();
    expect(logged.find((l) => l.msg === 'recording retention')?.fields).toMatchObject({ expired: result.expired, deleted: result.expired });
    expect(metrics.total('RecordingsPurged')).toBe(result.expired);
  });
});
