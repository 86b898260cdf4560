import type { PollCycleRecord, TenantCycleCount } from '../store/poll-history-repo.js';
import type { PollCycle, PollCycleHook } from './poll-cycle-hooks.js';
import type { PollReport } from './poll-servers.js';

/** Server ids kept per cycle for wentOnline / wentOffline. */
export const CYCLE_IDS_KEPT = 10;
/**
 * Tenants kept per cycle (most participants first): a tenant id comes from the meeting ids BBB reports,
 * so a server's meetings must not be able to grow the item without bound (DynamoDB's 400 KB item limit).
 */
export const CYCLE_TENANTS_KEPT = 1000;

/** Meetings and participants per tenant of a cycle, most participants first (then by id). */
export function tenantCounts(report: Pick<PollReport, 'meetings'>): TenantCycleCount[] {
  const by = new Map<string, TenantCycleCount>();
  for (const m of report.meetings) {
    const t = by.get(m.tenantId) ?? { tenantId: m.tenantId, meetings: 0, participants: 0 };
    t.meetings += 1;
    t.participants += m.participants;
    by.set(m.tenantId, t);
  }
  return [...by.values()].sort((a, b) => b.participants - a.participants || b.meetings - a.meetings || (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
}

/** The history record of a cycle. */
export function pollCycleRecord(report: PollReport, cycle: PollCycle): PollCycleRecord {
  const tenants = tenantCounts(report);
  return {
    cycle: cycle.cycle,
    startedAt: cycle.startedAt,
    durationMs: report.durationMs,
    servers: report.servers,
    polled: report.polled,
    failed: report.failed,
    skipped: report.skipped,
    errors: report.errors,
    online: report.online,
    offline: report.offline,
    meetings: report.meetings.length,
    participants: report.meetings.reduce((n, m) => n + m.participants, 0),
    wentOnline: report.wentOnline.slice(0, CYCLE_IDS_KEPT),
    wentOffline: report.wentOffline.slice(0, CYCLE_IDS_KEPT),
    tenants: tenants.slice(0, CYCLE_TENANTS_KEPT),
    tenantsOmitted: Math.max(0, tenants.length - CYCLE_TENANTS_KEPT),
  };
}

/** What this runtime last recorded, per store: the cycle, and what it found. */
const lastRecorded = new WeakMap<object, { cycle: number; content: string }>();

/** What a record says about the cluster (not when, nor how long it took): equal content, nothing changed. */
export const recordContent = (r: PollCycleRecord): string => {
  const { cycle: _c, startedAt: _s, durationMs: _d, ...content } = r;
  return JSON.stringify(content);
};

/**
 * The poll-cycle hook of the history (`slctl dashboard`, the per-tenant Prometheus gauges): at most one
 * conditional PutItem per cycle, the first poller's (another process's second one is refused by the
 * condition; this process's own is not even sent), and none for a cycle that found the cluster as the
 * cycle this runtime recorded last — the poller writes only what changed (DESIGN §3), so an idle
 * cluster's history keeps the cycle since which nothing changed. A new runtime (a cold Lambda) records
 * its first cycle.
 */
export const recordPollCycle: PollCycleHook = async (deps, report, cycle) => {
  const last = lastRecorded.get(deps.store);
  if (last && last.cycle >= cycle.cycle) return;
  const record = pollCycleRecord(report, cycle);
  const content = recordContent(record);
  if (last && last.content === content) return;
  await deps.store.pollHistory.record(record);
  lastRecorded.set(deps.store, { cycle: cycle.cycle, content });
};
