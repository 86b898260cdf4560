import { SignJWT, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { DestinationRefusedError } from '../net/safe-http.js';
import type { OutboundPostOptions } from '../net/outbound-http.js';
import type { CallbackTarget } from '../store/meeting-repo.js';
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

export type AnalyticsOutcome = 'relayed' | 'noToken' | 'badToken' | 'noCallback' | 'otherTenant' | 'refusedUrl' | 'failed';

const DAY_S = 24 * 60 * 60;
const key = (secret: string) => new TextEncoder().encode(secret);

/** Cheap checks before any read: an HS512 JWT that has not expired (the signature is checked later). */
function plausibleToken(token: string, nowMs: number): boolean {
  try {
    if (decodeProtectedHeader(token).alg !== 'HS512') return false;
    const { exp } = decodeJwt(token);
    return exp === undefined || exp * 1000 > nowMs;
  } catch {
    return false;
  }
}

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

/** The secrets the token must be signed with: the meeting's own server's; any known server's for records without a server. */
async function expectedSecrets(deps: Deps, target: CallbackTarget): Promise<string[]> {
  if (target.serverId === undefined) return (await deps.registry.listServers()).map((s) => s.secret);
  const server = await deps.registry.server(target.serverId);
  return server ? [server.secret] : [];
}

/**
 * `analytics_callback` (reference §1.7): BBB posts a meeting's learning-analytics data with a JWT signed by
 * its secret; the data goes on to the URL the front-end gave at create, with `customer` added, `meeting_id`
 * the front-end's id, and a fresh JWT (HS512, `exp` in 24 h) signed with each of the tenant's (or the LB)
 * secrets in turn until one is accepted (2xx). The URL is found by the id BBB posts even after the meeting
 * record is gone (BBB sends the data after the meeting ended). Unlike Scalelite: the token must be signed by
 * the meeting's own server, a tenant's host only relays its own meetings, and the URL must be https on a
 * public address (design §4 invariant 9; ALLOW_PRIVATE_CALLBACK_URLS lifts it). Never throws.
 */
export async function relayAnalyticsCallback(deps: Deps, input: AnalyticsInput): Promise<{ outcome: AnalyticsOutcome; meetingID?: string }> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(input.authorization ?? '')?.[1];
  if (!token) return { outcome: 'noToken' };
  const now = deps.clock();
  if (!plausibleToken(token, now)) return { outcome: 'badToken' };
  const bbbMeetingId = typeof input.params.meeting_id === 'string' ? input.params.meeting_id : undefined;
  if (!bbbMeetingId) return { outcome: 'noCallback' };
  let meetingID = bbbMeetingId;
  try {
    const target = await deps.store.meetings.findCallbacks(bbbMeetingId);
    if (!target) return { outcome: 'noCallback', meetingID };
    meetingID = target.meetingID;
    if (!(await verifiedByAny(token, await expectedSecrets(deps, target), now))) return { outcome: 'badToken', meetingID };
    const url = target.analyticsCallbackUrl;
    if (!url) return { outcome: 'noCallback', meetingID };
    const { tenant } = input;
    if (tenant && target.tenantId !== tenant.id) return { outcome: 'otherTenant', meetingID };

    const body = JSON.stringify({ ...input.params, meeting_id: meetingID, customer: tenant?.name ?? 'scalelite' });
    const secrets = (tenant ? tenant.secrets : deps.config.loadbalancerSecrets).filter((s) => s !== '');
    for (const secret of secrets) {
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
        .setExpirationTime(Math.floor(now / 1000) + DAY_S)
        .sign(key(secret));
      const options: OutboundPostOptions = {
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}`, 'User-Agent': 'BigBlueButton Analytics Callback' },
        connectTimeoutMs: deps.config.connectTimeoutMs,
        responseTimeoutMs: deps.config.responseTimeoutMs,
        tenantSupplied: true,
      };
      let status: number;
      try {
        status = (await deps.http.post(url, body, options)).status;
      } catch (e) {
        // refused, unreachable, too slow or too long an answer: another secret changes none of that
        const refused = e instanceof DestinationRefusedError;
        deps.log.warn(refused ? 'analytics callback URL refused' : 'analytics callback failed', { meetingID, error: (e as Error).message });
        return { outcome: refused ? 'refusedUrl' : 'failed', meetingID };
      }
      if (status >= 200 && status < 300) return { outcome: 'relayed', meetingID };
      deps.log.warn('analytics callback refused', { meetingID, status });
    }
    return { outcome: 'failed', meetingID };
  } catch (e) {
    deps.log.error('analytics callback failed', { meetingID, error: (e as Error).message });
    return { outcome: 'failed', meetingID };
  }
}
