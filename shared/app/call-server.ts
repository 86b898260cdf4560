import { BbbFailedError, type BbbResponse } from '../bbb/bbb-client.js';
import { strictXmlDocument } from '../bbb/parse-bbb-xml.js';
import { ApiError, errors } from '../domain/api-error.js';
import type { Server } from '../domain/entities.js';
import type { Params } from '../domain/params.js';
import type { Config } from '../config/parse-config.js';
import { callTimeouts } from './deadline.js';
import type { Deps } from './deps.js';

/** Normal timeouts for online servers; Scalelite's shortened ones for a server known to be offline. */
export function timeoutsFor(config: Config, online: boolean): { connectTimeoutMs: number; responseTimeoutMs: number } {
  if (online) return { connectTimeoutMs: config.connectTimeoutMs, responseTimeoutMs: config.responseTimeoutMs };
  const r = config.responseTimeoutMs;
  return { connectTimeoutMs: Math.min(Math.max(200, r / 10), r), responseTimeoutMs: Math.min(Math.max(500, r / 10), r) };
}

/**
 * Calls a BBB API on a server on behalf of a client. BBB's own FAILED answer is re-emitted with its
 * messageKey/message; anything else (timeout, refused, garbage) becomes internalError with `failMessage`.
 */
export async function callServer(
  deps: Deps,
  server: Server,
  apiName: string,
  params: Params,
  failMessage: string,
  body?: string,
  /** epoch ms: the request's deadline (see deadline.ts); the call's timeouts end by it */
  deadline?: number,
): Promise<BbbResponse> {
  const t = callTimeouts(timeoutsFor(deps.config, server.online), deps.clock(), deadline);
  if (!t) {
    deps.log.warn('bbb call not made: the request deadline has passed', { server: server.id, call: apiName });
    throw errors.internal(failMessage);
  }
  try {
    return await deps.bbb.call(server, apiName, params, { connectTimeoutMs: t.connectTimeoutMs, responseTimeoutMs: t.responseTimeoutMs, body });
  } catch (e) {
    if (e instanceof BbbFailedError) throw new ApiError(e.key, e.message);
    deps.log.warn('bbb call failed', { server: server.id, call: apiName, error: (e as Error).message });
    throw errors.internal(failMessage);
  }
}

/**
 * A proxied document as Scalelite renders it: with the XML declaration and a final newline. A document
 * that is not strict XML 1.0 (BBB wrote a control character or echoed a name that is no XML name) is
 * re-written so that it is (strictXmlDocument); a strict one keeps BBB's bytes.
 */
export function asXmlDocument(body: string): string {
  const trimmed = body.trim();
  return strictXmlDocument(trimmed.startsWith('<?xml') ? `${trimmed}\n` : `<?xml version="1.0"?>\n${trimmed}\n`);
}
