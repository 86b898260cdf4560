import type { Deps } from '../../shared/app/deps.js';
import { importUpload, type ImportReport } from '../../shared/app/import-recording.js';
import { purgeExpiredRecordings, RETENTION_JOB, type RetentionJobEvent, type RetentionReport } from '../../shared/app/recording-retention.js';
import { UPLOADS_PREFIX } from '../../shared/storage/storage-keys.js';

/** The parts of an S3 event notification record the importer reads (any `ObjectCreated:*`). */
export interface S3EventRecordLike {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number } };
}

export interface S3EventLike {
  Records?: S3EventRecordLike[];
}

/** A scheduled job (EventBridge rule with a constant input), instead of S3 records. */
export interface JobEventLike {
  job?: unknown;
}

/** Runs the retention job: `purgeExpiredRecordings` (tests inject their own). */
export type RetentionJob = (deps: Deps) => Promise<RetentionReport>;

export interface LambdaContextLike {
  awsRequestId?: string;
}

/** One import: `importUpload` (tests inject their own). It may also throw: the same as a failed report. */
export type ImportOne = (deps: Deps, key: string) => Promise<ImportReport>;

export interface ImporterHandlerResult {
  /** uploads handled for good: imported (wholly or the formats that could be), or imported before */
  imported: { key: string; outcome: ImportReport['outcome']; recordID?: string }[];
  /** records left alone: not uploads of this bucket, or RECORDING_DISABLED (the upload stays) */
  ignored: { key: string; reason: string }[];
}

/** Thrown when an upload of the event was not imported: Lambda retries the event, then dead-letters it. */
export class ImportFailedError extends Error {
  constructor(readonly failures: { key: string; error: string }[]) {
    super(`${failures.length} upload(s) not imported: ${failures.map((f) => `${f.key}: ${f.error}`).join('; ')}`);
    this.name = 'ImportFailedError';
  }
}

/**
 * The object key of an S3 event record. S3 URL-encodes keys in notifications as HTML forms do: a space
 * is `+`, a `+` is `%2B`. Undefined when the encoding is broken.
 */
export function s3EventKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const isUpload = (key: string) => key.startsWith(UPLOADS_PREFIX) && key.endsWith('.tar');

/**
 * What the handler does with a report (shared/app/import-recording.ts):
 * - `ok` (imported, partly imported — the failed formats cannot improve with the same tar —, or the
 *   upload is gone because an earlier delivery imported it): done;
 * - `disabled` (RECORDING_DISABLED) and `refused` (a key no upload URL is made for): left alone — a retry
 *   would change nothing; logged;
 * - anything else (unreadable tar, no format importable, storage or DynamoDB failure, the upload not
 *   deleted): the upload is still there — failed, so that Lambda retries and then dead-letters the event.
 */
export function verdict(report: ImportReport): 'done' | 'ignored' | 'failed' {
  if (report.ok) return 'done';
  return report.outcome === 'disabled' || report.outcome === 'refused' ? 'ignored' : 'failed';
}

/**
 * The importer Lambda for these deps, invoked asynchronously by S3 (`ObjectCreated:*` under `uploads/`,
 * `*.tar`). Each record's key is decoded and imported in turn (`importUpload`: idempotent — a retried or
 * redelivered event gives the same result, and finds an imported upload gone). When any upload of the event was not
 * imported — the import threw or reported failure, the upload still in the bucket — the handler throws
 * after trying the others: Lambda retries the event (twice) and then sends it, with the error, to the
 * on-failure destination (the ImportFailures queue and its alarm). Records that are not uploads of the
 * configured bucket are logged and ignored: a retry would not change them.
 */
