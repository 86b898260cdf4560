/**
 * Deadlines of outgoing calls. API Gateway answers 504 after 30 s whatever the Lambda still does, so a
 * request's BBB calls (a cordoned server's isMeetingRunning, a Keycloak token, the create itself) share
 * one deadline, REQUEST_DEADLINE_MS after the request started, and each call's timeouts are scaled down
 * to end by it. The poller gives every cycle the end of its window the same way.
 */
export const REQUEST_DEADLINE_MS = 27_000;

/** Below this much time before the deadline no call is started any more. */
export const MIN_CALL_MS = 100;

export interface CallTimeouts {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** shortened to fit the deadline: a timeout then proves nothing about the server */
  clipped: boolean;
}

/** The given timeouts, scaled down when connect + response would run past the deadline; undefined when no time is left. */
export function callTimeouts(timeouts: { connectTimeoutMs: number; responseTimeoutMs: number }, now: number, deadline?: number): CallTimeouts | undefined {
  const { connectTimeoutMs: c, responseTimeoutMs: r } = timeouts;
  if (deadline === undefined) return { connectTimeoutMs: c, responseTimeoutMs: r, clipped: false };
  const left = deadline - now;
  if (left < MIN_CALL_MS) return undefined;
  if (c + r <= left) return { connectTimeoutMs: c, responseTimeoutMs: r, clipped: false };
  const f = left / (c + r);
  return { connectTimeoutMs: Math.max(1, Math.floor(c * f)), responseTimeoutMs: Math.max(1, Math.floor(r * f)), clipped: true };
}
