/**
 * The recording import's entry points (issue 10; the work is `importEntries`, import-entries.ts):
 * `importUpload` for an upload in the bucket (the importer Lambda, `slctl serve`), `importTarStream` for a
 * tar file (`slctl recordings:import`), `importPublishedDirectory` for a published tree (`slctl
 * recordings:import-published`). docs/RECORDINGS.md section 4 describes what they do.
 */
import type { Readable } from 'node:stream';
import { parseUploadKey } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import { emptyReport, importEntries, type ImportOptions, type ImportOutcome, type ImportReport } from './import-entries.js';
import { publishedTreeEntries } from './published-tree.js';
import { tarEntries } from './tar-entries.js';

export { importEntries, MAX_METADATA_BYTES, SMALL_FILE_BYTES, SMALL_FILES_IN_FLIGHT, type FormatFailure, type ImportOptions, type ImportOutcome, type ImportReport } from './import-entries.js';
export { SourceReadError, type ImportEntry } from './import-entry.js';
export { listPublishedRecordings } from './published-tree.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Imports a tar stream (`slctl recordings:import FILE.tar`, and the uploads). Never throws. */
export function importTarStream(deps: Deps, tar: Readable, opts: ImportOptions = {}): Promise<ImportReport> {
  return importEntries(deps, tarEntries(tar), opts);
}

/**
 * Imports one recording of a published tree `DIR/<format>/<record_id>/…` (`slctl
 * recordings:import-published`; list them with `listPublishedRecordings`). Nothing on disk changes.
 * Not announced unless `opts.announce` (a migration must not call front-ends about old recordings).
 */
export function importPublishedDirectory(deps: Deps, dir: string, recordID: string, opts: Omit<ImportOptions, 'expectedRecordID'> = {}): Promise<ImportReport> {
  return importEntries(deps, publishedTreeEntries(dir, recordID), { source: `${dir} (${recordID})`, ...opts, announce: opts.announce ?? false, expectedRecordID: recordID });
}

/**
 * Imports the upload at `key` (`uploads/<server>/<record_id>/<upload id>.tar`, the S3 event's object) and
 * deletes it once the recording is stored. Never throws; `report.ok` false (and outcome not `disabled`)
 * means the upload is still there and the import should be retried (it is idempotent).
 */
export async function importUpload(deps: Deps, key: string): Promise<ImportReport> {
  const report = await importUploadOnce(deps, key);
  countImport(deps, report);
  return report;
}

/**
 * The metrics of one import attempt: RecordingsImported when the recording was filed (wholly or in part)
 * and its upload deleted; RecordingImportFailures when the upload stays for a retry (not for
 * RECORDING_DISABLED, a refused key, or an upload imported before).
 */
function countImport(deps: Deps, report: ImportReport): void {
  if (report.ok) {
    if (report.outcome === 'imported' || report.outcome === 'partial') deps.metrics.count('RecordingsImported');
  } else if (report.outcome !== 'disabled' && report.outcome !== 'refused') {
    deps.metrics.count('RecordingImportFailures');
  }
}

async function importUploadOnce(deps: Deps, key: string): Promise<ImportReport> {
  const started = Date.now();
  const report = emptyReport(key);
  const done = (outcome: ImportOutcome, ok: boolean, error?: string): ImportReport => ({ ...report, outcome, ok, ...(error ? { error } : {}), durationMs: Date.now() - started });
  if (deps.config.recordingDisabled) {
    deps.log.info('recording import skipped: RECORDING_DISABLED', { source: key });
    return done('disabled', false);
  }
  const upload = parseUploadKey(key);
  if (!upload) {
    deps.log.warn('recording import: not an upload key, left alone', { source: key });
    return done('refused', false, 'not an upload key (uploads/<server>/<record_id>/<upload>.tar)');
  }
  report.recordID = upload.recordID;
  if (!deps.storage) return done('failed', false, 'no recordings storage in this runtime');
  let object;
  try {
    object = await deps.storage.get(key);
  } catch (e) {
    deps.log.error('recording import: the upload cannot be read', { source: key, recordID: upload.recordID, error: message(e) });
    return done('failed', false, `the upload cannot be read: ${message(e)}`);
  }
  if (!object) {
    deps.log.info('recording import: the upload is gone (imported before)', { source: key, recordID: upload.recordID });
    return done('already-imported', true);
  }
  const result = await importTarStream(deps, object.body, { expectedRecordID: upload.recordID, source: key, uploadKey: key });
  object.body.destroy();
  if (!result.ok) return result;
  try {
    await deps.storage.delete(key);
    result.uploadDeleted = true;
  } catch (e) {
    // imported; a retry imports it again (same result) and deletes it
    deps.log.error('recording import: imported, but the upload could not be deleted', { source: key, recordID: upload.recordID, error: message(e) });
    result.ok = false;
    result.error = `imported, but the upload could not be deleted: ${message(e)}`;
  }
  result.durationMs = Date.now() - started;
  return result;
}
