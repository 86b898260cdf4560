/**
 * `slctl usage` (issue 16 item 4) through the real binary, on both targets (the table, and the admin
 * function): the ledger's rows as a table with totals, JSON and CSV that agree, the range and tenant
 * checks with their exit codes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { monthStart, utcDay } from '../../shared/domain/usage-ledger.js';
import { parseCsv } from '../usage/parse-csv.js';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

const t = useSlctlFixture('slctl-usage');
const HOSTILE = 'ev,il"\nid';

const delta = (o: Partial<{ started: number; ms: number; ps: number; bs: number; p: number }>) => ({
  meetingsStarted: o.started ?? 0,
  meetingSeconds: o.ms ?? 0,
  participantSeconds: o.ps ?? 0,
  breakoutParticipantSeconds: o.bs ?? 0,
  participants: o.p ?? 0,
});

beforeAll(async () => {
  const usage = t.stack.deps.store.usage;
  await usage.accrueCycle('t-a', '2025-03-01', 1, delta({ started: 2, ms: 3600, ps: 10_800, bs: 600, p: 5 }));
  await usage.addRecording('t-a', '2025-03-01', 1, 1_048_576);
  await usage.accrueCycle('t-a', '2025-03-02', 2, delta({ ms: 90, ps: 270, p: 3 }));
  await usage.accrueCycle(HOSTILE, '2025-03-01', 1, delta({ started: 1, ms: 60, ps: 60, p: 1 }));
  await usage.accrueCycle('_', '2025-03-02', 2, delta({ ms: 10, ps: 20, p: 2 }));
  await usage.accrueCycle('t-a', '2025-03-03', 3, delta({ ms: 60, ps: 60, p: 1 }));
  await usage.accrueCycle('t-today', utcDay(Date.now()), 4, delta({ ms: 60, ps: 120, p: 2 }));
});

const RANGE = ['--from', '2025-03-01', '--to', '2025-03-02'];

describe('slctl usage', () => {
  it('prints a table of the range by tenant and day, with a totals line', async () => {
    const r = await t.slctl(['usage', ...RANGE]);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        "Usage from 2025-03-01 to 2025-03-02 (UTC days; minutes at the poll interval's resolution)",
        'TENANT        DAY         STARTED  MEETING MIN  PARTICIPANT MIN  BREAKOUT MIN  PEAK  RECORDINGS  RECORDING BYTES',
        '_             2025-03-02        0         0.17             0.33             0     2           0                0',
        'ev,il"\\x0aid  2025-03-01        1            1                1             0     1           0                0',
        't-a           2025-03-01        2           60              180            10     5           1          1048576',
        't-a           2025-03-02        0          1.5              4.5             0     3           0                0',
        'TOTAL                           3        62.67           185.83            10     5           1          1048576',
      ]),
    });
  }, SPAWN_TIMEOUT);

  it('--json and --csv give the same rows (numbers as numbers; hostile tenant ids quoted in CSV)', async () => {
    const json = await t.slctl(['usage', ...RANGE, '--json']);
    const csv = await t.slctl(['usage', ...RANGE, '--csv']);
    expect([json.code, json.stderr, csv.code, csv.stderr]).toEqual([0, '', 0, '']);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows[2]).toEqual({ tenant: 't-a', day: '2025-03-01', meetingsStarted: 2, meetingMinutes: 60, participantMinutes: 180, breakoutParticipantMinutes: 10, peakParticipants: 5, recordings: 1, recordingBytes: 1048576 });
    expect(csv.stdout).toContain('\r\n"ev,il""\nid",2025-03-01,1,1,1,0,1,0,0\r\n');
    const [header, ...lines] = parseCsv(csv.stdout);
    expect(header).toEqual(Object.keys(rows[0]));
    expect(lines.map((cells) => Object.fromEntries(header.map((k, i) => [k, typeof rows[0][k] === 'number' ? Number(cells[i]) : cells[i]])))).toEqual(rows);
    expect(rows.map((x) => x.tenant)).toEqual(['_', HOSTILE, 't-a', 't-a']);
  }, SPAWN_TIMEOUT * 2);

  it('--tenant: that tenant only (`_`: no tenant); a tenant nobody knows is an error (exit 1)', async () => {
    const a = await t.slctl(['usage', ...RANGE, '--tenant', 't-a', '--json']);
    expect((JSON.parse(a.stdout) as { day: string }[]).map((x) => x.day)).toEqual(['2025-03-01', '2025-03-02']);
    const none = await t.slctl(['usage', ...RANGE, '--tenant', '_', '--csv']);
    expect(none.stdout).toBe('tenant,day,meetingsStarted,meetingMinutes,participantMinutes,breakoutParticipantMinutes,peakParticipants,recordings,recordingBytes\r\n_,2025-03-02,0,0.17,0.33,0,2,0,0\r\n');
    expect(await t.slctl(['usage', ...RANGE, '--tenant', 'nobody'])).toEqual({ code: 1, stdout: '', stderr: 'Error: no tenant with id nobody, and no usage of one from 2025-03-01 to 2025-03-02\n' });
  }, SPAWN_TIMEOUT * 3);

  it('defaults to the current UTC month up to today', async () => {
    const today = utcDay(Date.now());
    const r = await t.slctl(['usage', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { tenant: string; day: string }[];
    expect(rows.filter((x) => x.tenant === 't-today').map((x) => x.day)).toEqual([today]);
    expect(rows.every((x) => x.day >= monthStart(today) && x.day <= today)).toBe(true);
    const table = await t.slctl(['usage']);
    expect(table.stdout.split('\n')[0]).toBe(`Usage from ${monthStart(today)} to ${today} (UTC days; minutes at the poll interval's resolution)`);
  }, SPAWN_TIMEOUT * 2);

  it('refuses bad dates, a range that ends before it starts, and --json with --csv (exit 64)', async () => {
    expect(await t.slctl(['usage', '--from', '2025-02-30'])).toEqual({ code: 64, stdout: '', stderr: 'Error: --from must be a date written YYYY-MM-DD, not "2025-02-30"\n' });
    expect(await t.slctl(['usage', '--to', '3/1/2025'])).toEqual({ code: 64, stdout: '', stderr: 'Error: --to must be a date written YYYY-MM-DD, not "3/1/2025"\n' });
    expect(await t.slctl(['usage', '--from', '2025-03-02', '--to', '2025-03-01'])).toEqual({ code: 64, stdout: '', stderr: 'Error: --from 2025-03-02 is after --to 2025-03-01\n' });
    expect(await t.slctl(['usage', '--from', '2025-03-01', '--from', '2025-03-02'])).toEqual({ code: 64, stdout: '', stderr: 'Error: --from takes one value\n' });
    expect(await t.slctl(['usage', '--json', '--csv'])).toEqual({ code: 64, stdout: '', stderr: 'Error: --json and --csv cannot be used together\n' });
  }, SPAWN_TIMEOUT * 5);

  it('is listed by --help', async () => {
    expect((await t.slctl(['--help'])).stdout).toContain('slctl usage');
  }, SPAWN_TIMEOUT);
});