export function createImporterHandler(getDeps: () => Deps | Promise<Deps>, opts: { importOne?: ImportOne; retentionJob?: RetentionJob } = {}) {
  const importOne = opts.importOne ?? importUpload;
  const retentionJob = opts.retentionJob ?? ((deps: Deps) => purgeExpiredRecordings(deps));
  function handler(event: RetentionJobEvent, context?: LambdaContextLike): Promise<RetentionReport>;
  function handler(event: S3EventLike | undefined, context?: LambdaContextLike): Promise<ImporterHandlerResult>;
  async function handler(event: (S3EventLike & JobEventLike) | undefined, context?: LambdaContextLike): Promise<ImporterHandlerResult | RetentionReport> {
    const deps = await getDeps();
    const requestId = context?.awsRequestId;
    if (event?.job !== undefined) return runJob(deps, event.job, requestId);
    const result: ImporterHandlerResult = { imported: [], ignored: [] };
    const failures: { key: string; error: string }[] = [];
    const records = Array.isArray(event?.Records) ? event.Records : [];
    if (records.length === 0) deps.log.warn('importer: an event without S3 records; nothing to import', { requestId });

    for (const record of records) {
      const encoded = record.s3?.object?.key ?? '';
      const ignore = (reason: string, key = encoded) => {
        result.ignored.push({ key, reason });
        deps.log.warn('importer: record ignored', { requestId, key, reason, eventName: record.eventName });
      };
      if (record.eventSource !== undefined && record.eventSource !== 'aws:s3') {
        ignore(`not an S3 event (${record.eventSource})`);
        continue;
      }
      if (!record.eventName?.startsWith('ObjectCreated:')) {
        ignore(`not an object creation (${record.eventName ?? 'no event name'})`);
        continue;
      }
      const bucket = record.s3?.bucket?.name;
      const expected = deps.storage?.bucket;
      if (expected !== undefined && bucket !== expected) {
        ignore(`another bucket (${bucket ?? 'none'}, expected ${expected})`);
        continue;
      }
      const key = s3EventKey(encoded);
      if (key === undefined) {
        // cannot happen with S3's own encoding; dead-lettered so that an operator sees it
        failures.push({ key: encoded, error: 'the key in the event is not valid URL encoding' });
        continue;
      }
      if (!isUpload(key)) {
        ignore(`not an upload (${UPLOADS_PREFIX}…/*.tar)`, key);
        continue;
      }
      const started = deps.clock();
      try {
        const report = await importOne(deps, key);
        const fields = { requestId, key, recordID: report.recordID, outcome: report.outcome, durationMs: deps.clock() - started };
        switch (verdict(report)) {
          case 'done':
            result.imported.push({ key, outcome: report.outcome, recordID: report.recordID });
            deps.log.info('importer: upload handled', { ...fields, size: record.s3?.object?.size, formats: report.formats, failedFormats: report.failedFormats.length });
            break;
          case 'ignored':
            result.ignored.push({ key, reason: report.error ?? report.outcome });
            deps.log.warn('importer: upload left in the bucket, not imported', { ...fields, error: report.error });
            break;
          case 'failed': {
            const error = report.error ?? report.outcome;
            failures.push({ key, error });
            deps.log.error('importer: import failed, the upload stays for a retry', { ...fields, error });
            break;
          }
        }
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failures.push({ key, error });
        deps.log.error('importer: import failed, the upload stays for a retry', { requestId, key, error, durationMs: deps.clock() - started });
      }
    }

    if (failures.length > 0) throw new ImportFailedError(failures);
    return result;
  }

  /**
   * A scheduled job: `recording-retention` runs the retention job and returns its report — a recording
   * that could not be purged is in the report and the log, not an error (the next run tries again); only a
   * job that could not run at all (the table unreachable) throws, so that Lambda retries it. An unknown
   * job name throws too: the rule that sent it is misconfigured.
   */
  async function runJob(deps: Deps, job: unknown, requestId: string | undefined): Promise<RetentionReport> {
    if (job !== RETENTION_JOB) {
      deps.log.error('importer: unknown job', { requestId, job: String(job) });
      throw new Error(`unknown job ${JSON.stringify(job)} (expected "${RETENTION_JOB}")`);
    }
    try {
      return await retentionJob(deps);
    } catch (e) {
      deps.log.error('importer: retention job failed', { requestId, error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  }

  return handler;
}
