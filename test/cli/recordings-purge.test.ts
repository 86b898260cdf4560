/**
 * `slctl recordings:purge [--dry-run] [--json] [--days N]` as the real binary against a local stack
 * (dynalite + embedded S3), and the `lb_` check of `slctl tenantSettings:add`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/app/recording-retention.js';
import { addTenant, addTenantSetting } from '../../shared/app/tenant-admin.js';
import { RECORDING_RETENTION_SETTING } from '../../shared/domain/balancer-settings.js';
import type { Recording } from '../../shared/domain/recording.js';
import { recordingFileKey, recordingPrefix } from '../../shared/storage/storage-keys.js';
import { recording } from '../recordings/recording-fixtures.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

const f = useSlctlFixture('slctl-recordings-purge');
const deps = () => f.stack.deps;

const slctl = (args: string[], env: Record<string, string> = {}) =>
  f.slctl(args, { env: { S3_ENDPOINT: f.stack.s3Endpoint, RECORDING_RETENTION_DAYS: '30', ...env }, timeoutMs: SPAWN_TIMEOUT });

beforeEach(async () => {
  for (const tenant of await deps().store.tenants.listAll()) await deps().store.tenants.remove(tenant.id);
  for (const id of await deps().store.recordings.idsWithoutTenant()) {
    const r = await deps().store.recordings.get(id);
    if (r) await deps().store.recordings.deleteIfUnchanged(id, r.version);
  }
});

let n = 0;
/** A recording that started `days` days and an hour ago (so its age in whole days is `days`), with a file. */
async function stored(days: number, spec: { tenantId?: string; state?: Recording['state'] } = {}): Promise<Recording> {
  const startTime = Date.now() - days * DAY_MS - 3_600_000;
  const r = recording({ meetingID: `purge-room-${++n}`, recordID: `purge-${n}-${startTime}`, startTime, ...spec });
  expect(await deps().store.recordings.save({ ...r, version: undefined })).toBe(true);
  await deps().storage!.put(recordingFileKey(r.recordID, 'podcast', 'audio.ogg'), 'ogg');
  return r;
}

async function exists(r: Recording): Promise<boolean> {
  let files = 0;
  for await (const _ of deps().storage!.list(recordingPrefix(r.recordID))) files++;
  const item = (await deps().store.recordings.get(r.recordID)) !== undefined;
  expect(files, r.recordID).toBe(item ? 1 : 0);
  return item;
}

