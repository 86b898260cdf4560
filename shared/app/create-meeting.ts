import { errors } from '../domain/api-error.js';
import { isValidMeetingId } from '../domain/meeting-id.js';
import { presentParam, type Params } from '../domain/params.js';
import { mergeParams, passThrough } from '../domain/merge-params.js';
import { effectiveServerTag } from '../domain/placement.js';
import { asXmlDocument, callServer } from './call-server.js';
import { capDuration, captureCallbacks } from './create-params.js';
import type { Deps } from './deps.js';
import { placeMeeting } from './place-meeting.js';

export interface CreateInput {
  params: Params;
  /** an XML body (pre-uploaded slides): forwarded as a POST */
  body?: string;
}

export interface CallResult {
  xml: string;
  meetingID?: string;
  serverId?: string;
}

/** BBB `create` through the balancer (reference §2.1), with our one-meeting-one-server placement. */
export async function createMeeting(deps: Deps, input: CreateInput): Promise<CallResult> {
  const { config } = deps;
  const params: Params = new Map(input.params);
  const meetingID = presentParam(params, 'meetingID');
  if (!meetingID) throw errors.missingMeetingId();
  if (!isValidMeetingId(meetingID)) throw errors.invalidMeetingId();

  const tag = effectiveServerTag(config.overrideCreateServerTag, params.get('meta_server-tag'), config.defaultCreateServerTag);
  params.set('meta_server-tag', tag ?? null);
  const callbacks = captureCallbacks(params, config);

  const { meeting, server, placedNow } = await placeMeeting(deps, { meetingID, tag, params, callbacks });

  if (placedNow) params.set('moderatorPW', meeting.moderatorPW);
  params.set('voiceBridge', meeting.voiceBridge);
  if (server.tag) params.set('meta_server-tag', server.tag);
  else params.delete('meta_server-tag');
  capDuration(params, config.maxMeetingDuration);

  const forwarded = mergeParams({
    envDefaults: config.defaultCreateParams,
    request: passThrough(params, config.createExcludeParams),
    envOverrides: config.overrideCreateParams,
  });
  const res = await callServer(deps, server, 'create', forwarded, 'Unable to create meeting on server.', input.body);
  return { xml: asXmlDocument(res.body), meetingID, serverId: server.id };
}
