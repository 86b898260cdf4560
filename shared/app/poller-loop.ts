import type { Deps } from './deps.js';
import { pollAll, type PollReport } from './poll-servers.js';
import { deliverDueCallbacks } from './recording-ready.js';

/** A cycle is not started with less time than this (or than the last cycle took) before `until`. */
export const MIN_CYCLE_MS = 1_000;

export interface PollerWindow {
  /** epoch ms (deps.clock): the first cycle slot this invocation owns is the first one at or after it */
  from: number;
  /** epoch ms: no cycle starts at or after it, and every cycle stops by it (its calls are cut to fit) */
  until: number;
  /** cycle slots are at `anchor + k × POLL_INTERVAL` (default `from`); a fixed grid keeps start-to-start across invocations */
  anchor?: number;
  /** waits `ms` (default a timer); tests pass one that advances their clock */
  sleep?: (ms: number) => Promise<void>;
}

export interface PollerInvocation {
  cycles: number;
  /** cycles that failed as a whole (e.g. the server list could not be read); logged */
  failures: number;
  reports: PollReport[];
}

const timerSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The first slot of the grid at or after `t`. */
export const slotAtOrAfter = (t: number, anchor: number, intervalMs: number) => anchor + Math.ceil((t - anchor) / intervalMs) * intervalMs;
/** The last slot of the grid at or before `t`. */
export const slotAtOrBefore = (t: number, anchor: number, intervalMs: number) => anchor + Math.floor((t - anchor) / intervalMs) * intervalMs;

/**
 * Runs poll cycles on the slots of `[from, until)`, every POLL_INTERVAL start to start. Cycles never
 * overlap: one that overruns its interval is followed at once by the cycle of the latest slot it
 * overran (the slots in between are dropped). A slot already past when the invocation starts (a cold
 * start) runs at once. Every cycle is given `until` as its deadline, so the invocation ends by then
 * whatever the servers do; a cycle that fails as a whole is logged and the next slot still runs.
 */
export async function runPollerInvocation(deps: Deps, window: PollerWindow): Promise<PollerInvocation> {
  const intervalMs = deps.config.pollInterval * 1000;
  const anchor = window.anchor ?? window.from;
  const sleep = window.sleep ?? timerSleep;
  const result: PollerInvocation = { cycles: 0, failures: 0, reports: [] };
  let lastDurationMs = 0;
  let slot = Math.max(slotAtOrAfter(window.from, anchor, intervalMs), slotAtOrBefore(deps.clock(), anchor, intervalMs));
  while (slot < window.until) {
    let now = deps.clock();
    if (now < slot) {
      await sleep(slot - now);
      now = deps.clock();
    }
    if (window.until - now < Math.max(MIN_CYCLE_MS, lastDurationMs)) break;
    result.cycles++;
    try {
      result.reports.push(await pollAll(deps, { deadline: window.until }));
    } catch (e) {
      result.failures++;
      deps.log.error('poll cycle failed', { error: e instanceof Error ? e.message : String(e) });
    }
    await deliverDueCallbacks(deps, { deadline: window.until }); // recording-ready callbacks due (never throws)
    const ended = deps.clock();
    lastDurationMs = ended - now;
    slot = Math.max(slot + intervalMs, slotAtOrBefore(ended, anchor, intervalMs));
  }
  return result;
}
