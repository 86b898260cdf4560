import { Gauge, type Registry } from 'prom-client';
import type { ClusterOverview } from '../shared/app/cluster-overview.js';
import { METRIC, type MetricName } from '../shared/app/metrics.js';
import { PROMETHEUS_PREFIX, prometheusName } from './prometheus-names.js';

/** The catalog gauges the collector owns (read from the cluster at scrape time). */
export const CLUSTER_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  'ServersOnline',
  'ServersOffline',
  'ServersCordoned',
  'ServersDisabled',
  'ServerMeetings',
  'ServerParticipants',
  'ServerLoad',
  'TenantMeetings',
  'TenantParticipants',
]);

/** Labels of the per-server gauges: the catalog's `server` (its id) and the server's tag ('' without one). */
const SERVER_LABELS = ['server', 'tag'];

/**
 * The cluster gauges of a Prometheus registry, set from a ClusterOverview at every scrape (`set`): the
 * servers by state, per server (labels `server` = its id and `tag`) its meetings, participants, load and
 * whether it is online (label `state` too), per tenant (label `tenant`, `_` for none) the meetings and
 * participants of the newest recorded poll cycle (the last that found something changed). Every set
 * starts from empty, so a removed server or a tenant without meetings disappears at the next scrape.
 */
export class ClusterGauges {
  private readonly byName = new Map<string, Gauge<string>>();

  constructor(registry: Registry) {
    const catalog = (name: MetricName, labelNames: string[]) =>
      this.byName.set(name, new Gauge({ name: prometheusName(name), help: METRIC[name].doc, labelNames, registers: [registry] }));
    catalog('ServersOnline', []);
    catalog('ServersOffline', []);
    catalog('ServersCordoned', []);
    catalog('ServersDisabled', []);
    catalog('ServerMeetings', SERVER_LABELS);
    catalog('ServerParticipants', SERVER_LABELS);
    catalog('ServerLoad', SERVER_LABELS);
    catalog('TenantMeetings', ['tenant']);
    catalog('TenantParticipants', ['tenant']);
    const own = (key: string, name: string, help: string, labelNames: string[] = []) =>
      this.byName.set(key, new Gauge({ name: `${PROMETHEUS_PREFIX}${name}`, help, labelNames, registers: [registry] }));
    own('ServerOnline', 'server_online', 'Whether a server is online (1) or offline (0), with its state (enabled, cordoned, disabled).', [...SERVER_LABELS, 'state']);
    own('Up', 'cluster_up', 'Whether this scrape could read the cluster state (1) or not (0: the other cluster gauges are absent).');
  }

  private g(key: string): Gauge<string> {
    return this.byName.get(key)!;
  }

  /** Every gauge without a sample (prom-client's reset leaves an unlabelled gauge at 0: removed too). */
  private resetAll(): void {
    for (const g of this.byName.values()) {
      g.reset();
      g.remove({});
    }
  }

  set(o: ClusterOverview): void {
    this.resetAll();
    this.g('ServersOnline').set(o.counts.online);
    this.g('ServersOffline').set(o.counts.offline);
    this.g('ServersCordoned').set(o.counts.cordoned);
    this.g('ServersDisabled').set(o.counts.disabled);
    for (const s of o.servers) {
      const labels = { server: s.id, tag: s.tag ?? '' };
      this.g('ServerOnline').set({ ...labels, state: s.state }, s.online ? 1 : 0);
      if (s.meetings !== null) this.g('ServerMeetings').set(labels, s.meetings);
      if (s.users !== null) this.g('ServerParticipants').set(labels, s.users);
      if (s.load !== null) this.g('ServerLoad').set(labels, s.load);
    }
    for (const t of o.tenants) {
      this.g('TenantMeetings').set({ tenant: t.tenantId }, t.meetings);
      this.g('TenantParticipants').set({ tenant: t.tenantId }, t.participants);
    }
    this.g('Up').set(1);
  }

  /** The state could not be read: no cluster gauge but `cluster_up 0`. */
  failed(): void {
    this.resetAll();
    this.g('Up').set(0);
  }
}
