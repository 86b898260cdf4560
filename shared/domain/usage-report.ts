/**
 * The usage ledger as a report (`slctl usage`), pure: one row per tenant-day, in three renderings that agree
 * — a table with a totals line, a JSON array (numbers as numbers), CSV (RFC 4180) with the JSON keys as its
 * header.
 */
import type { Day } from './usage-ledger.js';

/** One tenant-day as stored (seconds, as accrued). */
export interface UsageDay {
  tenantId: string;
  day: Day;
  meetingsStarted: number;
  meetingSeconds: number;
  participantSeconds: number;
  breakoutParticipantSeconds: number;
  peakParticipants: number;
  recordings: number;
  recordingBytes: number;
}

/** One row of the report (minutes, to two decimals). The key order is the CSV's column order. */
export interface UsageRow {
  tenant: string;
  day: Day;
  meetingsStarted: number;
  meetingMinutes: number;
  participantMinutes: number;
  breakoutParticipantMinutes: number;
  peakParticipants: number;
  recordings: number;
  recordingBytes: number;
}

export const USAGE_COLUMNS: readonly (keyof UsageRow)[] = [
  'tenant',
  'day',
  'meetingsStarted',
  'meetingMinutes',
  'participantMinutes',
  'breakoutParticipantMinutes',
  'peakParticipants',
  'recordings',
  'recordingBytes',
];

/** Seconds as minutes, rounded to two decimals (a 10 s interval accrues 1/6 minute a cycle). */
export const minutes = (seconds: number): number => Math.round((seconds / 60) * 100) / 100;

export function usageRow(d: UsageDay): UsageRow {
  return {
    tenant: d.tenantId,
    day: d.day,
    meetingsStarted: d.meetingsStarted,
    meetingMinutes: minutes(d.meetingSeconds),
    participantMinutes: minutes(d.participantSeconds),
    breakoutParticipantMinutes: minutes(d.breakoutParticipantSeconds),
    peakParticipants: d.peakParticipants,
    recordings: d.recordings,
    recordingBytes: d.recordingBytes,
  };
}

const byTenantThenDay = (a: UsageDay, b: UsageDay) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0);

/** The rows of the report, by tenant then day. */
export const usageRows = (days: UsageDay[]): UsageRow[] => [...days].sort(byTenantThenDay).map(usageRow);

/** The totals of the rows: sums, but the peak is the highest of the rows (peaks of different days do not add up). */
export function usageTotals(rows: UsageRow[]): Omit<UsageRow, 'tenant' | 'day'> {
  const sum = (k: keyof UsageRow) => rows.reduce((n, r) => n + (r[k] as number), 0);
  return {
    meetingsStarted: sum('meetingsStarted'),
    // the sum of seconds would differ from the sum of rounded minutes by rounding: the rows' minutes are added
    meetingMinutes: Math.round(sum('meetingMinutes') * 100) / 100,
    participantMinutes: Math.round(sum('participantMinutes') * 100) / 100,
    breakoutParticipantMinutes: Math.round(sum('breakoutParticipantMinutes') * 100) / 100,
    peakParticipants: rows.reduce((n, r) => Math.max(n, r.peakParticipants), 0),
    recordings: sum('recordings'),
    recordingBytes: sum('recordingBytes'),
  };
}

/** The JSON rendering: an array of rows, numbers as numbers. */
export const usageJson = (rows: UsageRow[]): string => JSON.stringify(rows, null, 2);

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, CR or LF, its double quotes
 * doubled. Values are never altered (CSV and JSON agree); a spreadsheet that evaluates a field starting with
 * `=` does so quoted or not — tenant ids of the balancer's own tenants are UUIDs (docs/OPERATIONS.md).
 */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV rendering: a header (the JSON keys) and one line per row, CRLF line ends (RFC 4180). */
export function usageCsv(rows: UsageRow[]): string {
  const lines = [USAGE_COLUMNS.join(','), ...rows.map((r) => USAGE_COLUMNS.map((k) => csvField(r[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

const HEADINGS: Record<keyof UsageRow, string> = {
  tenant: 'TENANT',
  day: 'DAY',
  meetingsStarted: 'STARTED',
  meetingMinutes: 'MEETING MIN',
  participantMinutes: 'PARTICIPANT MIN',
  breakoutParticipantMinutes: 'BREAKOUT MIN',
  peakParticipants: 'PEAK',
  recordings: 'RECORDINGS',
  recordingBytes: 'RECORDING BYTES',
};

/** A tenant id as the table shows it: control characters escaped (a hostile id cannot break the lines). */
const printable = (text: string): string => text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The table rendering: a heading line, one line per row, and a totals line; numbers right-aligned. */
export function usageTable(rows: UsageRow[]): string[] {
  const totals = usageTotals(rows);
  const cells = (r: Omit<UsageRow, 'tenant' | 'day'> & { tenant: string; day: string }) => USAGE_COLUMNS.map((k) => (k === 'tenant' ? printable(r.tenant) : String(r[k])));
  const body = [USAGE_COLUMNS.map((k) => HEADINGS[k]), ...rows.map(cells), cells({ ...totals, tenant: 'TOTAL', day: '' })];
  const widths = USAGE_COLUMNS.map((_, i) => Math.max(...body.map((line) => line[i].length)));
  const left = (i: number) => i < 2;
  return body.map((line) =>
    line
      .map((cell, i) => (left(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}
