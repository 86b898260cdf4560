import { isUsable, type Meeting } from '../domain/entities.js';
import { compactXml, el, renderXml } from '../domain/xml.js';
import type { Deps } from './deps.js';

export const NO_MEETINGS_XML = renderXml(
  el('response', el('returncode', 'SUCCESS'), el('messageKey', 'noMeetings'), el('message', 'no meetings were found on this server'), el('meetings')),
);

/** What we know of a meeting the poller has not reported yet, in BBB's `<meeting>` shape. */
export function meetingElement(m: Meeting): string {
  const created = new Date(m.createdAt);
  const metadata = Object.entries(m.metadata ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k))
    .map(([k, v]) => el(k, v));
  return compactXml(
    el(
      'meeting',
      el('meetingName', m.name ?? m.meetingID),
      el('meetingID', m.meetingID),
      el('internalMeetingID'),
      el('createTime', String(m.createdAt)),
      el('createDate', created.toUTCString()),
      el('voiceBridge', m.voiceBridge),
      el('dialNumber'),
      el('attendeePW', m.attendeePW ?? ''),
      el('moderatorPW', m.moderatorPW),
      el('running', 'false'),
      el('duration', String(m.duration ?? 0)),
      el('hasUserJoined', 'false'),
      el('recording', 'false'),
      el('hasBeenForciblyEnded', 'false'),
      el('startTime', '0'),
      el('endTime', '0'),
      el('participantCount', '0'),
      el('listenerCount', '0'),
      el('voiceParticipantCount', '0'),
      el('videoCount', '0'),
      el('maxUsers', '0'),
      el('moderatorCount', '0'),
      el('attendees'),
      el('metadata', ...metadata),
      el('isBreakout', 'false'),
    ),
  );
}

/**
 * `getMeetings` from the store: the tenant's live meetings on usable servers, each as the poller last
 * saw it on its server (its MeetingInfo item, read by the same Query; front-end meetingIDs). No BBB server is called, so one dead server never fails the answer.
 */
export async function getMeetings(deps: Deps, tenantId?: string): Promise<string> {
  if (deps.config.getMeetingsApiDisabled) return NO_MEETINGS_XML;
  const [meetings, servers] = await Promise.all([deps.store.meetings.listWithInfoByTenant(tenantId, deps.clock()), deps.registry.listServers()]);
  const usable = new Set(servers.filter(isUsable).map((s) => s.id));
  const shown = meetings.filter(({ meeting }) => usable.has(meeting.serverId));
  if (shown.length === 0) return NO_MEETINGS_XML;
  return renderXml(el('response', el('returncode', 'SUCCESS'), el('meetings', ...shown.map(({ meeting, info }) => ({ raw: info?.xml ?? meetingElement(meeting) })))));
}
