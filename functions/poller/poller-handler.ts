import type { Deps } from '../../shared/app/deps.js';
import { runPollerInvocation, type PollerInvocation, type PollerWindow } from '../../shared/app/poller-loop.js';

import { MIN_LAMBDA_TIMEOUT_SECONDS, SCHEDULE_PERIOD_MS, STOP_MARGIN_MS } from '../../shared/app/poller-schedule.js';

export { MIN_LAMBDA_TIMEOUT_SECONDS, SCHEDULE_PERIOD_MS, STOP_MARGIN_MS };

/** The parts of an EventBridge "Scheduled Event" the poller reads; any other payload works too. */
export interface ScheduledEventLike {
  'detail-type'?: string;
  source?: string;
  /** when the rule fired (ISO 8601, whole seconds) */
  time?: string;
}

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/**
 * The invocation's window. It owns the cycle slots from its scheduled time (minus the margin, so a slot
 * the previous invocation had to leave is picked up) to the next scheduled start minus the margin, and
 * stops before the Lambda timeout. The slot grid is anchored at the schedule's second within the minute,
 * so POLL_INTERVAL holds start to start across invocations (10 s → 6 cycles a minute; 120 s → every
 * other invocation runs one). A late delivery (an async retry) finds its window past and runs nothing,
 * so it never overlaps the invocation of the next minute.
 */
export function pollerWindow(event: ScheduledEventLike | undefined, nowMs: number, remainingMs: number): PollerWindow {
  const fired = Date.parse(event?.time ?? '');
  // A missing, unreadable or implausibly future time: this invocation is the schedule's tick.
  const scheduled = Number.isFinite(fired) && fired <= nowMs + SCHEDULE_PERIOD_MS ? fired : nowMs;
  const until = Math.min(scheduled + SCHEDULE_PERIOD_MS, nowMs + remainingMs) - STOP_MARGIN_MS;
  return { from: scheduled - STOP_MARGIN_MS, until, anchor: ((scheduled % SCHEDULE_PERIOD_MS) + SCHEDULE_PERIOD_MS) % SCHEDULE_PERIOD_MS };
}

export interface PollerHandlerResult {
  cycles: number;
  failures: number;
  /** the window, as ISO times */
  from: string;
  until: string;
}

/**
 * The poller Lambda for these deps: cycles every POLL_INTERVAL within the invocation's window
 * (`pollerWindow`). It never throws for a failed cycle (a thrown error would make Lambda retry the
 * event); every cycle logs its own line.
 */
export function createPollerHandler(getDeps: () => Deps | Promise<Deps>, opts: { sleep?: (ms: number) => Promise<void> } = {}) {
  return async (event?: ScheduledEventLike, context?: LambdaContextLike): Promise<PollerHandlerResult> => {
    const deps = await getDeps();
    const now = deps.clock();
    const remaining = context?.getRemainingTimeInMillis?.() ?? SCHEDULE_PERIOD_MS;
    const window = { ...pollerWindow(event, now, remaining), sleep: opts.sleep };
    const run: PollerInvocation = await runPollerInvocation(deps, window);
    const result = { cycles: run.cycles, failures: run.failures, from: new Date(window.from).toISOString(), until: new Date(window.until).toISOString() };
    if (window.until <= now) deps.log.warn('poller: the event arrived after its window; nothing to do', { ...result, eventTime: event?.time ?? null });
    return result;
  };
}
