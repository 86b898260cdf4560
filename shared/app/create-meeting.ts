import { errors } from '../domain/api-error.js';
import { withFrontendMeetingId } from '../domain/frontend-ids.js';
import { bbbMeetingId, isValidMeetingId } from '../domain/meeting-id.js';
import { presentParam, type Params } from '../domain/params.js';
import { mergeParams, passThrough } from '../domain/merge-params.js';
import { effectiveServerTag } from '../domain/placement.js';
import type { TenantWithSettings } from '../store/tenant-repo.js';
import { asXmlDocument, callServer } from './call-server.js';
import { capDuration, captureCallbacks, isSizeHintParam, takeSizeHint } from './create-params.js';
import { REQUEST_DEADLINE_MS } from './deadline.js';
import type { Deps } from './deps.js';
import { lrsPayload } from './lrs-payload.js';
import { placeMeeting } from './place-meeting.js';
import { admitPlacedMeeting } from './tenant-limits.js';
import { tenantLayers } from './tenant-params.js';

export interface CreateInput {
  params: Params;
  /** an XML body (pre-uploaded slides): forwarded as a POST */
  body?: string;
  /** the request's tenant (multitenant mode) */
  tenant?: TenantWithSettings;
  /** `<scheme>://<host>[:port]` the request addressed; the analytics-callback URL's base when URL_HOST is unset */
  origin?: string;
}

export interface CallResult {
  xml: string;
  meetingID?: string;
  serverId?: string;
}

/**
 * Where BBB posts analytics: `https://<tenant>.<URL_HOST>` or `https://<URL_HOST>` (as Scalelite); when
 * URL_HOST is unset, the scheme, host and port the request addressed (a local stack on http://…:3000).
 */
function callbackBase(urlHost: string, tenant: TenantWithSettings | undefined, origin: string | undefined): string {
  if (!urlHost) return origin ?? '';
  return `https://${tenant ? `${tenant.name}.${urlHost}` : urlHost}`;
}

/** BBB `create` through the balancer (reference §2.1), with our one-meeting-one-server placement. */
export async function createMeeting(deps: Deps, input: CreateInput): Promise<CallResult> {
  const { config } = deps;
  const { tenant } = input;
  // one deadline for the request's BBB calls; the create itself keeps its full timeouts, the calls
  // before it (a cordoned server's isMeetingRunning, a Keycloak token) share what is left
  const deadline = deps.clock() + REQUEST_DEADLINE_MS;
  const beforeCreate = deadline - (config.connectTimeoutMs + config.responseTimeoutMs);
  const params: Params = new Map(input.params);
  const meetingID = presentParam(params, 'meetingID');
  if (!meetingID) throw errors.missingMeetingId();
  if (!isValidMeetingId(meetingID)) throw errors.invalidMeetingId();

  const layers = tenantLayers(tenant);
  const tag = effectiveServerTag(
    layers.overrideServerTag,
    config.overrideCreateServerTag,
    params.get('meta_server-tag'),
    layers.defaultServerTag,
    config.defaultCreateServerTag,
  );
  params.set('meta_server-tag', tag ?? null);
  const callbacks = captureCallbacks(params, callbackBase(config.urlHost, tenant, input.origin));

  const hint = takeSizeHint(params); // meta_expected-participants: ours, never forwarded (issue 16)
  if (hint.ignored !== undefined) deps.log.info('create: meta_expected-participants ignored (not a positive integer)', { meetingID, value: hint.ignored.slice(0, 40) });
  const { meeting, server, placedNow } = await placeMeeting(deps, { meetingID, tenantId: tenant?.id, tenantName: tenant?.name, tag, params, callbacks, deadline: beforeCreate, expected: hint.expected });
  if (placedNow) await admitPlacedMeeting(deps, tenant, meeting); // a limited tenant's meeting count (issue 16)

  // the stored password reaches BBB whenever the client sends none, also for an existing meeting: a
  // session started again on BBB (or a create retried after a failure) must not get a password we don't know
  if (placedNow || presentParam(params, 'moderatorPW') === undefined) params.set('moderatorPW', meeting.moderatorPW);
  params.set('voiceBridge', meeting.voiceBridge);
  if (tenant) {
    params.set('meta_tenant-id', tenant.id);
    params.set('meta_tenant-name', tenant.name);
  }
  if (server.tag) params.set('meta_server-tag', server.tag);
  else params.delete('meta_server-tag');
  capDuration(params, config.maxMeetingDuration);
  if (tenant?.lrsEndpoint) {
    const payload = await lrsPayload(deps, tenant, server.secret, beforeCreate);
    if (payload !== undefined) params.set('meta_secret-lrs-payload', payload);
  }

  const forwarded = mergeParams({
    envDefaults: config.defaultCreateParams,
    tenantDefaults: layers.defaults,
    request: passThrough(params, config.createExcludeParams),
    envOverrides: config.overrideCreateParams,
    tenantOverrides: layers.overrides,
  });
  forwarded.set('meetingID', bbbMeetingId(tenant?.id, meetingID)); // after the settings: no layer renames the meeting
  for (const key of [...forwarded.keys()]) if (isSizeHintParam(key)) forwarded.delete(key); // nor from a settings layer
  const res = await callServer(deps, server, 'create', forwarded, 'Unable to create meeting on server.', input.body, deadline);
  return { xml: withFrontendMeetingId(asXmlDocument(res.body), tenant?.id, meetingID), meetingID, serverId: server.id };
}
