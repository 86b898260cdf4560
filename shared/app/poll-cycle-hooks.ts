import type { Deps } from './deps.js';
import type { PollReport } from './poll-servers.js';
import { usageAccrualHook } from './usage-accrual.js';
import { recordPollCycle } from './poll-history.js';
import { emitPollMetrics } from './poll-metrics.js';
import { tenantLimitsHook } from './tenant-limits.js';

/**
 * What runs after every poll cycle, whoever ran it (the poller Lambda, `slctl serve`'s timer,
 * `slctl poll:all`): each hook reads the cycle's report and writes what it keeps (metrics, the cycle
 * history, tenant counters, the usage ledger). A hook that fails is logged and never stops the others
 * or the poller. Hooks must be idempotent per cycle (`cycle` below): two pollers may run the same one.
 */
export interface PollCycle {
  /** floor(started / POLL_INTERVAL): the same number for every poller that polls in the same interval */
  cycle: number;
  /** epoch ms the cycle started */
  startedAt: number;
}

export type PollCycleHook = (deps: Deps, report: PollReport, cycle: PollCycle) => Promise<void> | void;

/** The hooks, in the order they run (one line each; add yours at the end). */
export const POLL_CYCLE_HOOKS: Array<{ name: string; run: PollCycleHook }> = [
  { name: 'pollHistory', run: recordPollCycle },
  { name: 'pollMetrics', run: emitPollMetrics },
  { name: 'usageLedger', run: usageAccrualHook },
  { name: 'tenantLimits', run: tenantLimitsHook },
];

/** Runs every hook, one after the other; never throws. */
export async function runPollCycleHooks(deps: Deps, report: PollReport, cycle: PollCycle, hooks = POLL_CYCLE_HOOKS): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook.run(deps, report, cycle);
    } catch (e) {
      deps.log.error('poll cycle hook failed', { hook: hook.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
