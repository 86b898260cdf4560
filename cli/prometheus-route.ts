import { clusterOverview } from '../shared/app/cluster-overview.js';
import type { Deps } from '../shared/app/deps.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** The path `slctl serve` answers Prometheus scrapes on. */
export const METRICS_PATH = '/metrics';

export interface LocalPrometheus {
  /** the runtime's Metrics adapter (assemble's `metrics` option) */
  metrics: PrometheusMetrics;
  /** reads the cluster gauges from these deps at every scrape (the registry snapshot: no read on a warm process) */
  attach(deps: Deps): void;
  /** GET (or HEAD) /metrics: the exposition text; undefined for any other path */
  handle(req: Request): Promise<Response | undefined>;
}

/**
 * `slctl serve`'s Prometheus endpoint (cli/local-stack.ts): GET /metrics on the stack's own port, text
 * format 0.0.4, without authentication — the port listens on loopback unless BIND says otherwise, and the
 * deployed stack has no such route (on AWS: `slctl metrics` through the admin function, docs/OPERATIONS.md
 * "Prometheus"). Undefined when METRICS_ENABLED=false: the path is then an unknown one.
 */
export function localPrometheus(enabled: boolean): LocalPrometheus | undefined {
  if (!enabled) return undefined;
  let log: Deps['log'] | undefined;
  const metrics = new PrometheusMetrics({ cluster: true, onClusterError: (e) => log?.warn('metrics: cluster state not read', { error: e.message }) });
  return {
    metrics,
    attach(deps) {
      log = deps.log;
      metrics.setClusterSource(() => clusterOverview(deps, { servers: 'snapshot', cycles: 1 }));
    },
    async handle(req) {
      if (new URL(req.url).pathname !== METRICS_PATH) return undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') return new Response('Method Not Allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } });
      const body = await metrics.render();
      return new Response(req.method === 'HEAD' ? null : body, { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } });
    },
  };
}
