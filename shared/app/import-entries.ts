/**
 * The core of the recording import (issue 10, reference §5.1; the entry points are in
 * import-recording.ts): the entries of one recording — from a tar or a published tree — become files
 * under `recordings/<record_id>/<format>/…` and one Recording item.
 *
 * - Streams: one entry at a time; a file over SMALL_FILE_BYTES is piped to storage (back-pressure to the
 *   source), smaller ones are written a few at a time (SMALL_FILES_IN_FLIGHT, ≤ 8 MiB held); a format's
 *   metadata.xml (≤ MAX_METADATA_BYTES) is kept, to be parsed after the last entry.
 * - Per-format isolation: a format whose metadata.xml is missing or wrong is reported and logged with the
 *   record id (its files stay written); the other formats import.
 * - One `recordings.update` per import (versioned read-modify-write) merges every good format
 *   (`mergeImport`); then files of those formats that the import did not write are removed (a rebuilt
 *   recording has no stale slides), then the recording is announced (`announceRecording`).
 * - `importUpload` deletes the upload only after all of that committed; anything that fails leaves it
 *   where it is and says so in the report (on AWS the Lambda then throws: S3 retries, then the DLQ).
 * - Idempotent: the same entries give the same files and the same recording (but `importedAt` and
 *   `version`); a missing upload is one imported before.
 */
import type { Readable } from 'node:stream';
import { contentTypeFor } from '../domain/content-type.js';
import { mergeImport, type FormatImport } from '../domain/merge-import.js';
import type { Recording } from '../domain/recording.js';
import { frontendMeetingId, parseRecordingMetadata, TENANT_ID_META, type RecordingMetadata } from '../domain/recording-metadata.js';
import { formatPrefix, recordingFileKey } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import { SourceReadError, type ImportEntry } from './import-entry.js';
import { boundedWrites } from './bounded-writes.js';
import { announceRecording } from './recording-ready.js';
import { accrueRecordingUsage } from './usage-accrual.js';
import { contentDispositionFor, parseEntryPath } from './recording-entry-path.js';

/** A metadata.xml larger than this fails its format (BBB's are a few KB; thousands of thumbnails stay far below). */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;
/**
 * Files up to this size are read whole and written SMALL_FILES_IN_FLIGHT at a time while the tar reads
 * on (a presentation is hundreds of small files: one at a time, S3's latency per request would add up);
 * bigger files stream straight through, one at a time. At most SMALL_FILE_BYTES × SMALL_FILES_IN_FLIGHT
 * (8 MiB) of them is held.
 */
export const SMALL_FILE_BYTES = 1024 * 1024;
export const SMALL_FILES_IN_FLIGHT = 8;
/** Entries listed in a report's `skipped` (all are counted). */
const MAX_LISTED_SKIPS = 100;
/** Skipped entries logged one by one (the rest in the summary line). */
const MAX_LOGGED_SKIPS = 20;

export type ImportOutcome =
  /** every format imported */
  | 'imported'
  /** some formats imported, some failed (the failures cannot improve by retrying the same tar) */
  | 'partial'
  /** the upload is gone: imported before (a redelivered event) */
  | 'already-imported'
  /** RECORDING_DISABLED: nothing read, the upload stays */
  | 'disabled'
  /** not a tar, truncated, or the source failed while being read: nothing committed, the upload stays */
  | 'unreadable'
  /** readable, but no format could be imported (none, or all failed): nothing committed, the upload stays */
  | 'no-format'
  /** not an upload key: left alone */
  | 'refused'
  /** storage or DynamoDB failed: nothing committed (files may be written), the upload stays; retry */
  | 'failed';

export interface FormatFailure {
  format: string;
  /** MetadataErrorCode, or `metadata.missing`, `metadata.tooLarge`, `metadata.otherRecording`, `metadata.otherFormat` */
  code: string;
  error: string;
}

export interface ImportReport {
  /** the upload key, file or directory read */
  source: string;
  outcome: ImportOutcome;
  /**
   * true when nothing is left to do (imported, partly imported, imported before; for uploads: and the
   * upload deleted). A Lambda handler throws when it is false and the outcome is not `disabled`.
   */
  ok: boolean;
  recordID?: string;
  /** formats imported, sorted */
  formats: string[];
  failedFormats: FormatFailure[];
  /** files written to storage, and their bytes */
  files: number;
  bytes: number;
  /** entries not imported and why (the first MAX_LISTED_SKIPS) */
  skipped: { name: string; reason: string }[];
  skippedCount: number;
  /** files of the imported formats that were in storage but not in this import, removed */
  staleFilesRemoved: number;
  /** the recording as stored after the import */
  recording?: Recording;
  /** importUpload: the upload object was deleted */
  uploadDeleted: boolean;
  /** what went wrong (outcomes other than imported/partial/already-imported/disabled, or a failed delete) */
  error?: string;
  durationMs: number;
}

