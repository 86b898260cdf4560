import type { CommandModule } from 'yargs';
import { clusterOverview } from '../../shared/app/cluster-overview.js';
import { print } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

/**
 * `slctl metrics`: the cluster gauges of `slctl serve`'s /metrics (servers by state; per server its
 * meetings, participants, load and whether it is online; per tenant its meetings and participants from the
 * newest poll cycle; when that cycle started) in the Prometheus text format, read from the target — so on
 * AWS through the admin function (`--via lambda`): a scraper with lambda:InvokeFunction on it collects
 * them without any unauthenticated endpoint (docs/OPERATIONS.md "Prometheus"). One read of the servers,
 * one Query of the poll history.
 */
export const metricsCommand: CommandModule<object, TargetFlags> = {
  command: 'metrics',
  describe: 'Print the cluster gauges (servers, per server, per tenant) in the Prometheus text format',
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    const overview = await clusterOverview(deps, { servers: 'table', cycles: 1 });
    // prom-client only for this task: loaded here, not when slctl starts
    const { PrometheusMetrics } = await import('../prometheus-metrics.js');
    const prom = new PrometheusMetrics({ cluster: true });
    prom.setClusterSource(async () => overview);
    print(await prom.render());
  },
};