const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('slctl recordings:purge', () => {
  it('--dry-run lists what would go (record id, meetingID, tenant, start, age) and deletes nothing', async () => {
    const acme = await addTenant(deps(), 'acme', 's');
    await addTenantSetting(deps(), { tenantId: acme.id, param: RECORDING_RETENTION_SETTING, value: '7', override: false });
    const old = await stored(40);
    const young = await stored(20);
    const tenantOld = await stored(8, { tenantId: acme.id, state: 'deleted' });

    const r = await slctl(['recordings:purge', '--dry-run']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Dry run: nothing is deleted.');
    expect(lines[1]).toBe(`Retention: 30 days (RECORDING_RETENTION_DAYS); tenant acme: 7 days (${RECORDING_RETENTION_SETTING})`);
    expect(lines[2].split(/\s{2,}/).map((s) => s.trim()).filter(Boolean)).toEqual(['RECORD ID', 'MEETING ID', 'TENANT', 'STATE', 'START (UTC)', 'AGE (DAYS)', 'RESULT']);
    const rows = lines.slice(3, -1).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual(
      expect.arrayContaining([
        [old.recordID, old.meetingID, 'published', utc(old.startTime), '40', 'would', 'be', 'deleted'],
        [tenantOld.recordID, tenantOld.meetingID, 'acme', 'deleted', utc(tenantOld.startTime), '8', 'would', 'be', 'deleted'],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(lines.at(-1)).toBe('Expired: 2 (would be deleted)');
    expect([await exists(old), await exists(young), await exists(tenantOld)]).toEqual([true, true, true]);
  }, SPAWN_TIMEOUT);

  it('deletes the expired recordings, files and metadata, and prints the totals; --days replaces the global days', async () => {
    const old = await stored(40);
    const mid = await stored(20);
    const r = await slctl(['recordings:purge', '--days', '10']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('Retention: 10 days (--days)\n');
    expect(r.stdout).toMatch(new RegExp(`${old.recordID} .* 40 +deleted`));
    expect(r.stdout).toMatch(new RegExp(`${mid.recordID} .* 20 +deleted`));
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Expired: 2, deleted: 2, failed: 0, kept: 0');
    expect([await exists(old), await exists(mid)]).toEqual([false, false]);

    const again = await slctl(['recordings:purge']);
    expect([again.code, again.stdout, again.stderr]).toEqual([0, 'Retention: 30 days (RECORDING_RETENTION_DAYS)\nExpired: 0, deleted: 0, failed: 0, kept: 0\n', '']);
  }, SPAWN_TIMEOUT * 2);

  it('--json: the report with ISO times; nothing deleted in a dry run', async () => {
    const old = await stored(31);
    const r = await slctl(['recordings:purge', '--dry-run', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ dryRun: true, globalDays: 30, expired: 1, deleted: 0, failed: 0 });
    expect(report.recordings).toEqual([
      { recordID: old.recordID, meetingID: old.meetingID, tenantId: null, tenantName: null, state: 'published', startTime: new Date(old.startTime).toISOString(), ageDays: 31, outcome: 'expired' },
    ]);
    expect(report.scopes).toEqual([expect.objectContaining({ tenantId: null, days: 30, source: 'global', expired: 1 })]);
    expect(await exists(old)).toBe(true);
  }, SPAWN_TIMEOUT);

  it('exits 1 and names each recording when deletions fail (the bucket unreachable); the recordings stay', async () => {
    const a = await stored(40);
    const b = await stored(50);
    const r = await slctl(['recordings:purge', '--s3-endpoint', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Expired: 2, deleted: 0, failed: 2, kept: 0');
    const errors = r.stderr.trimEnd().split('\n');
    expect(errors.slice(0, 2).sort()).toEqual([expect.stringMatching(new RegExp(`^${a.recordID}: not deleted: `)), expect.stringMatching(new RegExp(`^${b.recordID}: not deleted: `))].sort());
    expect(errors.at(-1)).toBe('Error: 2 of 2 expired recordings not deleted; run the task again');
    expect([await exists(a), await exists(b)]).toEqual([true, true]);
  }, SPAWN_TIMEOUT);

  it('refuses a --days that is no whole number of days; the help explains the settings', async () => {
    expect(await slctl(['recordings:purge', '--days', '1.5'])).toEqual({ code: 1, stdout: '', stderr: 'Error: --days must be a whole number from 0 to 36600\n' });
    const help = await slctl(['recordings:purge', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('RECORDING_RETENTION_DAYS');
    expect(help.stdout).toContain(RECORDING_RETENTION_SETTING);
  }, SPAWN_TIMEOUT * 2);
});

describe('slctl tenantSettings:add with a balancer setting (lb_…)', () => {
  const env = { MULTITENANCY_ENABLED: 'true' };
  it('stores a valid one; refuses an unknown lb_ name or a bad value with one line, exit 1', async () => {
    const acme = await addTenant(deps(), 'acme', 's');
    const ok = await slctl(['tenantSettings:add', acme.id, RECORDING_RETENTION_SETTING, '365', 'false'], env);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/^OK\nNew TenantSetting id: \S+\n$/);
    expect(await slctl(['tenantSettings:add', acme.id, 'lb_retention_days', '30', 'false'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: lb_retention_days is not a balancer setting (known: ${RECORDING_RETENTION_SETTING})\n`,
    });
    expect(await slctl([`tenantSettings:add[${acme.id},${RECORDING_RETENTION_SETTING},a year,true]`], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: ${RECORDING_RETENTION_SETTING} must be a whole number of days from 0 to 36600 (0 keeps recordings forever), not "a year"\n`,
    });
    expect((await deps().store.tenants.get(acme.id))?.settings.map((s) => [s.param, s.value])).toEqual([[RECORDING_RETENTION_SETTING, '365']]);
  }, SPAWN_TIMEOUT * 3);
});
