import { METRIC, type MetricName } from '../shared/app/metrics.js';

/**
 * How the metric catalog (shared/app/metrics.ts) lands in CloudWatch: the namespace is METRICS_NAMESPACE,
 * every metric carries the `service` dimension of the function that emitted it, its unit comes from its
 * kind, and a few metrics are also emitted without one of their dimensions (a rollup), so that an alarm
 * can read a total without summing one metric per call. The Lambda adapter (lambda-metrics.ts), the
 * dashboard and the alarms (infra/) all read this file. Plain constants: no runtime library here.
 */

/** The `service` dimension of each function. */
export const METRIC_SERVICE = { api: 'api', poller: 'poller', importer: 'importer', admin: 'admin' } as const;
export type MetricService = (typeof METRIC_SERVICE)[keyof typeof METRIC_SERVICE];

/** CloudWatch units (the names EMF takes). */
export type EmfUnit = 'Count' | 'Milliseconds' | 'None';

/** The unit of a metric: counts and gauges count things (ServerLoad is a score: no unit), timings are ms. */
export function unitOf(name: MetricName): EmfUnit {
  if (name === 'ServerLoad') return 'None';
  return METRIC[name].kind === 'timing' ? 'Milliseconds' : 'Count';
}

/**
 * Dimension sets a metric is emitted with besides its full one (each without `service`, which every set
 * has). BbbCalls by `outcome` alone: the alarm on failing BBB calls reads one metric per outcome instead of
 * one per call and outcome. Each rollup is one more custom metric per value (4 outcomes × service).
 */
export const METRIC_ROLLUPS: Partial<Record<MetricName, readonly (readonly string[])[]>> = {
  BbbCalls: [['outcome']],
};

/** The dimension names of a metric in CloudWatch: `service` and the catalog's own. */
export const emfDimensions = (name: MetricName): string[] => ['service', ...METRIC[name].dims];
