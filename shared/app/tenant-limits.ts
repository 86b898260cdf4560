import type { Meeting } from '../domain/entities.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import {
  isLimited,
  joinSlot,
  maxMeetingsReached,
  maxParticipantsReached,
  meetingToken,
  planReconcile,
  type TenantLimits,
} from '../domain/tenant-limits.js';
import type { Tenant } from '../store/tenant-repo.js';
import { AdminError } from './admin-error.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';
import type { PollCycle, PollCycleHook } from './poll-cycle-hooks.js';
import type { PollReport } from './poll-servers.js';
import { tenantNotFound } from './tenant-admin.js';

/** Limited tenants reconciled at once by the poller. */
const RECONCILES_IN_FLIGHT = 8;

/** A limit change: a number sets it, `null` removes it, undefined leaves it. */
export type LimitChanges = { [K in keyof TenantLimits]?: number | null };

/**
 * Sets or removes a tenant's limits (admin attributes of the tenant item, one UpdateItem). A tenant left
 * without limits loses its counter items; a newly limited one is counted from its next join/create and
 * reconciled by the next poll cycle.
 */
export async function setTenantLimits(deps: Deps, id: string, changes: LimitChanges): Promise<Tenant> {
  for (const [k, v] of Object.entries(changes)) {
    if (v !== undefined && v !== null && !(Number.isInteger(v) && v > 0)) throw new AdminError('invalid', `${k} must be a whole number ≥ 0`);
  }
  const result = await deps.store.tenants.update(id, changes);
  if (!result.ok) throw tenantNotFound(id);
  if (!isLimited(result.tenant)) await deps.store.tenantLoads.remove(id);
  return result.tenant;
}

/**
 * A create just placed this meeting (new, or re-placed): count it against the tenant's concurrent
 * meetings — one conditional UpdateItem, nothing for an unlimited tenant. A re-placed meeting is
 * already in the tenant's set and passes. Refused: the placement is taken back (its record deleted,
 * unless another create touched it since) and the create answers `maxMeetingsReached` before BBB is asked.
 */
export async function admitPlacedMeeting(deps: Deps, tenant: Tenant | undefined, meeting: Meeting): Promise<void> {
  const max = tenant?.maxMeetings;
  if (!tenant || max === undefined) return;
  if (await deps.store.tenantLoads.admitMeeting(tenant.id, meetingToken(bbbMeetingId(tenant.id, meeting.meetingID)), max)) return;
  await deps.store.meetings.delete(meeting, { serverId: meeting.serverId, createdBefore: Math.max(meeting.createdAt, meeting.lastCreateAt ?? 0) + 1 });
  deps.log.info('create refused: tenant meeting limit', { tenant: tenant.id, meetingID: meeting.meetingID, maxMeetings: max });
  throw maxMeetingsReached(max);
}

/** A join about to be redirected: count it against the tenant's participants (one conditional UpdateItem; nothing when unlimited). */
export async function admitJoin(deps: Deps, tenant: Tenant | undefined): Promise<void> {
  const max = tenant?.maxParticipants;
  if (!tenant || max === undefined) return;
  if (await deps.store.tenantLoads.admitParticipant(tenant.id, joinSlot(deps.clock()), max)) return;
  deps.log.info('join refused: tenant participant limit', { tenant: tenant.id, maxParticipants: max });
  throw maxParticipantsReached();
}

/** What one cycle's reconcile did (for tests and the log). */
export interface ReconcileSummary {
  tenants: number;
  writes: number;
  /** tenants whose participants were left as they are: a server with one of their meetings is online but did not answer */
  participantsKept: string[];
}

/**
 * The poll-cycle hook of tenant limits: brings each limited tenant's counters in line with the cycle.
 * Meetings: its live meeting records on online servers. Participants: what the servers that answered
 * report for its meetings (breakout rooms left out: their users are the parent meeting's, and joins to
 * them never come through us) plus the joins counted shortly before the cycle started or since. A tenant with a meeting on
 * a server that is online but did not answer this cycle (failed below the threshold, skipped at the
 * deadline) keeps its participant count: its users there are unknown, and lowering it would let the
 * limit be passed. Writes only what changed; idempotent per cycle (`rc`).
 */
export async function reconcileTenantLoads(deps: Deps, report: PollReport, cycle: PollCycle): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { tenants: 0, writes: 0, participantsKept: [] };
  if (!deps.config.multitenancyEnabled) return summary;
  const limited = (await deps.store.tenants.listAll()).filter(isLimited);
  if (limited.length === 0) return summary;
  summary.tenants = limited.length;
  const online = new Set((await deps.store.servers.list()).filter((s) => s.online).map((s) => s.id));
  const answered = new Set([...report.serverStats.map((s) => s.id), ...report.meetings.map((m) => m.serverId)]);
  const now = deps.clock();
  await mapBounded(limited, RECONCILES_IN_FLIGHT, async (tenant) => {
    const [load, records] = await Promise.all([deps.store.tenantLoads.get(tenant.id), deps.store.meetings.listByTenant(tenant.id, now)]);
    const onLive = records.filter((m) => online.has(m.serverId));
    const complete = onLive.every((m) => answered.has(m.serverId));
    if (!complete) summary.participantsKept.push(tenant.id);
    const reported = report.meetings.filter((m) => m.tenantId === tenant.id && !m.isBreakout).reduce((n, m) => n + m.participants, 0);
    const plan = planReconcile({
      startedAt: cycle.startedAt,
      load,
      liveMeetings: onLive.map((m) => bbbMeetingId(tenant.id, m.meetingID)),
      reportedParticipants: complete ? reported : undefined,
    });
    const writes: Promise<boolean>[] = [];
    if (plan.meetings) writes.push(deps.store.tenantLoads.setMeetings(tenant.id, load.meetings, plan.meetings));
    if (plan.participants && (load.reconciledCycle === undefined || cycle.cycle > load.reconciledCycle)) {
      writes.push(deps.store.tenantLoads.reconcileParticipants(tenant.id, load, cycle.cycle, plan.participants.delta, plan.participants.removeBuckets));
    }
    summary.writes += writes.length;
    await Promise.all(writes); // a refused one (a create or another poller came first) is redone by the next cycle
  });
  return summary;
}

/** The POLL_CYCLE_HOOKS entry: reconciles, and logs what it kept or wrote. */
export const tenantLimitsHook: PollCycleHook = async (deps, report, cycle) => {
  const s = await reconcileTenantLoads(deps, report, cycle);
  if (s.writes > 0 || s.participantsKept.length > 0) deps.log.info('tenant limits reconciled', { ...s });
};
