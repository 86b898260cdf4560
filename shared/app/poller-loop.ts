import type { Deps } from './deps.js';
import { pollAll, type PollReport } from './poll-servers.js';

export interface PollerInvocation {
  cycles: number;
  reports: PollReport[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs cycles every POLL_INTERVAL seconds (start to start) within `budgetMs`; a cycle never overlaps
 * the next, and no cycle starts unless it can be expected to finish inside the budget.
 */
export async function runPollerInvocation(deps: Deps, opts: { budgetMs: number }): Promise<PollerInvocation> {
  const start = Date.now();
  const intervalMs = deps.config.pollInterval * 1000;
  const reports: PollReport[] = [];
  let lastDuration = 0;
  for (;;) {
    const cycleStart = Date.now();
    reports.push(await pollAll(deps));
    lastDuration = Date.now() - cycleStart;
    const nextStart = cycleStart + Math.max(intervalMs, lastDuration);
    if (nextStart + lastDuration - start > opts.budgetMs) break;
    await sleep(nextStart - Date.now());
  }
  return { cycles: reports.length, reports };
}
