import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { TenantLrs } from '../store/tenant-repo.js';
import type { Deps } from './deps.js';

/**
 * Scalelite's `meta_secret-lrs-payload` encryption (reference §2.6): PBKDF2-HMAC-SHA256(secret, 8-byte salt,
 * 10000 iterations, 48 bytes) → AES-256-CBC key (32) and IV (16); the result is Base64 of
 * `8 random bytes ‖ salt ‖ ciphertext` (the receiver skips the first 8 bytes).
 */
export function encryptLrsPayload(json: string, secret: string, random: (n: number) => Buffer = randomBytes): string {
  const salt = random(8);
  const keyIv = pbkdf2Sync(secret, salt, 10_000, 48, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', keyIv.subarray(0, 32), keyIv.subarray(32, 48));
  return Buffer.concat([random(8), salt, cipher.update(json, 'utf8'), cipher.final()]).toString('base64');
}

/** A Keycloak access token by the password grant; undefined (with a warning) on any failure or timeout. */
async function keycloakToken(deps: Deps, tenantId: string, lrs: TenantLrs): Promise<string | undefined> {
  const form = new URLSearchParams({
    client_id: lrs.kcClientId ?? '',
    client_secret: lrs.kcClientSecret ?? '',
    username: lrs.kcUsername ?? '',
    password: lrs.kcPassword ?? '',
    grant_type: 'password',
  });
  try {
    const res = await deps.http.post(lrs.kcTokenUrl!, form.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      connectTimeoutMs: deps.config.connectTimeoutMs,
      responseTimeoutMs: deps.config.responseTimeoutMs,
    });
    if (res.status !== 200) {
      deps.log.warn('LRS token request refused; create goes on without meta_secret-lrs-payload', { tenant: tenantId, status: res.status });
      return undefined;
    }
    const token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    if (typeof token === 'string' && token !== '') return token;
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
export async function lrsPayload(deps: Deps, tenant: TenantLrs & { id: string }, serverSecret: string): Promise<string | undefined> {
  if (!tenant.lrsEndpoint) return undefined;
  let payload: Record<string, string>;
  if (tenant.lrsUsername) {
    payload = { lrs_endpoint: tenant.lrsEndpoint, lrs_username: tenant.lrsUsername, lrs_password: tenant.lrsPassword ?? '' };
  } else if (tenant.kcTokenUrl) {
    const token = await keycloakToken(deps, tenant.id, tenant);
    if (token === undefined) return undefined;
    payload = { lrs_endpoint: tenant.lrsEndpoint, lrs_token: token };
  } else {
    deps.log.warn('tenant has an LRS endpoint but no credentials; create goes on without meta_secret-lrs-payload', { tenant: tenant.id });
    return undefined;
  }
  return encryptLrsPayload(JSON.stringify(payload), serverSecret);
}