export interface ImportOptions {
  /** entries of any other record id are refused; default: the record id of the first importable entry */
  expectedRecordID?: string;
  /** names the source in logs and the report */
  source?: string;
  /** announce the recording after the commit (announceRecording); default true */
  announce?: boolean;
  /** given to announceRecording: one announcement per upload however often it is imported */
  uploadKey?: string;
}

interface FormatState {
  /** keys written by this import */
  keys: Set<string>;
  /** their bytes */
  bytes: number;
  metadata?: Buffer;
  metadataError?: FormatFailure;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A report of nothing done yet (outcome `failed` until decided). */
export function emptyReport(source: string): ImportReport {
  return { source, outcome: 'failed', ok: false, formats: [], failedFormats: [], files: 0, bytes: 0, skipped: [], skippedCount: 0, staleFilesRemoved: 0, uploadDeleted: false, durationMs: 0 };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Imports one recording from a stream of entries (the core of every importer). Never throws: every
 * failure is an outcome of the report, logged.
 */
export async function importEntries(deps: Deps, entries: AsyncIterable<ImportEntry>, opts: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const report = emptyReport(opts.source ?? '(stream)');
  const log = deps.log;
  const finish = (outcome: ImportOutcome, error?: string): ImportReport => {
    report.outcome = outcome;
    report.ok = outcome === 'imported' || outcome === 'partial' || outcome === 'already-imported';
    if (error !== undefined) report.error = error;
    report.durationMs = Date.now() - started;
    return report;
  };
  if (deps.config.recordingDisabled) {
    log.info('recording import skipped: RECORDING_DISABLED', { source: report.source });
    return finish('disabled');
  }
  const storage = deps.storage;
  if (!storage) return finish('failed', 'no recordings storage in this runtime');

  let recordID = opts.expectedRecordID;
  report.recordID = recordID;
  const formats = new Map<string, FormatState>();
  const skip = (name: string, reason: string) => {
    report.skippedCount++;
    if (report.skipped.length < MAX_LISTED_SKIPS) report.skipped.push({ name, reason });
    if (report.skippedCount <= MAX_LOGGED_SKIPS) log.warn('recording import: entry skipped', { source: report.source, recordID, entry: name, reason });
  };

  // 1. every file to storage, as it comes
  const writes = boundedWrites(SMALL_FILES_IN_FLIGHT);
  try {
    for await (const entry of entries) {
      if (entry.type === 'directory') continue;
      if (entry.type !== 'file') {
        skip(entry.name, 'not a regular file');
        continue;
      }
      const where = parseEntryPath(entry.name);
      if (!where.ok) {
        skip(entry.name, where.reason);
        continue;
      }
      if (recordID === undefined) report.recordID = recordID = where.recordID;
      if (where.recordID !== recordID) {
        skip(entry.name, `belongs to recording ${where.recordID}, not ${recordID}`);
        continue;
      }
      let format = formats.get(where.format);
      if (!format) formats.set(where.format, (format = { keys: new Set(), bytes: 0 }));
      const key = recordingFileKey(recordID, where.format, where.path);
      const headers = { contentType: contentTypeFor(where.path), contentDisposition: contentDispositionFor(where.path) };
      if (where.path === 'metadata.xml' && entry.size <= MAX_METADATA_BYTES) {
        const xml = await readAll(entry.open());
        format.metadata = xml;
        delete format.metadataError;
        await writes.add(key, () => storage.put(key, xml, headers));
      } else if (entry.size <= SMALL_FILE_BYTES && where.path !== 'metadata.xml') {
        // read whole (lib-storage would buffer it as one part anyway) and written while the next entries are read
        const body = await readAll(entry.open());
        await writes.add(key, () => storage.put(key, body, headers));
      } else {
        if (where.path === 'metadata.xml') {
          delete format.metadata;
          format.metadataError = { format: where.format, code: 'metadata.tooLarge', error: `metadata.xml has ${entry.size} bytes, more than ${MAX_METADATA_BYTES}` };
        }
        await writes.drain(); // one big file at a time, nothing else in flight
        await storage.put(key, entry.open(), { ...headers, contentLength: entry.size });
      }
      format.keys.add(key);
      format.bytes += entry.size;
      report.files++;
      report.bytes += entry.size;
    }
    await writes.drain();
  } catch (e) {
    await writes.settle();
    const unreadable = e instanceof SourceReadError;
    log.error(unreadable ? 'recording import: the source cannot be read' : 'recording import failed while writing files', { source: report.source, recordID, error: message(e) });
    return finish(unreadable ? 'unreadable' : 'failed', message(e));
  }
  if (report.skippedCount > MAX_LOGGED_SKIPS) log.warn('recording import: entries skipped', { source: report.source, recordID, skipped: report.skippedCount });
  if (recordID === undefined || formats.size === 0) {
    const error = report.skippedCount > 0 ? `no file of the recording (${report.skippedCount} entries skipped)` : 'no <format>/<record_id>/ file';
    log.error('recording import: nothing to import', { source: report.source, recordID, error });
    return finish('no-format', error);
  }
  const rid = recordID;

  // 2. each format's metadata.xml
  const good: { format: string; metadata: RecordingMetadata }[] = [];
  for (const name of [...formats.keys()].sort()) {
    const f = formats.get(name)!;
    let failure = f.metadataError;
    if (!failure && !f.metadata) failure = { format: name, code: 'metadata.missing', error: 'the format has no metadata.xml' };
    if (!failure) {
      const parsed = parseRecordingMetadata(f.metadata!.toString('utf8'));
      if (!parsed.ok) failure = { format: name, code: parsed.error.code, error: parsed.error.message };
      else if (parsed.value.recordID !== rid) failure = { format: name, code: 'metadata.otherRecording', error: `metadata.xml names recording ${parsed.value.recordID}` };
      else if (parsed.value.format.type !== name) failure = { format: name, code: 'metadata.otherFormat', error: `metadata.xml is for format ${parsed.value.format.type}` };
      else good.push({ format: name, metadata: parsed.value });
    }
    if (failure) {
      report.failedFormats.push(failure);
      log.error('recording format not imported', { source: report.source, recordID: rid, format: name, code: failure.code, error: failure.error });
    }
  }
  if (good.length === 0) return finish('no-format', `no format could be imported (${report.failedFormats.map((f) => `${f.format}: ${f.error}`).join('; ')})`);

  // 3. one write of the recording
  let priorFormats: string[] | undefined; // the formats the recording had; undefined: this import created it
  try {
    const imports: FormatImport[] = [];
    const looked = new Map<string, string>();
    for (const { metadata } of good) {
      const tenant = metadata.metadata[TENANT_ID_META];
      const resolved = frontendMeetingId(metadata.meetingId, Object.hasOwn(metadata.metadata, TENANT_ID_META) && tenant.trim() !== '' ? tenant : undefined);
      let meetingID: string;
      if ('meetingID' in resolved) meetingID = resolved.meetingID;
      else {
        if (!looked.has(resolved.lookup)) looked.set(resolved.lookup, (await deps.store.meetings.findCallbacks(resolved.lookup))?.meetingID ?? resolved.lookup);
        meetingID = looked.get(resolved.lookup)!;
      }
      imports.push({ metadata, meetingID });
    }
    const settings = { importUnpublished: deps.config.recordingImportUnpublished, protectedEnabled: deps.config.protectedRecordingsEnabled, now: deps.clock() };
    report.recording = await deps.store.recordings.update(rid, (current) => {
      priorFormats = current && Object.keys(current.formats);
      return mergeImport(current, imports, settings);
    });
  } catch (e) {
    log.error('recording import: the recording could not be stored', { source: report.source, recordID: rid, error: message(e) });
    return finish('failed', `the recording could not be stored: ${message(e)}`);
  }
  report.formats = good.map((g) => g.format);
  await accrueRecordingUsage(deps, { recordID: rid, tenantId: report.recording?.tenantId, priorFormats, formatBytes: Object.fromEntries(good.map((g) => [g.format, formats.get(g.format)!.bytes])) });

  // 4. files of the imported formats that this import did not write (a rebuilt recording's leftovers)
  for (const { format } of good) {
    const written = formats.get(format)!.keys;
    try {
      const stale: string[] = [];
      for await (const o of storage.list(formatPrefix(rid, format))) if (!written.has(o.key)) stale.push(o.key);
      for (const key of stale) await storage.delete(key);
      report.staleFilesRemoved += stale.length;
    } catch (e) {
      log.warn('recording import: stale files of a format not removed', { source: report.source, recordID: rid, format, error: message(e) });
    }
  }

  // 5. the recording-ready callback (never throws; its retries are the poller's)
  if (opts.announce !== false && report.recording) {
    try {
      await announceRecording(deps, report.recording, { uploadKey: opts.uploadKey });
    } catch (e) {
      log.error('recording import: announcing the recording failed', { source: report.source, recordID: rid, error: message(e) });
    }
  }

  const outcome = report.failedFormats.length === 0 ? 'imported' : 'partial';
  log.info('recording imported', {
    source: report.source,
    recordID: rid,
    outcome,
    formats: report.formats,
    failedFormats: report.failedFormats.map((f) => f.format),
    files: report.files,
    bytes: report.bytes,
    staleFilesRemoved: report.staleFilesRemoved,
    ms: Date.now() - started,
  });
  return finish(outcome);
}
