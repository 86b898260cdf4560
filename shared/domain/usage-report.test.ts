import { describe, expect, it } from 'vitest';
import { csvField, minutes, usageCsv, usageJson, usageRows, usageTable, usageTotals, USAGE_COLUMNS, type UsageDay } from './usage-report.js';
import { parseCsv } from '../../test/usage/parse-csv.js';

const day = (over: Partial<UsageDay>): UsageDay => ({
  tenantId: 't1',
  day: '2026-01-05',
  meetingsStarted: 1,
  meetingSeconds: 600,
  participantSeconds: 1800,
  breakoutParticipantSeconds: 0,
  peakParticipants: 3,
  recordings: 0,
  recordingBytes: 0,
  ...over,
});

describe('usage rows', () => {
  it('minutes to two decimals', () => {
    expect(minutes(600)).toBe(10);
    expect(minutes(10)).toBe(0.17);
    expect(minutes(90)).toBe(1.5);
  });

  it('by tenant then day; totals add up, the peak is the highest', () => {
    const rows = usageRows([day({ tenantId: 't2' }), day({ day: '2026-01-06', peakParticipants: 7, recordings: 1, recordingBytes: 100 }), day({})]);
    expect(rows.map((r) => `${r.tenant} ${r.day}`)).toEqual(['t1 2026-01-05', 't1 2026-01-06', 't2 2026-01-05']);
    expect(usageTotals(rows)).toEqual({ meetingsStarted: 3, meetingMinutes: 30, participantMinutes: 90, breakoutParticipantMinutes: 0, peakParticipants: 7, recordings: 1, recordingBytes: 100 });
  });
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rx', '"cr\rx"'],
    ['=1+1', '=1+1'],
    [42, '42'],
  ])('field %j → %j (RFC 4180)', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('a header of the JSON keys, CRLF lines; CSV and JSON agree, hostile tenant ids included', () => {
    const hostile = ['ev,il', 'q"uote', 'new\nline', '=HYPERLINK("x")', 'ünï 週'];
    const rows = usageRows(hostile.map((tenantId, i) => day({ tenantId, meetingSeconds: 10 * (i + 1), recordingBytes: 2 ** 40 })));
    const csv = usageCsv(rows);
    expect(csv.startsWith(`${USAGE_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csv).toContain('"ev,il",2026-01-05');
    expect(csv).toContain('"q""uote",');
    const [header, ...lines] = parseCsv(csv);
    const fromCsv = lines.map((cells) => Object.fromEntries(header.map((k, i) => [k, k === 'tenant' || k === 'day' ? cells[i] : Number(cells[i])])));
    expect(fromCsv).toEqual(JSON.parse(usageJson(rows)));
    expect(fromCsv.map((r) => r.tenant)).toEqual([...hostile].sort());
  });
});

describe('table', () => {
  it('a heading, one line per row, a totals line; control characters of a tenant id escaped', () => {
    const lines = usageTable(usageRows([day({}), day({ tenantId: 'x\ny', recordings: 2, recordingBytes: 1234 })]));
    expect(lines).toEqual([
      'TENANT  DAY         STARTED  MEETING MIN  PARTICIPANT MIN  BREAKOUT MIN  PEAK  RECORDINGS  RECORDING BYTES',
      't1      2026-01-05        1           10               30             0     3           0                0',
      'x\\x0ay  2026-01-05        1           10               30             0     3           2             1234',
      'TOTAL                     2           20               60             0     3           2             1234',
    ]);
  });
});
