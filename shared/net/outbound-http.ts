import type { HttpPostOptions } from '../app/deps.js';
import { httpExchange } from '../bbb/bbb-client.js';
import { tenantUrlExchange, type DestinationPolicy } from './safe-http.js';

/** What a use case asks of an outgoing POST (`maxResponseBytes` defaults to OUTBOUND_MAX_RESPONSE_BYTES, or CALLBACK_MAX_RESPONSE_BYTES for tenant URLs). */
export type OutboundPostOptions = HttpPostOptions;

/** Answers of operator-configured endpoints (a Keycloak token is a few KB). */
export const OUTBOUND_MAX_RESPONSE_BYTES = 1024 * 1024;

/** `OutboundHttp` on node:http(s): the BBB client's deadlines, a response-size cap, and the destination policy for tenant URLs. */
export function createOutboundHttp(policy: DestinationPolicy) {
  return {
    async post(url: string, body: string, o: OutboundPostOptions): Promise<{ status: number; body: string }> {
      const call = { method: 'POST', body, headers: o.headers, connectTimeoutMs: o.connectTimeoutMs, responseTimeoutMs: o.responseTimeoutMs };
      const res = o.tenantSupplied
        ? await tenantUrlExchange(url, { ...call, maxResponseBytes: o.maxResponseBytes }, policy)
        : await httpExchange(url, { ...call, maxResponseBytes: o.maxResponseBytes ?? OUTBOUND_MAX_RESPONSE_BYTES });
      return { status: res.status, body: res.body };
    },
  };
}
