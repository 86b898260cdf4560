import type { Server, ServerState } from '../domain/entities.js';
import type { PollCycleRecord, TenantCycleCount } from '../store/poll-history-repo.js';
import type { Deps } from './deps.js';

/** One server as the operator's views show it (never its secret or URL: the host name only). */
export interface ServerOverview {
  id: string;
  hostname: string;
  state: ServerState;
  online: boolean;
  /** the poll statistics are null until the poller recorded the server once */
  meetings: number | null;
  users: number | null;
  largestMeeting: number | null;
  videos: number | null;
  /** the load placement sees (none for a disabled server, nor before the first poll) */
  load: number | null;
  loadMultiplier: number;
  /** the most users placement puts on the server, when the operator set one */
  capacity: number | null;
  bbbVersion: string | null;
  tag: string | null;
  /** why the last poll failed */
  pollError: string | null;
  /** epoch ms of the last poll that changed what the server reports */
  polledAt: number | null;
}

export interface ServerCounts {
  total: number;
  /** online and not disabled (enabled or cordoned) */
  online: number;
  /** offline and not disabled */
  offline: number;
  cordoned: number;
  disabled: number;
}

export interface ClusterOverview {
  /** epoch ms of the read */
  at: number;
  pollInterval: number;
  servers: ServerOverview[];
  counts: ServerCounts;
  /**
   * meetings and participants per tenant (`_`: none), from the newest recorded poll cycle — the last one
   * that found something changed (an unchanged cycle is not recorded: shared/app/poll-history.ts)
   */
  tenants: TenantCycleCount[];
  /** the cycle the tenants come from (null: none recorded) */
  tenantsCycle: { cycle: number; startedAt: number } | null;
  /** the last recorded poll cycles (each one that changed something), newest first */
  cycles: PollCycleRecord[];
}

export interface OverviewOptions {
  /**
   * `snapshot`: the servers of the in-process registry (no read on a warm process; `slctl serve`'s
   * /metrics, whose poller refreshes it after every cycle); `table` (default): one Query of the servers.
   */
  servers?: 'snapshot' | 'table';
  /** how many cycles to return (default all that are kept) */
  cycles?: number;
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export function serverOverview(s: Server): ServerOverview {
  const polled = s.polledAt !== undefined;
  const capacity = (s as Server & { capacity?: number }).capacity;
  return {
    id: s.id,
    hostname: hostnameOf(s.url),
    state: s.state,
    online: s.online,
    meetings: polled ? s.meetings : null,
    users: polled ? s.users : null,
    largestMeeting: polled ? s.largestMeeting : null,
    videos: polled ? s.videos : null,
    load: s.state === 'disabled' || s.load === undefined ? null : s.load,
    loadMultiplier: s.loadMultiplier ?? 1,
    capacity: typeof capacity === 'number' ? capacity : null,
    bbbVersion: s.bbbVersion ?? null,
    tag: s.tag ?? null,
    pollError: s.pollError ?? null,
    polledAt: s.polledAt ?? null,
  };
}

export function serverCounts(servers: readonly Pick<Server, 'state' | 'online'>[]): ServerCounts {
  const active = servers.filter((s) => s.state !== 'disabled');
  return {
    total: servers.length,
    online: active.filter((s) => s.online).length,
    offline: active.filter((s) => !s.online).length,
    cordoned: servers.filter((s) => s.state === 'cordoned').length,
    disabled: servers.length - active.length,
  };
}

/**
 * The cluster as the operator's views show it (`slctl dashboard`, `slctl metrics`, /metrics of `slctl
 * serve`): the servers with their last poll, the counts by state, meetings and participants per tenant
 * and the last poll cycles. Bounded cost: one read of the servers (none from a warm registry snapshot)
 * and one Query of the poll history (at most POLL_HISTORY_SLOTS small items) — never a read per server,
 * per tenant or per meeting: the per-tenant figures are those the newest poll cycle recorded.
 */
export async function clusterOverview(deps: Deps, opts: OverviewOptions = {}): Promise<ClusterOverview> {
  const [servers, cycles] = await Promise.all([
    opts.servers === 'snapshot' ? deps.registry.listServers() : deps.store.servers.list(),
    deps.store.pollHistory.recent(opts.cycles),
  ]);
  const newest = cycles[0];
  return {
    at: deps.clock(),
    pollInterval: deps.config.pollInterval,
    servers: servers.map(serverOverview).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    counts: serverCounts(servers),
    tenants: newest?.tenants ?? [],
    tenantsCycle: newest ? { cycle: newest.cycle, startedAt: newest.startedAt } : null,
    cycles,
  };
}
