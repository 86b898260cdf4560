import { httpExchange } from '../bbb/bbb-client.js';
import { tenantUrlExchange, type DestinationPolicy } from './safe-http.js';

/** What a use case asks of an outgoing POST (a superset of `HttpPostOptions` in shared/app/deps.ts). */
export interface OutboundPostOptions {
  headers: Record<string, string>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** a longer answer fails the call (transport error); default OUTBOUND_MAX_RESPONSE_BYTES, or CALLBACK_MAX_RESPONSE_BYTES for tenant URLs */
  maxResponseBytes?: number;
  /** the URL comes from a tenant or front-end (callbacks): https to public addresses only, unless ALLOW_PRIVATE_CALLBACK_URLS */
  tenantSupplied?: boolean;
}

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
