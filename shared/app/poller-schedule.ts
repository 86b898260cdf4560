/**
 * The poller's schedule contract, shared by its Lambda handler and the infrastructure:
 * the EventBridge rule starts the poller once a minute (`rate(1 minute)`).
 */
export const SCHEDULE_PERIOD_MS = 60_000;
/** Every cycle ends this long before the next scheduled start and before the Lambda timeout. */
export const STOP_MARGIN_MS = 3_000;
/** The poller Lambda's timeout must leave the whole minute to the loop: at least this many seconds. */
export const MIN_LAMBDA_TIMEOUT_SECONDS = Math.ceil((SCHEDULE_PERIOD_MS + 2 * STOP_MARGIN_MS) / 1000);
