import { METRIC, type MetricName } from '../shared/app/metrics.js';

/** Every Prometheus name of ours starts so. */
export const PROMETHEUS_PREFIX = 'scalelite_';

/** `PollSkippedServers` → `poll_skipped_servers` */
export const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

/** The Prometheus name of a catalog metric: counters end in `_total`, timings (histograms in seconds) in `_seconds`. */
export function prometheusName(name: MetricName): string {
  const base = `${PROMETHEUS_PREFIX}${snakeCase(name)}`;
  const kind = METRIC[name].kind;
  return kind === 'count' ? `${base}_total` : kind === 'timing' ? `${base}_seconds` : base;
}
