import { createCipheriv, createHash, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { OutboundPostOptions } from '../net/outbound-http.js';
import type { TenantLrs } from '../store/tenant-repo.js';
import { callTimeouts } from './deadline.js';
import type { Deps } from './deps.js';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Scalelite's `meta_secret-lrs-payload` encryption (reference §2.6): PBKDF2-HMAC-SHA256(secret, 8-byte salt,
 * 10000 iterations, 48 bytes) → AES-256-CBC key (32) and IV (16); the result is Base64 of
 * `8 random bytes ‖ salt ‖ ciphertext` (the receiver skips the first 8 bytes). The key derivation (some ms
 * of CPU) runs on libuv's thread pool, not on the request's thread.
 */
export async function encryptLrsPayload(json: string, secret: string, random: (n: number) => Buffer = randomBytes): Promise<string> {
  const salt = random(8);
  const keyIv = await pbkdf2Async(secret, salt, 10_000, 48, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', keyIv.subarray(0, 32), keyIv.subarray(32, 48));
  return Buffer.concat([random(8), salt, cipher.update(json, 'utf8'), cipher.final()]).toString('base64');
}

/** A Keycloak token answer is a few KB; more is refused. */
export const KEYCLOAK_MAX_RESPONSE_BYTES = 256 * 1024;
/** A cached token is used while more than this is left of its life (`expires_in`). */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** Tokens kept per runtime (one per Keycloak account in use). */
export const TOKEN_CACHE_SIZE = 1000;

interface CachedToken {
  /** the request in flight, or its token */
  token: Promise<string | undefined>;
  /** epoch ms after which the token is not handed out (Infinity while in flight) */
  until: number;
}

/** Per Deps (per runtime): tokens by Keycloak account, oldest first. */
const caches = new WeakMap<Deps, Map<string, CachedToken>>();

function cacheOf(deps: Deps): Map<string, CachedToken> {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new Map()));
  return cache;
}

/** The account a token belongs to: URL, client and user — and a digest of the secrets, so a changed password is not served the old token. */
function accountKey(lrs: TenantLrs): string {
  const secrets = createHash('sha256').update(`${lrs.kcClientSecret ?? ''}\0${lrs.kcPassword ?? ''}`).digest('base64url');
  return JSON.stringify([lrs.kcTokenUrl, lrs.kcClientId ?? '', lrs.kcUsername ?? '', secrets]);
}

function makeRoom(cache: Map<string, CachedToken>, now: number): void {
  if (cache.size < TOKEN_CACHE_SIZE) return;
  for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
  for (const k of cache.keys()) {
    if (cache.size < TOKEN_CACHE_SIZE) break;
    cache.delete(k);
  }
}

/**
 * A Keycloak access token by the password grant, cached until `TOKEN_EXPIRY_MARGIN_MS` before its
 * `expires_in` (an answer without `expires_in` is not cached); concurrent creates share one request.
 * Undefined (with a warning) on any failure or timeout; failures are not cached.
 */
async function keycloakToken(deps: Deps, tenantId: string, lrs: TenantLrs, deadline?: number): Promise<string | undefined> {
  const cache = cacheOf(deps);
  const key = accountKey(lrs);
  const hit = cache.get(key);
  if (hit && hit.until > deps.clock()) return hit.token;
  cache.delete(key);
  makeRoom(cache, deps.clock());
  const entry: CachedToken = { token: Promise.resolve(undefined), until: Infinity };
  entry.token = fetchKeycloakToken(deps, tenantId, lrs, deadline).then((answer) => {
    if (answer && answer.lifetimeMs > TOKEN_EXPIRY_MARGIN_MS) entry.until = deps.clock() + answer.lifetimeMs - TOKEN_EXPIRY_MARGIN_MS;
    else if (cache.get(key) === entry) cache.delete(key);
    return answer?.token;
  });
  cache.set(key, entry);
  return entry.token;
}

async function fetchKeycloakToken(deps: Deps, tenantId: string, lrs: TenantLrs, deadline?: number): Promise<{ token: string; lifetimeMs: number } | undefined> {
  const timeouts = callTimeouts(deps.config, deps.clock(), deadline);
  if (!timeouts) {
    deps.log.warn('LRS token not requested: no time left in the request; create goes on without meta_secret-lrs-payload', { tenant: tenantId });
    return undefined;
  }
  const form = new URLSearchParams({
    client_id: lrs.kcClientId ?? '',
    client_secret: lrs.kcClientSecret ?? '',
    username: lrs.kcUsername ?? '',
    password: lrs.kcPassword ?? '',
    grant_type: 'password',
  });
  const options: OutboundPostOptions = {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    connectTimeoutMs: timeouts.connectTimeoutMs,
    responseTimeoutMs: timeouts.responseTimeoutMs,
    maxResponseBytes: KEYCLOAK_MAX_RESPONSE_BYTES,
  };
  try {
    const res = await deps.http.post(lrs.kcTokenUrl!, form.toString(), options);
    if (res.status !== 200) {
      deps.log.warn('LRS token request refused; create goes on without meta_secret-lrs-payload', { tenant: tenantId, status: res.status });
      return undefined;
    }
    const answer = JSON.parse(res.body) as { access_token?: unknown; expires_in?: unknown };
    const token = answer.access_token;
    if (typeof token === 'string' && token !== '') {
      const seconds = typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) ? answer.expires_in : 0;
      return { token, lifetimeMs: seconds * 1000 };
    }
    deps.log.warn('LRS token response has no access_token; create goes on without meta_secret-lrs-payload', { tenant: tenantId });
  } catch (e) {
    deps.log.warn('LRS token request failed; create goes on without meta_secret-lrs-payload', { tenant: tenantId, error: (e as Error).message });
  }
  return undefined;
}

/**
 * The encrypted LRS payload of a tenant for a create on a server with `serverSecret`: basic credentials
 * when the tenant has an LRS user name, else a Keycloak token. Undefined when the tenant has no LRS
 * endpoint or the token cannot be had (the parameter is then omitted).
 */
export async function lrsPayload(deps: Deps, tenant: TenantLrs & { id: string }, serverSecret: string, deadline?: number): Promise<string | undefined> {
  if (!tenant.lrsEndpoint) return undefined;
  let payload: Record<string, string>;
  if (tenant.lrsUsername) {
    payload = { lrs_endpoint: tenant.lrsEndpoint, lrs_username: tenant.lrsUsername, lrs_password: tenant.lrsPassword ?? '' };
  } else if (tenant.kcTokenUrl) {
    const token = await keycloakToken(deps, tenant.id, tenant, deadline);
    if (token === undefined) return undefined;
    payload = { lrs_endpoint: tenant.lrsEndpoint, lrs_token: token };
  } else {
    deps.log.warn('tenant has an LRS endpoint but no credentials; create goes on without meta_secret-lrs-payload', { tenant: tenant.id });
    return undefined;
  }
  return encryptLrsPayload(JSON.stringify(payload), serverSecret);
}
