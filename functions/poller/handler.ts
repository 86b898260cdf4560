import { runPollerInvocation } from '../../shared/app/poller-loop.js';
import { deps } from '../deps.js';

interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/**
 * Started by the EventBridge schedule (every minute): runs poll cycles every POLL_INTERVAL seconds
 * until the next scheduled start, and stops cleanly before the Lambda timeout.
 */
export async function handler(_event: unknown, context?: LambdaContextLike) {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  return runPollerInvocation(deps, { budgetMs: Math.min(60_000, remaining - 5_000) });
}
