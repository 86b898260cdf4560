/**
 * The usage ledger's arithmetic (issue 16 item 4), pure: UTC day keys, which day a poll cycle counts for,
 * what one cycle adds to each tenant-day, and which meetings count as started in it.
 *
 * Resolution is the poll interval: every meeting a cycle reports counts as running for one whole interval
 * (POLL_INTERVAL seconds of meeting time, participants × POLL_INTERVAL seconds of participant time). Time is
 * kept in seconds (integers: sums stay exact) and shown in minutes.
 */

/** A UTC day, `YYYY-MM-DD`. */
export type Day = string;

const DAY_MS = 86_400_000;
const DAY_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day of an instant (epoch ms). */
export function utcDay(ms: number): Day {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of a day's midnight UTC; undefined when `text` is not a real date written `YYYY-MM-DD`. */
export function dayStart(text: string): number | undefined {
  const m = DAY_FORMAT.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return utcDay(ms) === text ? ms : undefined;
}

/** The day after. */
export const nextDay = (day: Day): Day => utcDay(dayStart(day)! + DAY_MS);

/** The first day of the day's month. */
export const monthStart = (day: Day): Day => `${day.slice(0, 8)}01`;

/**
 * The day a cycle counts for: the UTC day of its nominal start, cycle × interval — the same for every poller
 * of that cycle, whenever within the interval it actually started (a cycle that runs across midnight counts
 * for the day it started in).
 */
export const cycleDay = (cycle: number, intervalMs: number): Day => utcDay(cycle * intervalMs);

/** The first cycle that counts for `day` (the smallest cycle whose nominal start is on that day or later). */
export const firstCycleOf = (day: Day, intervalMs: number): number => Math.ceil(dayStart(day)! / intervalMs);

/**
 * How far a BBB server's clock may lag the poller's without a meeting being missed as started (its
 * `createTime` is BBB's clock): started-windows end this much before the cycle's nominal start. At most
 * half the interval.
 */
export const STARTED_SKEW_MS = 5_000;

export const startedSkew = (intervalMs: number): number => Math.min(STARTED_SKEW_MS, Math.floor(intervalMs / 2));

/**
 * The started-window of cycle `cycle` when the tenant-day's previous counting cycle was `previous`:
 * `[previous·I − skew, cycle·I − skew)`. Consecutive counting cycles of a tenant-day thus tile the time line,
 * so a meeting is counted once — by the first cycle of its tenant-day whose window holds its createTime, if
 * that cycle reports it — however many cycles were skipped in between, and never by two pollers (the one
 * whose conditional write lost counts nothing). A tenant-day's first cycle starts from the window of the
 * day's first cycle (`firstCycleOf(day) − 1` as `previous`).
 */
export function startedWindow(cycle: number, previous: number, intervalMs: number): { from: number; to: number } {
  const skew = startedSkew(intervalMs);
  return { from: previous * intervalMs - skew, to: cycle * intervalMs - skew };
}

/** A meeting as the ledger reads a poll report (PolledMeeting, with its tenant already resolved). */
export interface LedgerMeeting {
  /** the tenant it is billed to (a breakout room: its parent's) */
  tenantId: string;
  participants: number;
  /** epoch ms (the BBB server's clock) */
  createTime: number;
  isBreakout: boolean;
}

/** What one cycle adds to one tenant-day. */
export interface CycleAccrual {
  tenantId: string;
  /** non-breakout meetings reported × interval */
  meetingSeconds: number;
  /** their participants × interval */
  participantSeconds: number;
  /** breakout rooms' participants × interval (their users are also listed in the parent meeting: kept apart) */
  breakoutParticipantSeconds: number;
  /** participants of the tenant's (non-breakout) meetings in this cycle: the day's peak is the largest */
  participants: number;
  /** the createTimes of the non-breakout meetings, for `countStarted` */
  createTimes: number[];
}

/** One cycle's meetings summed per tenant (tenants without a meeting are absent: nothing to write). */
export function accrualByTenant(meetings: LedgerMeeting[], intervalSeconds: number): CycleAccrual[] {
  const out = new Map<string, CycleAccrual>();
  for (const m of meetings) {
    let a = out.get(m.tenantId);
    if (!a) out.set(m.tenantId, (a = { tenantId: m.tenantId, meetingSeconds: 0, participantSeconds: 0, breakoutParticipantSeconds: 0, participants: 0, createTimes: [] }));
    const participants = Math.max(0, Math.floor(m.participants));
    if (m.isBreakout) {
      a.breakoutParticipantSeconds += participants * intervalSeconds;
      continue;
    }
    a.meetingSeconds += intervalSeconds;
    a.participantSeconds += participants * intervalSeconds;
    a.participants += participants;
    a.createTimes.push(m.createTime);
  }
  return [...out.values()].sort((x, y) => (x.tenantId < y.tenantId ? -1 : x.tenantId > y.tenantId ? 1 : 0));
}

/** How many of the createTimes fall in `[from, to)`. */
export const countStarted = (createTimes: number[], window: { from: number; to: number }): number =>
  createTimes.filter((t) => t >= window.from && t < window.to).length;
