/**
 * Recording retention (RECORDING_RETENTION_DAYS, a tenant's `lb_recording_retention_days`): expired
 * recordings are deleted, files and metadata, by a scheduled job — the importer Lambda on a daily
 * EventBridge rule, `slctl serve` once an hour, `slctl recordings:purge` by hand.
 *
 * Scopes: the recordings without a tenant keep RECORDING_RETENTION_DAYS; each tenant keeps its own setting,
 * else the global days; 0 days keeps a scope's recordings forever. A recording expires when it started more
 * than that many days ago (age measured from its start time, any state — the tombstones deleteRecordings
 * leaves included); one whose start time is unknown (0) never expires.
 *
 * Costs: 1 Query for the tenants, 1 Query per scope that has a retention (GSI3, `gsi3sk < cutoff`, the
 * index's attributes only: no Scan, and only expired entries are read), then per expired recording
 * 1 GetItem + the listing and DeleteObjects of its files + 1 conditional DeleteItem.
 */
import { RECORDING_RETENTION_SETTING, tenantRetentionDays } from '../domain/balancer-settings.js';
import type { RecordingStart } from '../store/recording-repo.js';
import { recordingPrefix } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';

/** The event that runs the retention job in the importer Lambda (a daily EventBridge rule sends it). */
export const RETENTION_JOB = 'recording-retention';
export interface RetentionJobEvent {
  job: typeof RETENTION_JOB;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Recordings purged at once. */
const PURGE_CONCURRENCY = 4;
/** Record ids named in one log line about recordings of unknown start time. */
const LOGGED_IDS = 20;

export interface RetentionOptions {
  /** list what would go, change nothing */
  dryRun?: boolean;
  /** instead of RECORDING_RETENTION_DAYS (`slctl recordings:purge --days`) */
  globalDays?: number;
  /**
   * How the listing is read (default: at once). slctl through the admin function passes its memo, so a purge
   * run in slices (cli/task-slice.ts) deletes from the list its first slice read.
   */
  memo?: <T>(read: () => Promise<T>) => Promise<T>;
  /** How the recordings are purged, each by `purge` (default: PURGE_CONCURRENCY at once); slctl passes its bounded steps */
  each?: <T, R>(items: T[], purge: (item: T) => Promise<R>) => Promise<R[]>;
}

/** Whose recordings, kept how long: no tenant, or one tenant. */
export interface RetentionScope {
  /** undefined: the recordings without a tenant */
  tenantId?: string;
  tenantName?: string;
  /** 0 = kept forever */
  days: number;
  /** where `days` comes from: RECORDING_RETENTION_DAYS, or the tenant's setting */
  source: 'global' | 'tenant';
}

/**
 * What became of an expired recording: `expired` (dry run: it would be deleted), `deleted` (files and
 * item gone), `failed` (something could not be deleted; the next run tries again), `kept` (it changed
 * since it was listed and no longer expires here, e.g. it moved to another tenant).
 */
export type PurgeOutcome = 'expired' | 'deleted' | 'failed' | 'kept';

export interface ExpiredRecording extends RecordingStart {
  tenantId?: string;
  tenantName?: string;
  /** whole days since its start */
  ageDays: number;
  outcome: PurgeOutcome;
  error?: string;
}

export interface ScopeReport extends RetentionScope {
  /** recordings that started before this (epoch ms) expired; absent when the scope keeps them forever */
  cutoff?: number;
  expired: number;
  deleted: number;
  failed: number;
  kept: number;
  /** older than the cutoff by their index entry, but of unknown start time (0): kept */
  unknownStart: number;
  /** the scope's recordings could not be listed */
  error?: string;
}

export interface RetentionReport {
  dryRun: boolean;
  /** epoch ms the ages are measured from */
  now: number;
  globalDays: number;
  expired: number;
  deleted: number;
  failed: number;
  kept: number;
  unknownStart: number;
  /** scopes whose recordings could not be listed (their recordings wait for the next run) */
  scopesFailed: number;
  /** every expired recording, oldest first within its scope */
  recordings: ExpiredRecording[];
  scopes: ScopeReport[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The scopes and their days: no tenant (the global days), then every tenant in the table (its
 * `lb_recording_retention_days`, else the global days). A stored value that is no number of days is
 * logged and the global days apply.
 */
export async function retentionScopes(deps: Deps, globalDays = deps.config.recordingRetentionDays): Promise<RetentionScope[]> {
  const scopes: RetentionScope[] = [{ days: globalDays, source: 'global' }];
  for (const tenant of await deps.store.tenants.listAll()) {
    const own = tenantRetentionDays(tenant.settings);
    if (own === 'invalid') deps.log.warn('recording retention: invalid tenant setting, the global retention applies', { tenantId: tenant.id, setting: RECORDING_RETENTION_SETTING });
    const tenantDays = typeof own === 'number' ? own : undefined;
    scopes.push({ tenantId: tenant.id, tenantName: tenant.name, days: tenantDays ?? globalDays, source: tenantDays === undefined ? 'global' : 'tenant' });
  }
  return scopes;
}

/** Lists a scope's expired recordings into its report; those of unknown start time are counted and logged, not listed. */
async function listExpired(deps: Deps, scope: RetentionScope, now: number): Promise<{ report: ScopeReport; expired: ExpiredRecording[] }> {
  const report: ScopeReport = { ...scope, expired: 0, deleted: 0, failed: 0, kept: 0, unknownStart: 0 };
  if (scope.days === 0) return { report, expired: [] };
  const cutoff = now - scope.days * DAY_MS;
  report.cutoff = cutoff;
  try {
    const listed = await deps.store.recordings.startedBefore(scope.tenantId, cutoff);
    const unknown = listed.filter((r) => !(r.startTime > 0));
    report.unknownStart = unknown.length;
    if (unknown.length > 0) {
      deps.log.warn('recording retention: start time unknown, recording kept', { tenantId: scope.tenantId, recordings: unknown.length, recordIDs: unknown.slice(0, LOGGED_IDS).map((r) => r.recordID) });
    }
    const expired = listed
      .filter((r) => r.startTime > 0 && r.startTime < cutoff)
      .map((r): ExpiredRecording => ({ ...r, tenantId: scope.tenantId, tenantName: scope.tenantName, ageDays: Math.floor((now - r.startTime) / DAY_MS), outcome: 'expired' }));
    report.expired = expired.length;
    return { report, expired };
  } catch (e) {
    report.error = message(e);
    deps.log.error('recording retention: could not list the recordings of a scope', { tenantId: scope.tenantId, error: report.error });
    return { report, expired: [] };
  }
}

/**
 * Deletes one expired recording: its files (every object under `recordings/<id>/`), then its item, on
 * condition that the item is still the version read here, which is checked again to be expired in this
 * scope (the index may lag behind a move to another tenant). Files go first: a recording whose files could
 * not all be deleted keeps its item, so the next run finds it again. When the item changed while the files
 * were deleted (a re-import), it is kept and reported as failed: nothing is dropped silently, and the next
 * run deletes it if it is still expired.
 */
async function purgeOne(deps: Deps, r: ExpiredRecording, cutoff: number): Promise<Pick<ExpiredRecording, 'outcome' | 'error'>> {
  const current = await deps.store.recordings.get(r.recordID);
  if (current && ((current.tenantId ?? undefined) !== r.tenantId || !(current.startTime > 0 && current.startTime < cutoff))) {
    return { outcome: 'kept', error: 'changed since it was listed: no longer expired here' };
  }
  await deps.storage!.deletePrefix(recordingPrefix(r.recordID));
  if (current && !(await deps.store.recordings.deleteIfUnchanged(r.recordID, current.version))) {
    return { outcome: 'failed', error: 'the recording changed while its files were deleted (re-imported?); its item is kept for the next run' };
  }
  return { outcome: 'deleted' };
}

/**
 * Finds the expired recordings of every scope and (unless `dryRun`) deletes them, files and metadata, a few
 * at a time; one failure does not stop the others. Logs one line `recording retention` with the counts —
 * a real run also counts them as metrics (deps.metrics: RecordingsExpired, RecordingsPurged,
 * RecordingsPurgeFailed) — and returns the report. Throws only when
 * the tenants cannot be read (nothing was done then), or without a bucket for a real run.
 */
export async function purgeExpiredRecordings(deps: Deps, opts: RetentionOptions = {}): Promise<RetentionReport> {
  const dryRun = opts.dryRun === true;
  if (!dryRun && !deps.storage) throw new Error('recording retention: no recordings bucket is configured; nothing deleted');
  const globalDays = opts.globalDays ?? deps.config.recordingRetentionDays;
  const memo = opts.memo ?? ((read) => read());
  const each = opts.each ?? ((items, purge) => mapBounded(items, PURGE_CONCURRENCY, purge));
  const { now, listed } = await memo(async () => {
    const at = deps.clock();
    const scopes = await retentionScopes(deps, globalDays);
    return { now: at, listed: await mapBounded(scopes, PURGE_CONCURRENCY, (scope) => listExpired(deps, scope, at)) };
  });

  const work = listed.flatMap(({ report, expired }) => expired.map((r) => ({ report, r })));
  if (!dryRun) {
    const outcomes = await each(work, async ({ report, r }): Promise<Pick<ExpiredRecording, 'outcome' | 'error'>> => {
      try {
        const result = await purgeOne(deps, r, report.cutoff!);
        if (result.outcome === 'failed') deps.log.warn('recording retention: recording not purged', { recordID: r.recordID, tenantId: r.tenantId, error: result.error });
        return result;
      } catch (e) {
        deps.log.warn('recording retention: recording not purged', { recordID: r.recordID, tenantId: r.tenantId, error: message(e) });
        return { outcome: 'failed', error: message(e) };
      }
    });
    // counted from the outcomes (not as each one ends): a purge run in slices returns them all at the end
    outcomes.forEach((outcome, i) => {
      const { report, r } = work[i];
      Object.assign(r, outcome);
      if (r.outcome === 'deleted') report.deleted++;
      else if (r.outcome === 'kept') report.kept++;
      else report.failed++;
    });
  }

  const reports = listed.map((l) => l.report);
  const sum = (field: 'expired' | 'deleted' | 'failed' | 'kept' | 'unknownStart') => reports.reduce((n, s) => n + s[field], 0);
  const report: RetentionReport = {
    dryRun,
    now,
    globalDays,
    expired: sum('expired'),
    deleted: sum('deleted'),
    failed: sum('failed'),
    kept: sum('kept'),
    unknownStart: sum('unknownStart'),
    scopesFailed: reports.filter((s) => s.error !== undefined).length,
    recordings: work.map((w) => w.r),
    scopes: reports,
  };
  logReport(deps, report, deps.clock() - now);
  return report;
}

/** The run's log line, and a real run's metrics (RecordingsExpired, RecordingsPurged, RecordingsPurgeFailed; a dry run emits none). */
function logReport(deps: Deps, report: RetentionReport, durationMs: number): void {
  const { dryRun, globalDays, expired, deleted, failed, kept, unknownStart, scopesFailed } = report;
  const tenants = report.scopes
    .filter((s) => s.tenantId !== undefined && (s.expired > 0 || s.unknownStart > 0 || s.error !== undefined))
    .map((s) => ({ tenantId: s.tenantId, days: s.days, expired: s.expired, deleted: s.deleted, failed: s.failed, ...(s.error ? { error: s.error } : {}) }));
  if (!dryRun) {
    deps.metrics.count('RecordingsExpired', expired);
    deps.metrics.count('RecordingsPurged', deleted);
    deps.metrics.count('RecordingsPurgeFailed', failed);
  }
  deps.log.info('recording retention', { dryRun, globalDays, expired, deleted, failed, kept, unknownStart, scopes: report.scopes.length, scopesFailed, tenants, durationMs });
}
