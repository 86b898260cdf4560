/**
 * Recording retention (shared/app/recording-retention.ts) on dynalite and the embedded S3: which
 * recordings expire (global days, a tenant's `lb_recording_retention_days` longer, shorter or 0, unknown
 * start times), what a purge removes (files and item, any state), what a dry run leaves, how failures stay
 * isolated and reported, and that a tenant's `lb_` setting never reaches BBB.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../shared/app/admin-error.js';
import type { Deps } from '../../shared/app/deps.js';
import { RecordingMetrics } from '../../shared/app/metrics.js';
import { DAY_MS, purgeExpiredRecordings, type RetentionReport } from '../../shared/app/recording-retention.js';
import { addTenantSetting } from '../../shared/app/tenant-admin.js';
import { RECORDING_RETENTION_SETTING } from '../../shared/domain/balancer-settings.js';
import type { Recording } from '../../shared/domain/recording.js';
import { recordingFileKey, recordingPrefix } from '../../shared/storage/storage-keys.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { gate, injectDynamoFaults, throttled } from '../helpers/dynamo-faults.js';
import { xmlValue } from '../helpers/test-stack.js';
import { hostOf, memoryLog, startTenancyStack, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { recording } from './recording-fixtures.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const SECRET = 'retention-tenant-secret-0123';
let now = NOW;
const log = memoryLog();
let t: TenancyStack;
const deps = () => t.stack.deps;

beforeAll(async () => {
  t = await startTenancyStack({ servers: 1, clock: () => now, log });
});
afterAll(() => t?.close());

/** Every test starts without tenants and without recordings of no tenant (a removed tenant's partition is never visited). */
beforeEach(async () => {
  now = NOW;
  log.lines.length = 0;
  for (const tenant of await deps().store.tenants.listAll()) await deps().store.tenants.remove(tenant.id);
  for (const id of await deps().store.recordings.idsWithoutTenant()) {
    const r = await deps().store.recordings.get(id);
    if (r) await deps().store.recordings.deleteIfUnchanged(id, r.version);
  }
});

let n = 0;
/** A stored recording that started `days` days (and an hour) ago, with two files in the bucket. */
async function stored(days: number, spec: Omit<Partial<Recording>, 'formats'> = {}): Promise<Recording> {
  const startTime = days === 0 ? 0 : now - days * DAY_MS - 3_600_000;
  const r = recording({ meetingID: `retention-${++n}`, recordID: `rec-${n}-${Math.abs(startTime)}`, startTime, ...spec });
  expect(await deps().store.recordings.save({ ...r, version: undefined })).toBe(true);
  await deps().storage!.put(recordingFileKey(r.recordID, 'presentation', 'metadata.xml'), '<recording/>');
  await deps().storage!.put(recordingFileKey(r.recordID, 'podcast', 'audio.ogg'), 'ogg');
  return r;
}

async function files(recordID: string): Promise<number> {
  let count = 0;
  for await (const _ of deps().storage!.list(recordingPrefix(recordID))) count++;
  return count;
}

/** Item and files still there (true), or both gone (false); anything in between fails. */
async function present(r: Recording): Promise<boolean> {
  const item = (await deps().store.recordings.get(r.recordID)) !== undefined;
  const count = await files(r.recordID);
  if (item) expect(count, r.recordID).toBe(2);
  else expect(count, r.recordID).toBe(0);
  return item;
}

async function tenantWith(name: string, days?: string): Promise<Tenant> {
  const tenant = await t.tenant(name, SECRET);
  if (days !== undefined) await addTenantSetting(deps(), { tenantId: tenant.id, param: RECORDING_RETENTION_SETTING, value: days, override: false });
  return tenant;
}

const outcomes = (report: RetentionReport) => Object.fromEntries(report.recordings.map((r) => [r.recordID, r.outcome]));
const scopeOf = (report: RetentionReport, tenantId?: string) => report.scopes.find((s) => s.tenantId === tenantId)!;

