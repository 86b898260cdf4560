import { withInvocationLogging } from '../lambda-logger.js';
import { lambdaMetrics, withMetrics } from '../lambda-metrics.js';
import { deps, log } from './deps.js';
import { createPollerHandler } from './poller-handler.js';

/**
 * Started by the EventBridge schedule (every minute): runs poll cycles every POLL_INTERVAL seconds
 * until the next scheduled start, and stops cleanly before the Lambda timeout.
 */
export const handler = withMetrics(withInvocationLogging(log, createPollerHandler(() => deps)), lambdaMetrics);
