import { Readable } from 'node:stream';
import { clusterOverview, type ClusterOverview } from '../../shared/app/cluster-overview.js';
import type { Env } from '../../shared/config/env-names.js';
import { POLL_HISTORY_SLOTS } from '../../shared/store/poll-history-repo.js';
import { cliDeps, type TargetFlags } from '../target.js';
import { lambdaTarget, resolveTarget } from '../target-resolution.js';

/** The hidden task the dashboard has the admin function run on the lambda target (cli/commands/dashboard-data.ts). */
export const DASHBOARD_DATA_TASK = 'dashboard:data';

export interface DashboardSource {
  read(): Promise<ClusterOverview>;
  /** the target in words, for the page */
  describe: string;
  close(): void;
}

/**
 * Where `slctl dashboard` reads the cluster: the task's target, as for every other task. Direct: the
 * overview from the table (one Query of the servers, one of the poll history per refresh). Lambda: the
 * admin function runs `dashboard:data` (the same overview, as JSON) through the path every remote task
 * takes (cli/remote-task.ts), one invocation per refresh, with one Lambda client kept for all of them.
 */
export async function dashboardSource(env: Env, flags: TargetFlags): Promise<DashboardSource> {
  const target = await resolveTarget(env, flags);
  if (target.via === 'direct') {
    const deps = await cliDeps(env, flags);
    const table = target.values.table?.value ?? deps.config.dynamodbTable;
    const at = target.values.endpoint?.value ?? `AWS${target.values.region ? ` ${target.values.region.value}` : ''}`;
    return { read: () => clusterOverview(deps, { servers: 'table', cycles: POLL_HISTORY_SLOTS }), describe: `table ${table} at ${at}`, close: () => {} };
  }
  const fn = lambdaTarget(target);
  const { lambdaInvoke, runRemoteTask } = await import('../remote-task.js');
  const lambda = await lambdaInvoke(fn, env);
  return {
    async read() {
      let stdout = '';
      let stderr = '';
      const code = await runRemoteTask(fn, DASHBOARD_DATA_TASK, { cycles: POLL_HISTORY_SLOTS }, {
        env,
        invoke: lambda.invoke,
        io: { stdin: Readable.from([]), stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
      });
      if (code !== 0) throw new Error(stderr.trim() || `${DASHBOARD_DATA_TASK} exited with ${code}`);
      return JSON.parse(stdout) as ClusterOverview;
    },
    describe: `admin function ${fn.functionName}${fn.endpointUrl ? ` at ${fn.endpointUrl}` : fn.region ? ` in ${fn.region}` : ''}`,
    close: () => lambda.close(),
  };
}