describe('which recordings expire', () => {
  it('the global days for recordings without a tenant and for tenants without a setting; younger ones stay', async () => {
    const plain = await tenantWith('plain');
    const old = await stored(31);
    const young = await stored(29);
    const tenantOld = await stored(45, { tenantId: plain.id });
    const tenantYoung = await stored(1, { tenantId: plain.id });

    const report = await purgeExpiredRecordings(deps(), { globalDays: 30 });
    expect(outcomes(report)).toEqual({ [old.recordID]: 'deleted', [tenantOld.recordID]: 'deleted' });
    expect(report.recordings.find((r) => r.recordID === tenantOld.recordID)).toMatchObject({ meetingID: tenantOld.meetingID, tenantId: plain.id, tenantName: 'plain', ageDays: 45, state: 'published' });
    expect([report.expired, report.deleted, report.failed, report.kept]).toEqual([2, 2, 0, 0]);
    expect(scopeOf(report, plain.id)).toMatchObject({ days: 30, source: 'global', cutoff: NOW - 30 * DAY_MS, expired: 1, deleted: 1 });
    expect([await present(old), await present(young), await present(tenantOld), await present(tenantYoung)]).toEqual([false, true, false, true]);
  });

  it("a tenant's lb_recording_retention_days beats the global days: longer, shorter, or 0 (kept forever)", async () => {
    const longer = await tenantWith('longer', '90');
    const shorter = await tenantWith('shorter', '7');
    const forever = await tenantWith('forever', '0');
    const r = {
      longer40: await stored(40, { tenantId: longer.id }),
      longer100: await stored(100, { tenantId: longer.id }),
      shorter10: await stored(10, { tenantId: shorter.id }),
      shorter5: await stored(5, { tenantId: shorter.id }),
      forever900: await stored(900, { tenantId: forever.id }),
    };
    const report = await purgeExpiredRecordings(deps(), { globalDays: 30 });
    expect(outcomes(report)).toEqual({ [r.longer100.recordID]: 'deleted', [r.shorter10.recordID]: 'deleted' });
    expect(scopeOf(report, forever.id)).toMatchObject({ days: 0, source: 'tenant', expired: 0 });
    expect(scopeOf(report, forever.id).cutoff).toBeUndefined();
    const kept = await Promise.all(Object.values(r).map(present));
    expect(kept).toEqual([true, false, false, true, true]);

    // global retention off: only the tenants with a setting lose recordings
    const noTenant = await stored(5000);
    const again = await purgeExpiredRecordings(deps(), { globalDays: 0 });
    expect(again.expired).toBe(0);
    now += 2 * DAY_MS; // the 5-day-old recording of `shorter` is now 7 days and 1 hour old
    const later = await purgeExpiredRecordings(deps(), { globalDays: 0 });
    expect(outcomes(later)).toEqual({ [r.shorter5.recordID]: 'deleted' });
    expect(await present(noTenant)).toBe(true);
  });

  it('RECORDING_RETENTION_DAYS is the default of globalDays (0 here: nothing expires)', async () => {
    const old = await stored(4000);
    const report = await purgeExpiredRecordings(deps());
    expect([report.globalDays, report.expired]).toEqual([0, 0]);
    expect(await present(old)).toBe(true);
  });

  it('a recording of unknown start time never expires; it is counted and logged', async () => {
    const unknown = await stored(0);
    const report = await purgeExpiredRecordings(deps(), { globalDays: 1 });
    expect([report.expired, report.unknownStart]).toEqual([0, 1]);
    expect(await present(unknown)).toBe(true);
    expect(log.lines.find((l) => l.msg === 'recording retention: start time unknown, recording kept')?.fields).toMatchObject({ recordings: 1, recordIDs: [unknown.recordID] });
  });

  it('any state expires: unpublished, processing, and the tombstones deleteRecordings leaves', async () => {
    const unpublished = await stored(40, { state: 'unpublished', published: false });
    const processing = await stored(40, { state: 'processing', published: false });
    const tombstone = await stored(40, { state: 'deleted', published: false });
    const report = await purgeExpiredRecordings(deps(), { globalDays: 30 });
    expect(outcomes(report)).toEqual({ [unpublished.recordID]: 'deleted', [processing.recordID]: 'deleted', [tombstone.recordID]: 'deleted' });
    for (const r of [unpublished, processing, tombstone]) expect(await present(r)).toBe(false);
  });
});

