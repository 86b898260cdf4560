/**
 * The usage ledger's writers (issue 16 item 4; docs/OPERATIONS.md "Usage ledger"): the poll-cycle hook
 * that accrues meeting time per tenant and UTC day, and what the importer adds per recording.
 *
 * Per cycle: ONE conditional UpdateItem per tenant-day the cycle touched (a tenant with at least one
 * reported meeting), never one per meeting — conditioned on `lastCycle < cycle`, so a cycle that a second
 * poller runs too (`slctl poll:all` within the poller's interval, an overlapping invocation) counts once.
 * Two rare extra writes: the day's peak when this cycle's concurrent participants beat it (DynamoDB cannot
 * take a maximum in an update), and meetings started during cycles the tenant-day missed.
 */
import { NO_TENANT, tenantOfBbbMeetingId } from '../domain/meeting-id.js';
import { accrualByTenant, countStarted, cycleDay, firstCycleOf, startedWindow, utcDay, type CycleAccrual, type LedgerMeeting } from '../domain/usage-ledger.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';
import type { PollCycle, PollCycleHook } from './poll-cycle-hooks.js';
import type { PolledMeeting } from './poll-servers.js';

/** Tenant-day writes of one cycle in flight at once. */
export const USAGE_WRITES_IN_FLIGHT = 16;

/** The meetings as the ledger bills them: a breakout room whose parent was listed goes to the parent's tenant. */
export function ledgerMeetings(meetings: PolledMeeting[], multitenancy: boolean): LedgerMeeting[] {
  return meetings.map((m) => ({
    tenantId: m.breakoutOf !== undefined ? tenantOfBbbMeetingId(m.breakoutOf, multitenancy) : m.tenantId,
    participants: m.participants,
    createTime: m.createTime,
    isBreakout: m.isBreakout,
  }));
}

/** What the accrual of one cycle did (for tests and the benchmark). */
export interface AccrualResult {
  /** tenant-days the cycle touched */
  tenantDays: number;
  /** of those, counted by this call (the others were counted already: same cycle, another poller) */
  counted: number;
  /** DynamoDB writes made (UpdateItem) */
  writes: number;
  /** tenant-days whose write failed (logged) */
  failed: number;
}

async function accrueTenantDay(deps: Deps, a: CycleAccrual, cycle: number, intervalMs: number): Promise<{ counted: boolean; writes: number }> {
  const usage = deps.store.usage;
  const day = cycleDay(cycle, intervalMs);
  // the usual case: the tenant-day's previous cycle was the one before
  const started = countStarted(a.createTimes, startedWindow(cycle, cycle - 1, intervalMs));
  const before = await usage.accrueCycle(a.tenantId, day, cycle, {
    meetingsStarted: started,
    meetingSeconds: a.meetingSeconds,
    participantSeconds: a.participantSeconds,
    breakoutParticipantSeconds: a.breakoutParticipantSeconds,
    participants: a.participants,
  });
  if (!before) return { counted: false, writes: 1 };
  let writes = 1;
  // cycles that did not count for this tenant-day (skipped, or none of its meetings reported): the
  // meetings created meanwhile are counted now — their window was nobody else's
  const previous = before.lastCycle ?? firstCycleOf(day, intervalMs) - 1;
  if (previous < cycle - 1) {
    const missed = countStarted(a.createTimes, startedWindow(cycle - 1, previous, intervalMs));
    if (missed > 0) {
      writes++;
      await usage.addStarted(a.tenantId, day, missed);
    }
  }
  // the item kept its peak (if_not_exists): raise it when this cycle's participants beat it
  if (before.peakParticipants !== undefined && a.participants > before.peakParticipants) {
    writes++;
    await usage.raisePeak(a.tenantId, day, a.participants);
  }
  return { counted: true, writes };
}

/**
 * Adds one cycle's meetings to the ledger: each meeting reported counts as running for the whole interval
 * (resolution = POLL_INTERVAL), for the day of the cycle's nominal start (cycle × POLL_INTERVAL, UTC).
 */
export async function accrueUsage(deps: Deps, meetings: PolledMeeting[], cycle: PollCycle): Promise<AccrualResult> {
  const intervalSeconds = deps.config.pollInterval;
  const perTenant = accrualByTenant(ledgerMeetings(meetings, deps.config.multitenancyEnabled), intervalSeconds);
  const result: AccrualResult = { tenantDays: perTenant.length, counted: 0, writes: 0, failed: 0 };
  let firstError: string | undefined;
  await mapBounded(perTenant, USAGE_WRITES_IN_FLIGHT, async (a) => {
    try {
      const r = await accrueTenantDay(deps, a, cycle.cycle, intervalSeconds * 1000);
      result.writes += r.writes;
      if (r.counted) result.counted++;
    } catch (e) {
      result.failed++;
      firstError ??= e instanceof Error ? e.message : String(e);
    }
  });
  if (result.failed > 0) deps.log.error('usage ledger: tenant-days not accrued', { cycle: cycle.cycle, failed: result.failed, of: result.tenantDays, error: firstError });
  return result;
}

/** The last cycle each runtime's store accrued in full: the same process polling again within the interval writes nothing. */
const accrued = new WeakMap<object, number>();

/**
 * The poll-cycle hook (POLL_CYCLE_HOOKS). A cycle this runtime already accrued (e.g. `slctl serve`'s timer
 * and a test or task polling within the same interval) is skipped without a write; another process's
 * repeat of the cycle is refused by the ledger's condition.
 */
export const usageAccrualHook: PollCycleHook = async (deps, report, cycle) => {
  if ((accrued.get(deps.store) ?? -Infinity) >= cycle.cycle) return;
  const r = await accrueUsage(deps, report.meetings, cycle);
  if (r.failed === 0) accrued.set(deps.store, cycle.cycle);
};

/**
 * What an import adds to the ledger, on the tenant-day of the import (the recording's tenant, `_` without;
 * the UTC day of deps.clock()): one recording when the import created the recording item (`priorFormats`
 * undefined), and the bytes of the formats the recording did not have before. A re-import of a format the
 * recording has (a redelivered event, a re-upload, a rebuild) adds nothing. One UpdateItem; a failure is
 * logged and never fails the import (its retry would not count it: the recording exists by then).
 */
export async function accrueRecordingUsage(
  deps: Deps,
  usage: { recordID: string; tenantId: string | undefined; priorFormats: readonly string[] | undefined; formatBytes: Record<string, number> },
): Promise<void> {
  const created = usage.priorFormats === undefined;
  const bytes = Object.entries(usage.formatBytes).reduce((n, [format, b]) => (usage.priorFormats?.includes(format) ? n : n + Math.max(0, b)), 0);
  if (!created && bytes === 0) return;
  const tenantId = usage.tenantId ?? NO_TENANT;
  try {
    await deps.store.usage.addRecording(tenantId, utcDay(deps.clock()), created ? 1 : 0, bytes);
  } catch (e) {
    deps.log.error('usage ledger: recording not counted', { recordID: usage.recordID, tenantId, bytes, error: e instanceof Error ? e.message : String(e) });
  }
}
