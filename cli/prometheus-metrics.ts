import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClusterOverview } from '../shared/app/cluster-overview.js';
import { METRIC, type MetricDimensions, type MetricName, type Metrics } from '../shared/app/metrics.js';
import { CLUSTER_METRICS, ClusterGauges } from './prometheus-cluster.js';
import { prometheusName } from './prometheus-names.js';

export { PROMETHEUS_PREFIX, prometheusName, snakeCase } from './prometheus-names.js';

/** Buckets (seconds) of request and BBB call durations: 5 ms … 30 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Buckets (seconds) of a poll cycle: 100 ms … 5 min (the Lambda's deadline). */
export const POLL_CYCLE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

const bucketsOf = (name: MetricName): number[] => (name === 'PollCycleDuration' ? POLL_CYCLE_BUCKETS : LATENCY_BUCKETS);

type Made = Counter<string> | Gauge<string> | Histogram<string>;

export interface PrometheusOptions {
  /** the cluster gauges are read at every scrape (setClusterSource); the port's gauge() calls for them are ignored */
  cluster?: boolean;
  /** told when reading the cluster failed (the scrape answers without the cluster gauges) */
  onClusterError?: (e: Error) => void;
}

/**
 * The Metrics port over prom-client, for `slctl serve`'s GET /metrics (Prometheus text format 0.0.4).
 * Names come from the METRIC catalog: `scalelite_<snake_case>`, counters with `_total`, timings as
 * histograms in seconds (`_seconds`), gauges as they are; a metric's dimensions are its labels (only
 * those the catalog lists: an unknown dimension is dropped, never an exception in a use case). Its own
 * Registry: nothing of prom-client's global one (no process metrics of other libraries).
 *
 * The cluster gauges (servers by state, per server, per tenant) are not what a use case last pushed but
 * the cluster state read at every scrape (`cli/prometheus-cluster.ts`): with `cluster: true` the port's
 * gauge() calls for those names are ignored, so a scrape never shows a value older than the state.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly made = new Map<MetricName, Made>();
  private readonly cluster: ClusterGauges | undefined;
  private source: (() => Promise<ClusterOverview>) | undefined;
  private reading: Promise<void> | undefined;

  constructor(private readonly opts: PrometheusOptions = {}) {
    this.cluster = opts.cluster ? new ClusterGauges(this.registry) : undefined;
  }

  /** Where the cluster gauges come from (set once the runtime's deps exist). */
  setClusterSource(read: () => Promise<ClusterOverview>): void {
    this.source = read;
  }

  count(name: MetricName, value = 1, dims: MetricDimensions = {}): void {
    const c = this.metric(name);
    if (c instanceof Counter && value >= 0) c.inc(this.labels(name, dims), value);
  }

  timing(name: MetricName, ms: number, dims: MetricDimensions = {}): void {
    const h = this.metric(name);
    if (h instanceof Histogram && Number.isFinite(ms)) h.observe(this.labels(name, dims), Math.max(0, ms) / 1000);
  }

  gauge(name: MetricName, value: number, dims: MetricDimensions = {}): void {
    if (this.cluster && CLUSTER_METRICS.has(name)) return;
    const g = this.metric(name);
    if (g instanceof Gauge && Number.isFinite(value)) g.set(this.labels(name, dims), value);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: the cluster read first (one read shared by concurrent scrapes). */
  async render(): Promise<string> {
    if (this.cluster && this.source) {
      this.reading ??= this.readCluster().finally(() => (this.reading = undefined));
      await this.reading;
    }
    return this.registry.metrics();
  }

  private async readCluster(): Promise<void> {
    try {
      this.cluster!.set(await this.source!());
    } catch (e) {
      this.cluster!.failed();
      this.opts.onClusterError?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** The catalog's dimensions of `name`, from `dims` (missing ones empty, unknown ones dropped). */
  private labels(name: MetricName, dims: MetricDimensions): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of METRIC[name].dims as readonly string[]) out[d] = Object.hasOwn(dims, d) ? String(dims[d]) : '';
    return out;
  }

  private metric(name: MetricName): Made | undefined {
    let m = this.made.get(name);
    if (m) return m;
    const def = METRIC[name] as { kind: 'count' | 'timing' | 'gauge'; dims: readonly string[]; doc: string } | undefined;
    if (!def) return undefined;
    const common = { name: prometheusName(name), help: def.doc, labelNames: [...def.dims], registers: [this.registry] };
    m = def.kind === 'count' ? new Counter(common) : def.kind === 'timing' ? new Histogram({ ...common, help: def.doc.replace(/, ms\.$/, ', seconds.'), buckets: bucketsOf(name) }) : new Gauge(common);
    this.made.set(name, m);
    return m;
  }
}
