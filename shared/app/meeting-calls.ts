import { errors } from '../domain/api-error.js';
import { isUsable, type Meeting, type Server } from '../domain/entities.js';
import { mergeParams, passThrough } from '../domain/merge-params.js';
import { presentParam, type Params } from '../domain/params.js';
import { withFrontendMeetingId } from '../domain/frontend-ids.js';
import { bbbMeetingId, isValidMeetingId } from '../domain/meeting-id.js';
import { el, renderXml } from '../domain/xml.js';
import type { Tenant, TenantWithSettings } from '../store/tenant-repo.js';
import { asXmlDocument, callServer } from './call-server.js';
import type { CallResult } from './create-meeting.js';
import { REQUEST_DEADLINE_MS } from './deadline.js';
import type { Deps } from './deps.js';
import { tenantLayers } from './tenant-params.js';
import { admitJoin } from './tenant-limits.js';

interface Located {
  /** the front-end's meetingID */
  meetingID: string;
  /** the id the meeting's BBB server knows (namespaced by tenant) */
  bbbId: string;
  meeting?: Meeting;
  server?: Server;
}

/**
 * One GetItem for the meeting; its server comes from the snapshot. Meetings are keyed within their
 * tenant, so another tenant's meeting of the same meetingID is never found.
 */
async function locate(deps: Deps, params: Params, tenant: Tenant | undefined): Promise<Located> {
  const meetingID = presentParam(params, 'meetingID');
  if (!meetingID) throw errors.missingMeetingId();
  const bbbId = bbbMeetingId(tenant?.id, meetingID);
  if (!isValidMeetingId(meetingID)) return { meetingID, bbbId }; // no such meeting can exist
  const meeting = await deps.store.meetings.get({ meetingID, tenantId: tenant?.id }, deps.clock());
  if (!meeting) return { meetingID, bbbId };
  const server = await deps.registry.server(meeting.serverId);
  return { meetingID, bbbId, meeting, server };
}

const one = (bbbId: string): Params => new Map([['meetingID', bbbId]]);
const deadline = (deps: Deps) => deps.clock() + REQUEST_DEADLINE_MS;

/** `join`: a 302 to the meeting's server with the pass-through parameters, signed with its secret. */
export async function joinMeeting(
  deps: Deps,
  params: Params,
  tenant?: TenantWithSettings,
): Promise<{ location: string; meetingID: string; serverId: string }> {
  const { meetingID, bbbId, meeting, server } = await locate(deps, params, tenant);
  if (!meeting || !server) throw errors.meetingNotFound();
  if (!isUsable(server)) throw errors.serverUnavailable();
  await admitJoin(deps, tenant); // a limited tenant's participants: one conditional write (issue 16)
  const layers = tenantLayers(tenant);
  const forwarded = mergeParams({
    envDefaults: deps.config.defaultJoinParams,
    tenantDefaults: layers.defaults,
    request: passThrough(params, deps.config.joinExcludeParams),
    envOverrides: deps.config.overrideJoinParams,
    tenantOverrides: layers.overrides,
  });
  forwarded.set('meetingID', bbbId);
  return { location: deps.bbb.url(server, 'join', forwarded), meetingID, serverId: server.id };
}

export const NOT_RUNNING_XML = renderXml(el('response', el('returncode', 'SUCCESS'), el('running', 'false')));

/** `isMeetingRunning`: unknown meetings are simply not running. */
export async function isMeetingRunning(deps: Deps, params: Params, tenant?: Tenant): Promise<CallResult> {
  const { meetingID, bbbId, meeting, server } = await locate(deps, params, tenant);
  // A meeting on an offline or disabled server cannot be joined (serverUnavailable) and the next create
  // re-places it: for the front-end it is not running, and asking a dead server would only time out.
  if (!meeting || !server || !isUsable(server)) return { xml: NOT_RUNNING_XML, meetingID, serverId: server?.id };
  const res = await callServer(deps, server, 'isMeetingRunning', one(bbbId), 'Unable to access meeting on server.', undefined, deadline(deps));
  return { xml: asXmlDocument(res.body), meetingID, serverId: server.id };
}

/** `getMeetingInfo`: proxied with only the meetingID (other client parameters are not forwarded). */
export async function getMeetingInfo(deps: Deps, params: Params, tenant?: Tenant): Promise<CallResult> {
  const { meetingID, bbbId, meeting, server } = await locate(deps, params, tenant);
  if (!meeting || !server) throw errors.meetingNotFound();
  const res = await callServer(deps, server, 'getMeetingInfo', one(bbbId), 'Unable to access meeting on server.', undefined, deadline(deps));
  return { xml: withFrontendMeetingId(asXmlDocument(res.body), tenant?.id, meetingID), meetingID, serverId: server.id };
}

/**
 * `end`: the record is marked ended before BBB is asked, so a failed end still frees the meetingID (the
 * next create places it afresh); the poller removes the record and its snapshot.
 */
export async function endMeeting(deps: Deps, params: Params, tenant?: Tenant): Promise<CallResult> {
  const { meetingID, bbbId, meeting, server } = await locate(deps, params, tenant);
  if (!meeting) throw errors.meetingNotFound();
  await deps.store.meetings.markEnded(meeting, meeting.serverId, deps.clock());
  if (!server) throw errors.meetingNotFound();
  const forwarded: Params = new Map([
    ['meetingID', bbbId],
    ['password', params.get('password') ?? null],
  ]);
  const res = await callServer(deps, server, 'end', forwarded, 'Unable to access meeting on server.', undefined, deadline(deps));
  return { xml: asXmlDocument(res.body), meetingID, serverId: server.id };
}

/** `insertDocument`: the XML body is forwarded as a POST (an empty body as a GET). */
export async function insertDocument(deps: Deps, params: Params, body: string, tenant?: Tenant): Promise<CallResult> {
  const { meetingID, bbbId, meeting, server } = await locate(deps, params, tenant);
  if (!meeting || !server) throw errors.meetingNotFound();
  const res = await callServer(deps, server, 'insertDocument', one(bbbId), 'Unable to insert document on server.', body === '' ? undefined : body, deadline(deps));
  return { xml: asXmlDocument(res.body), meetingID, serverId: server.id };
}
