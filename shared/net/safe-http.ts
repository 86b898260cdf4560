import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { BbbTransportError, httpExchange, type RawResponse } from '../bbb/bbb-client.js';
import { ipLiteralOf, isPublicAddress } from './public-address.js';

/**
 * Outgoing calls to URLs a tenant (or a front-end) supplied — analytics callbacks, recording-ready
 * callbacks: https only, to public addresses only (design §4 invariant 9). The host's addresses are
 * checked when the connection is made (the `lookup` of node:net), so a name that resolves — or re-resolves,
 * DNS rebinding — to 127.0.0.1 or 169.254.169.254 is refused; an IP-literal host is checked before.
 * `ALLOW_PRIVATE_CALLBACK_URLS` (local development, tests) lifts both rules.
 */

/** The call was not made: the URL or the address its host resolves to is not allowed. */
export class DestinationRefusedError extends BbbTransportError {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefusedError';
  }
}

export interface DestinationPolicy {
  /** http and non-public addresses allowed (ALLOW_PRIVATE_CALLBACK_URLS) */
  allowPrivate: boolean;
}

/** The answer of a callback is only a status: more than this is refused. */
export const CALLBACK_MAX_RESPONSE_BYTES = 64 * 1024;

/** Parses a tenant-supplied URL and checks what can be checked before connecting; throws DestinationRefusedError. */
export function checkDestination(url: string, policy: DestinationPolicy): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DestinationRefusedError('not a URL');
  }
  const schemes = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(target.protocol)) throw new DestinationRefusedError(`scheme ${target.protocol} not allowed (${schemes.join(' ')})`);
  const literal = ipLiteralOf(target.hostname);
  if (literal !== undefined && !policy.allowPrivate && !isPublicAddress(literal)) throw new DestinationRefusedError(`address ${literal} is not public`);
  return target;
}

type LookupAddress = { address: string; family: number };

/**
 * A `lookup` for node:net that resolves with `resolve` (default dns.lookup) and fails the connection when
 * any address of the host is not public. Handles both forms node asks for (one address, or `all`).
 */
export function publicOnlyLookup(resolve: LookupFunction = dns.lookup as unknown as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address as string, family);
      const list: LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      const refused = list.find((a) => !isPublicAddress(a.address));
      if (refused || list.length === 0) {
        const error = new DestinationRefusedError(`${hostname} resolves to ${refused ? `${refused.address}, which is not public` : 'no address'}`);
        return callback(error as NodeJS.ErrnoException, '', 0);
      }
      (callback as (e: null, a: string | LookupAddress[], f?: number) => void)(null, address, family);
    });
  };
}

// Connections to tenant URLs never share a pool with the BBB client: a pooled socket to a host checked
// under another policy (a BBB server may well sit on a private address) must not be reused here.
const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

export interface TenantUrlCall {
  method?: string;
  body?: string;
  headers: Record<string, string>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** default CALLBACK_MAX_RESPONSE_BYTES */
  maxResponseBytes?: number;
  /** replaces dns.lookup (tests) */
  resolve?: LookupFunction;
}

/** One exchange with a tenant-supplied URL under `policy`; rejects with DestinationRefusedError or BbbTransportError. */
export async function tenantUrlExchange(url: string, call: TenantUrlCall, policy: DestinationPolicy): Promise<RawResponse> {
  const target = checkDestination(url, policy);
  return httpExchange(target.href, {
    method: call.method ?? 'POST',
    body: call.body,
    headers: call.headers,
    connectTimeoutMs: call.connectTimeoutMs,
    responseTimeoutMs: call.responseTimeoutMs,
    maxResponseBytes: call.maxResponseBytes ?? CALLBACK_MAX_RESPONSE_BYTES,
    agent: target.protocol === 'https:' ? agents.https : agents.http,
    lookup: policy.allowPrivate ? call.resolve : publicOnlyLookup(call.resolve),
  });
}
