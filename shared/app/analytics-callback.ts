import { SignJWT, jwtVerify } from 'jose';
import type { Tenant } from '../store/tenant-repo.js';
import type { Deps } from './deps.js';

export interface AnalyticsInput {
  /** the `Authorization` header BBB sent */
  authorization?: string;
  /** the request's parameters: the JSON body BBB posts (with `meeting_id`) and the query */
  params: Record<string, unknown>;
  /** the request's tenant (multitenant mode) */
  tenant?: Tenant;
}

export type AnalyticsOutcome = 'relayed' | 'noToken' | 'badToken' | 'noCallback' | 'otherTenant' | 'failed';

const DAY_S = 24 * 60 * 60;
const key = (secret: string) => new TextEncoder().encode(secret);

/** True when the token is an HS512 JWT signed with one of the secrets (and not expired). */
async function verifiedByAny(token: string, secrets: string[], nowMs: number): Promise<boolean> {
  for (const secret of secrets) {
    if (!secret) continue;
    try {
      await jwtVerify(token, key(secret), { algorithms: ['HS512'], currentDate: new Date(nowMs) });
      return true;
    } catch {
      // try the next secret
    }
  }
  return false;
}

/**
 * `analytics_callback` (reference §1.7): BBB posts a meeting's learning-analytics data with a JWT signed by
 * its secret; the data goes on to the URL the front-end gave at create, with `customer` added and a fresh
 * JWT (HS512, `exp` in 24 h) signed with each of the tenant's (or the LB) secrets in turn until one is
 * accepted (2xx). The URL is found by meetingID even after the meeting record is gone (BBB sends the data
 * after the meeting ended). Unlike Scalelite, a tenant's host only relays its own meetings.
 */
export async function relayAnalyticsCallback(deps: Deps, input: AnalyticsInput): Promise<{ outcome: AnalyticsOutcome; meetingID?: string }> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '')?.[1];
  if (!token) return { outcome: 'noToken' };
  const now = deps.clock();
  const servers = await deps.registry.listServers();
  if (!(await verifiedByAny(token, servers.map((s) => s.secret), now))) return { outcome: 'badToken' };

  const meetingID = typeof input.params.meeting_id === 'string' ? input.params.meeting_id : undefined;
  if (!meetingID) return { outcome: 'noCallback' };
  const target = await deps.store.meetings.findCallbacks(meetingID);
  const url = target?.analyticsCallbackUrl;
  if (!url || !/^https?:\/\//i.test(url)) return { outcome: 'noCallback', meetingID };
  const { tenant } = input;
  if (tenant && target.tenantId !== tenant.id) return { outcome: 'otherTenant', meetingID };

  const body = JSON.stringify({ ...input.params, customer: tenant?.name ?? 'scalelite' });
  const secrets = (tenant ? tenant.secrets : deps.config.loadbalancerSecrets).filter((s) => s !== '');
  for (const secret of secrets) {
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setExpirationTime(Math.floor(now / 1000) + DAY_S)
      .sign(key(secret));
    try {
      const res = await deps.http.post(url, body, {
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}`, 'User-Agent': 'BigBlueButton Analytics Callback' },
        connectTimeoutMs: deps.config.connectTimeoutMs,
        responseTimeoutMs: deps.config.responseTimeoutMs,
      });
      if (res.status >= 200 && res.status < 300) return { outcome: 'relayed', meetingID };
      deps.log.warn('analytics callback refused', { meetingID, status: res.status });
    } catch (e) {
      deps.log.warn('analytics callback failed', { meetingID, error: (e as Error).message });
    }
  }
  return { outcome: 'failed', meetingID };
}
