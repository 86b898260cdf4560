import type { Deps } from './deps.js';
import type { PollCycleHook } from './poll-cycle-hooks.js';
import type { PollReport } from './poll-servers.js';

/**
 * The poller's view of the cluster as metrics, once per cycle (a POLL_CYCLE_HOOKS entry):
 * - the cycle: PollCycleDuration, PollSkippedServers (not polled, or inconclusive), PollFailedServers;
 * - the servers by state: ServersOnline (enabled or cordoned, online), ServersOffline (enabled or
 *   cordoned, offline), ServersCordoned, ServersDisabled;
 * - per server that answered and is online (METRICS_PER_SERVER): ServerMeetings, ServerParticipants,
 *   ServerLoad (a disabled server's load is none: not emitted);
 * - per tenant (METRICS_PER_TENANT): TenantMeetings, TenantParticipants over the meetings the servers that
 *   answered reported, `_` for meetings without a tenant. A tenant that ran meetings in the previous cycle
 *   and none now is not emitted (its line on a graph ends; no zero is written for every tenant ever seen).
 *
 * Breakout rooms carry ids of BBB's making (no tenant prefix; their parent is named only by its internal
 * id), so their meetings and participants count under `_`, not under their parent's tenant.
 *
 * Idempotent per cycle as gauges are: two pollers of one cycle emit the same values twice.
 */
export const emitPollMetrics: PollCycleHook = (deps: Deps, report: PollReport) => {
  const m = deps.metrics;
  m.timing('PollCycleDuration', report.durationMs);
  m.count('PollSkippedServers', report.skipped);
  m.count('PollFailedServers', report.failed);

  const byState = report.byState;
  if (byState) {
    m.gauge('ServersOnline', byState.enabled.online + byState.cordoned.online);
    m.gauge('ServersOffline', byState.enabled.offline + byState.cordoned.offline);
    m.gauge('ServersCordoned', byState.cordoned.online + byState.cordoned.offline);
    m.gauge('ServersDisabled', byState.disabled.online + byState.disabled.offline);
  } else {
    // a report without states (an older poller): online and offline over all servers
    m.gauge('ServersOnline', report.online);
    m.gauge('ServersOffline', report.offline);
  }

  if (deps.config.metricsPerServer) {
    for (const s of report.serverStats) {
      const dims = { server: s.id };
      m.gauge('ServerMeetings', s.meetings, dims);
      m.gauge('ServerParticipants', s.users, dims);
      if (s.load !== null) m.gauge('ServerLoad', s.load, dims);
    }
  }

  if (deps.config.metricsPerTenant) {
    for (const [tenant, t] of tenantTotals(report)) {
      const dims = { tenant };
      m.gauge('TenantMeetings', t.meetings, dims);
      m.gauge('TenantParticipants', t.participants, dims);
    }
  }
};

/** Meetings and participants per tenant id over the cycle's reported meetings, in tenant order. */
export function tenantTotals(report: Pick<PollReport, 'meetings'>): Map<string, { meetings: number; participants: number }> {
  const totals = new Map<string, { meetings: number; participants: number }>();
  for (const meeting of report.meetings) {
    const t = totals.get(meeting.tenantId) ?? { meetings: 0, participants: 0 };
    t.meetings++;
    t.participants += meeting.participants;
    totals.set(meeting.tenantId, t);
  }
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
