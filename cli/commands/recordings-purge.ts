import type { Argv, CommandModule } from 'yargs';
import { purgeExpiredRecordings, type ExpiredRecording, type RetentionReport, type ScopeReport } from '../../shared/app/recording-retention.js';
import { MAX_RETENTION_DAYS, RECORDING_RETENTION_SETTING } from '../../shared/domain/balancer-settings.js';
import { runBounded } from '../bbb-tasks.js';
import { CliError } from '../cli-error.js';
import { startActivity } from '../progress.js';
import { renderTable, type Column } from '../status-table.js';
import { say, warn } from '../stdio.js';
import { cliDeps, S3_TARGET_OPTIONS, type TargetFlags } from '../target.js';
import { memo } from '../task-slice.js';

type PurgeArgs = TargetFlags & { dryRun?: boolean; json?: boolean; days?: number };

/** `2023-11-14T22:13:20Z` */
const isoSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const tenantOf = (r: { tenantId?: string; tenantName?: string }) => r.tenantName ?? r.tenantId ?? '';

const daysText = (days: number) => (days === 0 ? 'kept forever' : `${days} day${days === 1 ? '' : 's'}`);

/** `Retention: 30 days (RECORDING_RETENTION_DAYS); tenant acme: 90 days, tenant beta: kept forever (lb_recording_retention_days)` */
function retentionLine(report: RetentionReport, globalSource: string): string {
  const own = report.scopes.filter((s) => s.source === 'tenant');
  const tenants = own.length > 0 ? `; ${own.map((s) => `tenant ${tenantOf(s)}: ${daysText(s.days)}`).join(', ')} (${RECORDING_RETENTION_SETTING})` : '';
  return `Retention: ${daysText(report.globalDays)} (${globalSource})${tenants}`;
}

const OUTCOME_TEXT: Record<ExpiredRecording['outcome'], string> = { expired: 'would be deleted', deleted: 'deleted', failed: 'FAILED', kept: 'kept (changed)' };

const COLUMNS: readonly Column[] = [
  { header: 'RECORD ID', align: 'left' },
  { header: 'MEETING ID', align: 'left' },
  { header: 'TENANT', align: 'left' },
  { header: 'STATE', align: 'left' },
  { header: 'START (UTC)', align: 'left' },
  { header: 'AGE (DAYS)', align: 'right' },
  { header: 'RESULT', align: 'left' },
];

