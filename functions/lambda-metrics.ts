import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricDimensions, MetricName, Metrics } from '../shared/app/metrics.js';
import { ENV } from '../shared/config/env-names.js';
import { METRIC_ROLLUPS, METRIC_SERVICE, type MetricService, unitOf } from './emf-layout.js';

/**
 * The `Metrics` port on Lambda: CloudWatch Embedded Metric Format written to stdout through
 * `@aws-lambda-powertools/metrics` — CloudWatch Logs turns the lines into metrics; no API call, nothing
 * on the request path but an array push.
 *
 * What is counted, timed and gauged during an invocation is buffered here and written when the
 * invocation ends (`withMetrics`, or `flush()`): one EMF document per dimension set and values —
 * everything that shares them (e.g. RequestLatency and BbbCallLatency of `call=create`) goes into one
 * document, so a BBB API request writes a handful of lines, not one per sample. Counts are summed per
 * document (one value); timings and gauges keep every value (EMF arrays, at most MAX_VALUES per document:
 * CloudWatch computes averages and percentiles from them). Every document carries the `service` dimension
 * of the function (emf-layout.ts), and the rollup dimension sets of METRIC_ROLLUPS.
 */

/** Values of one metric in one document (Powertools writes its buffer by itself at 100; we stay below). */
export const MAX_VALUES = 99;
/** Buffered samples past which a long invocation (the poller's minute) writes what it has before it ends. */
export const MAX_BUFFERED = 20_000;

export interface LambdaMetricsOptions {
  /** METRICS_NAMESPACE (default its contract default, `Scalelite`); may be set once the config is parsed */
  namespace?: string;
  /** the function's `service` dimension; `withMetrics` may set it */
  service?: MetricService | string;
  /** epoch ms of each document (tests); default Date.now */
  clock?: () => number;
  /** default MAX_BUFFERED */
  maxBuffered?: number;
}

interface Group {
  dims: MetricDimensions;
  rollups: readonly (readonly string[])[];
  values: Map<MetricName, number[]>;
}

/**
 * Where Powertools' own warnings go (stderr). A rollup names a dimension in two dimension sets, which is
 * what EMF means it for; Powertools' warning about that "collision" would come with every such document.
 */
const POWERTOOLS_LOGGER = {
  debug() {},
  info() {},
  warn(...content: unknown[]) {
    if (/defined as both a dimension set and dimension set/.test(String(content[0]))) return;
    console.warn(...content);
  },
  error(...content: unknown[]) {
    console.error(...content);
  },
};

/** A dimension value CloudWatch takes: 1–1,024 ASCII characters, not all blank. */
function dimensionValue(v: string): string {
  const ascii = String(v).replace(/[^\x20-\x7e]/g, '?').slice(0, 1024);
  return ascii.trim() === '' ? '(none)' : ascii;
}

export class LambdaMetrics implements Metrics {
  /** the `service` dimension of everything this function emits (`withMetrics` sets it) */
  service: string;
  /** METRICS_NAMESPACE (the composition root sets it from the config before the first flush) */
  namespace: string;
  private readonly clock: () => number;
  private readonly maxBuffered: number;
  private readonly groups = new Map<string, Group>();
  private buffered = 0;
  private powertools?: { key: string; metrics: PowertoolsMetrics };

  constructor(opts: LambdaMetricsOptions = {}) {
    this.namespace = opts.namespace ?? ENV.METRICS_NAMESPACE.default;
    this.service = opts.service ?? 'scalelite';
    this.clock = opts.clock ?? Date.now;
    this.maxBuffered = opts.maxBuffered ?? MAX_BUFFERED;
  }

  count(name: MetricName, value = 1, dims: MetricDimensions = {}): void {
    this.add(name, value, dims, true);
  }

  timing(name: MetricName, ms: number, dims: MetricDimensions = {}): void {
    this.add(name, Math.round(ms * 1000) / 1000, dims, false);
  }

  gauge(name: MetricName, value: number, dims: MetricDimensions = {}): void {
    this.add(name, value, dims, false);
  }

  /** Samples buffered and not yet written. */
  get pending(): number {
    return this.buffered;
  }

  private add(name: MetricName, value: number, dims: MetricDimensions, sum: boolean): void {
    if (!Number.isFinite(value)) return;
    const clean: MetricDimensions = {};
    for (const k of Object.keys(dims).sort()) clean[k] = dimensionValue(dims[k]);
    const rollups = METRIC_ROLLUPS[name] ?? [];
    const key = JSON.stringify([clean, rollups]);
    let group = this.groups.get(key);
    if (!group) {
      group = { dims: clean, rollups, values: new Map() };
      this.groups.set(key, group);
    }
    const values = group.values.get(name);
    if (!values) group.values.set(name, [value]);
    else if (sum) values[0] += value;
    else values.push(value);
    if (!(sum && values)) this.buffered++;
    if (this.buffered >= this.maxBuffered) this.flush();
  }

  /**
   * Writes every buffered sample as EMF lines to stdout and empties the buffer. Never throws: a metric
   * that cannot be written is reported on stderr and dropped (metrics never fail an invocation).
   */
  flush(): void {
    const groups = [...this.groups.values()];
    this.groups.clear();
    this.buffered = 0;
    if (groups.length === 0) return;
    try {
      const key = `${this.namespace}\n${this.service}`;
      if (this.powertools?.key !== key) {
        this.powertools = { key, metrics: new PowertoolsMetrics({ namespace: this.namespace, serviceName: this.service, logger: POWERTOOLS_LOGGER }) };
      }
      const pt = this.powertools.metrics;
      for (const group of groups) this.writeGroup(pt, group);
    } catch (e) {
      console.error(JSON.stringify({ level: 'error', msg: 'metrics not written', error: e instanceof Error ? e.message : String(e) }));
    }
  }

  private writeGroup(pt: PowertoolsMetrics, group: Group): void {
    const longest = Math.max(...[...group.values.values()].map((v) => v.length));
    for (let offset = 0; offset < longest; offset += MAX_VALUES) {
      pt.clearDimensions();
      if (Object.keys(group.dims).length > 0) pt.addDimensions(group.dims);
      for (const set of group.rollups) {
        pt.addDimensions(Object.fromEntries(set.filter((k) => k in group.dims).map((k) => [k, group.dims[k]])));
      }
      for (const [name, values] of group.values) {
        for (const v of values.slice(offset, offset + MAX_VALUES)) pt.addMetric(name, unitOf(name), v);
      }
      pt.setTimestamp(this.clock());
      pt.publishStoredMetrics();
    }
  }
}

/**
 * The functions' adapter, one per process (each Lambda bundle runs one handler): the composition root sets
 * its namespace from the config and passes it to assemble (`metrics:`); the handler is wrapped by
 * `withMetrics(handler, lambdaMetrics, '<service>')`.
 */
export const lambdaMetrics = new LambdaMetrics();

/**
 * A Lambda handler whose metrics are written when each invocation ends (returned or thrown), with
 * `service` as the `service` dimension of everything this function emits (one handler per bundle).
 */
export function withMetrics<A extends unknown[], R>(handler: (...args: A) => Promise<R>, metrics: LambdaMetrics, service?: MetricService): (...args: A) => Promise<R> {
  if (service) metrics.service = service;
  return async (...args: A): Promise<R> => {
    try {
      return await handler(...args);
    } finally {
      metrics.flush();
    }
  };
}

export { METRIC_SERVICE };