describe('dry run', () => {
  it('lists what would go and changes nothing', async () => {
    const tenant = await tenantWith('dry', '10');
    const a = await stored(31);
    const b = await stored(11, { tenantId: tenant.id });
    const metrics = new RecordingMetrics();
    const report = await purgeExpiredRecordings({ ...deps(), metrics }, { globalDays: 30, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(outcomes(report)).toEqual({ [a.recordID]: 'expired', [b.recordID]: 'expired' });
    expect([report.expired, report.deleted, report.failed]).toEqual([2, 0, 0]);
    expect([await present(a), await present(b)]).toEqual([true, true]);
    const line = log.lines.find((l) => l.msg === 'recording retention')!;
    expect(line.fields).toMatchObject({ dryRun: true, expired: 2, deleted: 0 });
    expect(metrics.samples).toEqual([]); // a dry run reports no metrics
  });
});

describe('failures', () => {
  it('a storage failure and a DynamoDB failure each fail their recording only; the others are deleted; all reported', async () => {
    const badFiles = await stored(40);
    const badItem = await stored(41);
    const good = await stored(42);
    const faulty: Deps = {
      ...deps(),
      storage: {
        ...deps().storage!,
        deletePrefix: async (prefix) => {
          if (prefix === recordingPrefix(badFiles.recordID)) throw new Error('SlowDown: please reduce your request rate');
          return deps().storage!.deletePrefix(prefix);
        },
      },
    };
    const remove = injectDynamoFaults(t.stack.db, (call) => (/Delete/.test(call.command) && call.pk === `RECORDING#${badItem.recordID}` ? { fail: throttled() } : undefined));
    let report: RetentionReport;
    try {
      report = await purgeExpiredRecordings(faulty, { globalDays: 30 });
    } finally {
      remove();
    }
    expect(outcomes(report)).toEqual({ [badFiles.recordID]: 'failed', [badItem.recordID]: 'failed', [good.recordID]: 'deleted' });
    expect(report.recordings.find((r) => r.recordID === badFiles.recordID)?.error).toBe('SlowDown: please reduce your request rate');
    expect(report.recordings.find((r) => r.recordID === badItem.recordID)?.error).toMatch(/Rate of requests exceeds/);
    expect([report.expired, report.deleted, report.failed]).toEqual([3, 1, 2]);
    // the files go first: a failed file deletion keeps everything; a failed item deletion keeps the item for the next run
    expect(await present(badFiles)).toBe(true);
    expect(await deps().store.recordings.get(badItem.recordID)).toBeDefined();
    expect(await files(badItem.recordID)).toBe(0);
    expect(await present(good)).toBe(false);
    expect(log.lines.filter((l) => l.msg === 'recording retention: recording not purged').map((l) => l.fields?.recordID).sort()).toEqual([badFiles.recordID, badItem.recordID].sort());

    // the next run finishes the job
    const next = await purgeExpiredRecordings(deps(), { globalDays: 30 });
    expect(outcomes(next)).toEqual({ [badFiles.recordID]: 'deleted', [badItem.recordID]: 'deleted' });
    expect([await present(badFiles), (await deps().store.recordings.get(badItem.recordID)) === undefined]).toEqual([false, true]);
  });

  it('a recording re-imported while its files are deleted keeps its item and is reported, not silently lost', async () => {
    const r = await stored(40);
    const g = gate();
    const held: Deps = {
      ...deps(),
      storage: {
        ...deps().storage!,
        deletePrefix: async (prefix) => {
          g.arrive();
          await g.wait;
          return deps().storage!.deletePrefix(prefix);
        },
      },
    };
    const purging = purgeExpiredRecordings(held, { globalDays: 30 });
    await g.reached;
    await deps().store.recordings.update(r.recordID, (current) => current && { ...current, name: 'imported again', importedAt: now });
    g.open();
    const report = await purging;
    expect(outcomes(report)).toEqual({ [r.recordID]: 'failed' });
    expect(report.recordings[0].error).toMatch(/changed while its files were deleted/);
    expect((await deps().store.recordings.get(r.recordID))?.name).toBe('imported again');
  });

  it('a recording moved to a tenant with a longer retention since it was listed is kept', async () => {
    const tenant = await tenantWith('moved', '365');
    const r = await stored(40);
    const g = gate();
    // hold the GetItem that re-reads the recording before its files are deleted, and move it meanwhile
    const remove = injectDynamoFaults(t.stack.db, (call) => {
      if (/Get/.test(call.command) && call.pk === `RECORDING#${r.recordID}`) {
        g.arrive();
        return { hold: g.wait };
      }
      return undefined;
    });
    const purging = purgeExpiredRecordings(deps(), { globalDays: 30 });
    await g.reached;
    remove();
    await deps().store.recordings.update(r.recordID, (current) => current && { ...current, tenantId: tenant.id, metadata: { ...current.metadata, 'tenant-id': tenant.id } });
    g.open();
    const report = await purging;
    expect(outcomes(report)).toEqual({ [r.recordID]: 'kept' });
    expect(await present(r)).toBe(true);
  });
});

describe('the log line and its metrics', () => {
  it('one line `recording retention` with the counts, per tenant, and the counts as metrics', async () => {
    const tenant = await tenantWith('metrics', '7');
    await stored(8, { tenantId: tenant.id });
    await stored(40);
    const metrics = new RecordingMetrics();
    await purgeExpiredRecordings({ ...deps(), metrics }, { globalDays: 30 });
    const lines = log.lines.filter((l) => l.msg === 'recording retention');
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('info');
    expect(lines[0].fields).toMatchObject({
      dryRun: false,
      globalDays: 30,
      expired: 2,
      deleted: 2,
      failed: 0,
      tenants: [{ tenantId: tenant.id, days: 7, expired: 1, deleted: 1, failed: 0 }],
    });
    expect(metrics.samples).toEqual([
      { kind: 'count', name: 'RecordingsExpired', value: 2, dims: {} },
      { kind: 'count', name: 'RecordingsPurged', value: 2, dims: {} },
      { kind: 'count', name: 'RecordingsPurgeFailed', value: 0, dims: {} },
    ]);
  });
});

describe('lb_ tenant settings', () => {
  it('are checked when added: an unknown lb_ name or a bad value is refused', async () => {
    const tenant = await tenantWith('checked');
    const add = (param: string, value: string) => addTenantSetting(deps(), { tenantId: tenant.id, param, value, override: false });
    await expect(add('lb_recording_retention', '30')).rejects.toEqual(new AdminError('invalid', `lb_recording_retention is not a balancer setting (known: ${RECORDING_RETENTION_SETTING})`));
    await expect(add(RECORDING_RETENTION_SETTING, '-1')).rejects.toBeInstanceOf(AdminError);
    await expect(add(RECORDING_RETENTION_SETTING, '2.5')).rejects.toThrow(/whole number of days/);
    expect((await deps().store.tenants.get(tenant.id))?.settings).toEqual([]);
  });

  it('never reach BBB on create or join, while the tenant’s other settings do', async () => {
    const tenant = await tenantWith('bbbside', '30');
    await t.setting(tenant.id, 'welcome', 'tenant-welcome', true);
    const fake = t.fakes[0];
    fake.clearRequests();
    const created = await t.callAt(hostOf('bbbside'), 'create', 'meetingID=lb-check&moderatorPW=mp&attendeePW=ap', SECRET);
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    const sent = fake.requestsFor('create').at(-1)!;
    expect(sent.params.welcome).toBe('tenant-welcome');
    expect(Object.keys(sent.params).filter((k) => k.toLowerCase().startsWith('lb_'))).toEqual([]);

    const joined = await t.callAt(hostOf('bbbside'), 'join', 'meetingID=lb-check&password=mp&fullName=Ann', SECRET);
    expect(joined.status).toBe(302);
    const location = new URL(String(joined.headers.location));
    expect(location.searchParams.get('welcome')).toBe('tenant-welcome');
    expect([...location.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('lb_'))).toEqual([]);
  });
});
