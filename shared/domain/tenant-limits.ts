import { createHash } from 'node:crypto';
import { ApiError } from './api-error.js';

/**
 * A tenant's plan: at most `maxMeetings` concurrent meetings and `maxParticipants` concurrent
 * participants (over all its meetings). Absent = no limit. Set by `slctl tenants:limits`.
 */
export interface TenantLimits {
  maxMeetings?: number;
  maxParticipants?: number;
}

/** The largest limit accepted: a limited tenant's meeting set is one item (≤ 400 KB, ~17 bytes per meeting). */
export const MAX_LIMIT = 10_000;

export const isLimited = (t: TenantLimits): boolean => t.maxMeetings !== undefined || t.maxParticipants !== undefined;

/** `N` as a limit: a whole number 0…MAX_LIMIT (0 = none → null); anything else → undefined (refused). */
export function parseLimit(text: string): number | null | undefined {
  if (!/^\d{1,6}$/.test(text.trim())) return undefined;
  const n = Number.parseInt(text.trim(), 10);
  if (n > MAX_LIMIT) return undefined;
  return n === 0 ? null : n;
}

/** Ours (BBB has none): a create of a new meeting beyond the tenant's concurrent meetings. */
export const maxMeetingsReached = (max: number) =>
  new ApiError('maxMeetingsReached', `The maximum number of concurrent meetings (${max}) of this account has been reached.`);

/** BBB's own answer to a join beyond a meeting's maxParticipants; here beyond the tenant's concurrent participants. */
export const maxParticipantsReached = () =>
  new ApiError('maxParticipantsReached', 'The maximum number of participants allowed for this meeting has been reached.');

/**
 * What a limited tenant's meeting set holds for a meeting: 16 characters of the SHA-256 of the id its
 * BBB server knows (96 bits: no two of a tenant's meetings collide in practice), so the set stays small
 * whatever the meetingIDs' length.
 */
export const meetingToken = (bbbMeetingId: string): string => createHash('sha256').update(bbbMeetingId).digest('base64url').slice(0, 16);

/** Joins are also counted per time slot of this length (`p<slot>`), so the poller knows which are recent. */
export const JOIN_SLOT_MS = 5_000;
export const joinSlot = (nowMs: number): number => Math.floor(nowMs / JOIN_SLOT_MS);
/** The attribute a join's increment is also counted in. */
export const joinBucket = (slot: number): string => `p${slot}`;

/**
 * A redirected user appears in BBB's getMeetings only once the client has loaded and joined: the joins
 * of the slots from this long before the poll started are taken as not yet reported by it.
 */
export const ARRIVAL_ALLOWANCE_MS = 15_000;

/** A limited tenant's counter items as the poller reads them. */
export interface TenantLoad {
  /** tokens of the meetings counted (`meetingToken`) */
  meetings: string[];
  participants: number;
  /** joins counted per time slot (`p<slot>` → n, JOIN_SLOT_MS) since the buckets were last cleaned */
  buckets: Record<number, number>;
  /** the cycle of the last reconcile written (guards against two pollers applying the same read twice) */
  reconciledCycle?: number;
}

export const emptyLoad = (): TenantLoad => ({ meetings: [], participants: 0, buckets: {} });

export interface ReconcileInput {
  /** epoch ms the poll cycle started */
  startedAt: number;
  load: TenantLoad;
  /** the bbb ids of the tenant's live meeting records whose server is online */
  liveMeetings: string[];
  /**
   * participants of the tenant's non-breakout meetings on servers that answered this cycle; undefined
   * when a server holding one of its meetings is online but did not answer (then participants stay)
   */
  reportedParticipants: number | undefined;
}

export interface ReconcilePlan {
  /** the new meeting set, when it differs */
  meetings?: string[];
  /** participants: the delta to add and the slots' buckets to drop — when anything changes */
  participants?: { delta: number; removeBuckets: number[] };
}

/**
 * What the poller writes for one limited tenant. Meetings: the set becomes the tenant's live records on
 * online servers (every meeting placed through us has one until the poller saw it end). Participants:
 * what the answering servers reported plus the joins counted from ARRIVAL_ALLOWANCE_MS before the poll
 * started (their users may not have reached BBB when it answered); older slots are dropped. The count is
 * then never below the truth but for users BBB lists more than ARRIVAL_ALLOWANCE_MS after their
 * redirect, and above it by the users who left since the poll (docs/OPERATIONS.md "Tenant limits").
 */
export function planReconcile(i: ReconcileInput): ReconcilePlan {
  const plan: ReconcilePlan = {};
  const next = [...new Set(i.liveMeetings.map(meetingToken))].sort();
  const current = [...new Set(i.load.meetings)].sort();
  if (next.length !== current.length || next.some((t, k) => t !== current[k])) plan.meetings = next;

  if (i.reportedParticipants !== undefined) {
    const firstRecent = joinSlot(i.startedAt - ARRIVAL_ALLOWANCE_MS);
    let recent = 0;
    const stale: number[] = [];
    for (const [k, n] of Object.entries(i.load.buckets)) {
      const slot = Number(k);
      if (slot >= firstRecent) recent += n;
      else stale.push(slot);
    }
    const delta = i.reportedParticipants + recent - i.load.participants;
    if (delta !== 0 || stale.length > 0) plan.participants = { delta, removeBuckets: stale.sort((a, b) => a - b) };
  }
  return plan;
}