/** `slctl recordings:purge --json`: the report with times as ISO text. */
function reportJson(report: RetentionReport) {
  const scope = (s: ScopeReport) => ({
    tenantId: s.tenantId ?? null,
    tenantName: s.tenantName ?? null,
    days: s.days,
    source: s.source,
    cutoff: s.cutoff === undefined ? null : new Date(s.cutoff).toISOString(),
    expired: s.expired,
    deleted: s.deleted,
    failed: s.failed,
    kept: s.kept,
    unknownStart: s.unknownStart,
    ...(s.error !== undefined ? { error: s.error } : {}),
  });
  return {
    dryRun: report.dryRun,
    now: new Date(report.now).toISOString(),
    globalDays: report.globalDays,
    expired: report.expired,
    deleted: report.deleted,
    failed: report.failed,
    kept: report.kept,
    unknownStart: report.unknownStart,
    scopesFailed: report.scopesFailed,
    recordings: report.recordings.map((r) => ({
      recordID: r.recordID,
      meetingID: r.meetingID,
      tenantId: r.tenantId ?? null,
      tenantName: r.tenantName ?? null,
      state: r.state ?? null,
      startTime: new Date(r.startTime).toISOString(),
      ageDays: r.ageDays,
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    scopes: report.scopes.map(scope),
  };
}

/**
 * `slctl recordings:purge [--dry-run] [--json] [--days N]`: the retention job of the importer Lambda, now —
 * expired recordings (started more than RECORDING_RETENTION_DAYS ago, or a tenant's
 * lb_recording_retention_days) deleted, files and metadata; `--dry-run` lists them and changes nothing.
 * Exit 1 when a recording could not be deleted or a tenant's recordings could not be listed.
 */
export const recordingsPurgeCommand: CommandModule<object, PurgeArgs> = {
  command: 'recordings:purge',
  describe: 'Delete the expired recordings (files and metadata) now; --dry-run shows what would go',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'List the expired recordings; delete nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
      .option('days', { type: 'number', describe: 'Retention for this run instead of RECORDING_RETENTION_DAYS (tenants with their own setting keep it)' })
      .options(S3_TARGET_OPTIONS)
      .example('$0 recordings:purge --dry-run', 'what would be deleted')
      .example('RECORDING_RETENTION_DAYS=365 $0 recordings:purge', 'delete what started over a year ago')
      .epilogue(
        [
          'A recording expires when it started more than RECORDING_RETENTION_DAYS days ago (0, the default: never).',
          `A tenant overrides it with the tenant setting ${RECORDING_RETENTION_SETTING} (whole days, 0 = keep forever):`,
          `  slctl tenantSettings:add TENANT_ID ${RECORDING_RETENTION_SETTING} 90 false`,
          'Any state expires, deleted recordings too; a recording of unknown start time never does.',
          'Run this task with RECORDING_RETENTION_DAYS as the deployment has it (or --days). The deployed job runs',
          'every day on its own (the importer Lambda), `slctl serve` every hour.',
        ].join('\n'),
      ) as unknown as Argv<PurgeArgs>,
  handler: async (argv) => {
    const days = argv.days;
    if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS)) {
      throw new CliError(`Error: --days must be a whole number from 0 to ${MAX_RETENTION_DAYS}`, 1);
    }
    const dryRun = argv.dryRun === true;
    const deps = await cliDeps(process.env, argv);
    const progress = startActivity(dryRun ? 'Looking for expired recordings' : 'Purging expired recordings');
    let report: RetentionReport;
    try {
      // through the admin function a long backlog is purged in slices (cli/task-slice.ts): the listing its first
      // slice read, each recording one bounded step
      report = await purgeExpiredRecordings(deps, { dryRun, globalDays: days, memo, each: (items, purge) => runBounded(deps, 'Purging recordings', items, purge) });
    } finally {
      progress.done();
    }

    if (argv.json) say(JSON.stringify(reportJson(report), null, 2));
    else {
      if (dryRun) say('Dry run: nothing is deleted.');
      say(retentionLine(report, days !== undefined ? '--days' : 'RECORDING_RETENTION_DAYS'));
      if (report.recordings.length > 0) {
        const rows = report.recordings.map((r) => [r.recordID, r.meetingID, tenantOf(r), r.state ?? '', isoSecond(r.startTime), String(r.ageDays), OUTCOME_TEXT[r.outcome]]);
        for (const line of renderTable(COLUMNS, rows)) say(line.trimEnd());
      }
      say(dryRun ? `Expired: ${report.expired} (would be deleted)` : `Expired: ${report.expired}, deleted: ${report.deleted}, failed: ${report.failed}, kept: ${report.kept}`);
      if (report.unknownStart > 0) warn(`${report.unknownStart} recording${report.unknownStart === 1 ? '' : 's'} of unknown start time kept (they never expire)`);
      for (const r of report.recordings) if (r.outcome === 'failed') warn(`${r.recordID}: not deleted: ${r.error}`);
      for (const s of report.scopes) if (s.error !== undefined) warn(`${s.tenantId === undefined ? 'recordings without a tenant' : `tenant ${tenantOf(s)}`}: not listed: ${s.error}`);
    }
    const problems = [
      report.failed > 0 ? `${report.failed} of ${report.expired} expired recordings not deleted` : '',
      report.scopesFailed > 0 ? `the recordings of ${report.scopesFailed} scope(s) could not be listed` : '',
    ].filter(Boolean);
    if (problems.length > 0) throw new CliError(`Error: ${problems.join('; ')}; run the task again`, 1);
  },
};
