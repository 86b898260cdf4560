import { BbbFailedError, type BbbResponse } from '../bbb/bbb-client.js';
import { ApiError, errors } from '../domain/api-error.js';
import type { Server } from '../domain/entities.js';
import type { Params } from '../domain/params.js';
import type { Config } from '../config/parse-config.js';
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
): Promise<BbbResponse> {
  try {
    return await deps.bbb.call(server, apiName, params, { ...timeoutsFor(deps.config, server.online), body });
  } catch (e) {
    if (e instanceof BbbFailedError) throw new ApiError(e.key, e.message);
    deps.log.warn('bbb call failed', { server: server.id, call: apiName, error: (e as Error).message });
    throw errors.internal(failMessage);
  }
}

/** A proxied document as Scalelite renders it: with the XML declaration and a final newline. */
export function asXmlDocument(body: string): string {
  const trimmed = body.trim();
  return trimmed.startsWith('<?xml') ? `${trimmed}\n` : `<?xml version="1.0"?>\n${trimmed}\n`;
}
