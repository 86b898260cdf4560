import type { Server } from '../shared/domain/entities.js';

/**
 * A number the way Ruby's Float#to_s prints it: `21.0`, `2.5`, `0.0001`, `1.0e-05`, `1.0e+16`.
 * (Shortest round-trip digits, like JavaScript; fixed notation for exponents -4 < e <= 16.)
 */
export function rubyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt > 0 && decpt <= 16) {
    if (digits.length <= decpt) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  if (decpt <= 0 && decpt > -4) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  const e = decpt - 1;
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** What to check for each reason of a failed poll (shared/app/poll-servers.ts, pollFailureReason). */
const POLL_HINTS: Record<string, string> = {
  checksumError: "the server's secret is not the one stored: slctl servers:update {id} SECRET, with the secret bbb-conf --secret prints on it",
  refused: 'nothing listens there: is BBB running, is the port in the URL right?',
  timeout: 'no answer within CONNECT_TIMEOUT/RESPONSE_TIMEOUT: a firewall, or an overloaded server?',
  unknownHost: "the URL's host name does not resolve",
  unreachable: 'no route to the host from here',
  reset: 'the connection was closed before the answer',
  tls: "TLS failed: check the server's certificate",
  notBbb: 'the URL does not lead to BBB: it usually ends in /bigbluebutton/api',
  badUrl: 'the URL is not valid: servers:remove {id}, then servers:add the right one',
};

/**
 * One line naming a server whose poll failed, why, and what to check:
 * `Server id=<id> <what>: <reason>: <error> (<hint>)`.
 */
export function pollProblem(id: string, what: string, pollError: string): string {
  const reason = pollError.split(':', 1)[0];
  const hint = Object.hasOwn(POLL_HINTS, reason) ? POLL_HINTS[reason].replace('{id}', id) : undefined;
  return `Server id=${id} ${what}: ${pollError}${hint ? ` (${hint})` : ''}`;
}

/** The load Scalelite would read: none for a disabled server (it is in no load set), else the polled load. */
export const effectiveLoad = (s: Server): number | undefined => (s.state === 'disabled' ? undefined : s.load);

/**
 * One server in the format of Scalelite's `rake servers` (each detail line starts with one TAB); ours:
 * a `capacity: N` line after the load multiplier, only for a server that has one.
 */
export function formatServer(s: Server): string {
  const load = effectiveLoad(s);
  return [
    `id: ${s.id}`,
    `\turl: ${s.url}`,
    `\tsecret: ${s.secret}`,
    `\t${s.state}`,
    `\tload: ${load === undefined ? 'unavailable' : rubyFloat(load)}`,
    `\tload multiplier: ${rubyFloat(s.loadMultiplier ?? 1)}`,
    ...(s.capacity !== undefined ? [`\tcapacity: ${s.capacity}`] : []),
    `\tbbb version: ${s.bbbVersion ?? ''}`,
    `\ttag: ${s.tag ?? ''}`,
    `\t${s.online ? 'online' : 'offline'}`,
  ].join('\n');
}

/** `slctl servers --json`: a stable, explicit shape for scripts (null = not set / unavailable). */
export interface ServerJson {
  id: string;
  url: string;
  secret: string;
  state: Server['state'];
  online: boolean;
  load: number | null;
  loadMultiplier: number;
  tag: string | null;
  /** max users placement puts on the server, null = no limit */
  capacity: number | null;
  bbbVersion: string | null;
  meetings: number;
  users: number;
  largestMeeting: number;
  videos: number;
  /** epoch ms of the last poll that changed the server, null when never */
  polledAt: number | null;
  /** why the last poll failed (`<reason>: <error>`), null when it succeeded or never ran */
  pollError: string | null;
}

export function serverJson(s: Server): ServerJson {
  return {
    id: s.id,
    url: s.url,
    secret: s.secret,
    state: s.state,
    online: s.online,
    load: effectiveLoad(s) ?? null,
    loadMultiplier: s.loadMultiplier ?? 1,
    tag: s.tag ?? null,
    capacity: s.capacity ?? null,
    bbbVersion: s.bbbVersion ?? null,
    meetings: s.meetings,
    users: s.users,
    largestMeeting: s.largestMeeting,
    videos: s.videos,
    polledAt: s.polledAt ?? null,
    pollError: s.pollError ?? null,
  };
}
