import type { Server } from '../shared/domain/entities.js';
import { effectiveLoad, pollProblem, rubyFloat } from './format-server.js';

/**
 * `slctl status`: Scalelite's table (Tabulo, `border: :blank`, packed): one header row, no rules, every
 * cell padded with one space on both sides, a column as wide as its widest content, headers centred,
 * numbers right-aligned and text left-aligned. Hand-written: a dozen lines reproduce Tabulo's layout
 * exactly, which no table package on npm does.
 */

export interface Column {
  header: string;
  align: 'left' | 'right';
}

function pad(text: string, width: number, align: 'left' | 'right' | 'center'): string {
  const room = Math.max(0, width - text.length);
  if (align === 'left') return text + ' '.repeat(room);
  if (align === 'right') return ' '.repeat(room) + text;
  const left = Math.floor(room / 2);
  return ' '.repeat(left) + text + ' '.repeat(room - left);
}

/** The table's lines (without line endings). */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell) => ` ${cell} `).join('');
  return [
    line(columns.map((c, i) => pad(c.header, widths[i], 'center'))),
    ...rows.map((r) => line(columns.map((c, i) => pad(r[i] ?? '', widths[i], c.align)))),
  ];
}

export const STATUS_COLUMNS: readonly Column[] = [
  { header: 'HOSTNAME', align: 'left' },
  { header: 'STATE', align: 'left' },
  { header: 'STATUS', align: 'left' },
  { header: 'MEETINGS', align: 'right' },
  { header: 'USERS', align: 'right' },
  { header: 'LARGEST MEETING', align: 'right' },
  { header: 'VIDEOS', align: 'right' },
  { header: 'LOAD', align: 'right' },
  { header: 'BBB VERSION', align: 'left' },
  { header: 'TAG', align: 'left' },
  // ours: several servers may share a host name (every local one is 127.0.0.1); the tasks take the id
  { header: 'ID', align: 'left' },
];

/** Ours (issue 16): shown before ID only when some server has a capacity, so the table is Scalelite's otherwise. */
export const CAPACITY_COLUMN: Column = { header: 'CAPACITY', align: 'right' };

/** The host part of a server URL ('' when it is not a URL). */
export function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** `slctl status --json`: one object per server, in the table's order (null = not known). */
export interface StatusJson {
  id: string;
  hostname: string;
  state: Server['state'];
  status: 'online' | 'offline';
  meetings: number | null;
  users: number | null;
  largestMeeting: number | null;
  videos: number | null;
  load: number | null;
  bbbVersion: string | null;
  tag: string | null;
  /** max users placement puts on the server, null = no limit */
  capacity: number | null;
  /** why the server's last poll failed (`<reason>: <error>`), null when it succeeded or never ran */
  pollError: string | null;
}

export function statusJson(servers: readonly Server[]): StatusJson[] {
  return servers
    .map((s) => {
      // the poll statistics exist once the poller has recorded anything for the server
      const polled = s.polledAt !== undefined;
      return {
        id: s.id,
        hostname: hostnameOf(s.url),
        state: s.state,
        status: s.online ? ('online' as const) : ('offline' as const),
        meetings: polled ? s.meetings : null,
        users: polled ? s.users : null,
        largestMeeting: polled ? s.largestMeeting : null,
        videos: polled ? s.videos : null,
        load: effectiveLoad(s) ?? null,
        bbbVersion: s.bbbVersion ?? null,
        tag: s.tag ?? null,
        capacity: s.capacity ?? null,
        pollError: s.pollError ?? null,
      };
    })
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The lines `slctl status` prints after its blank line (a CAPACITY column before ID when any server has a capacity). */
export function statusTable(servers: readonly Server[]): string[] {
  const text = (v: number | string | null) => (v === null ? '' : String(v));
  const withCapacity = servers.some((s) => s.capacity !== undefined);
  const rows = statusJson(servers).map((s) => [
    s.hostname,
    s.state,
    s.status,
    text(s.meetings),
    text(s.users),
    text(s.largestMeeting),
    text(s.videos),
    s.load === null ? '' : rubyFloat(s.load),
    text(s.bbbVersion),
    text(s.tag),
    ...(withCapacity ? [text(s.capacity)] : []),
    s.id,
  ]);
  const columns = withCapacity ? [...STATUS_COLUMNS.slice(0, -1), CAPACITY_COLUMN, STATUS_COLUMNS.at(-1)!] : STATUS_COLUMNS;
  return renderTable(columns, rows);
}

/**
 * Why servers fail their polls, one line each (table order), for stderr after the table: the table stays
 * Scalelite's for scripts that read it, and the word `offline` appears in it only once per server.
 */
export function statusNotes(servers: readonly Server[]): string[] {
  return statusJson(servers)
    .filter((s) => s.pollError !== null)
    .map((s) => pollProblem(s.id, s.status === 'online' ? 'online, but its last poll failed' : 'offline', s.pollError!));
}
