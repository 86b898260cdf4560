/** Renders the XML documents a BigBlueButton server answers (compact, no XML declaration). */
import type { FakeAttendee, FakeMeeting } from './fake-bbb-types.js';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;');
}

/** A text element; '' renders as `<name></name>`. */
export function el(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A container element; no children renders as `<name/>`. */
export function container(name: string, children: string[]): string {
  return children.length === 0 ? `<${name}/>` : `<${name}>${children.join('')}</${name}>`;
}

export function responseXml(children: string[]): string {
  return `<response>${children.join('')}</response>`;
}

export function failedXml(messageKey: string, message: string): string {
  return responseXml([el('returncode', 'FAILED'), el('messageKey', messageKey), el('message', message)]);
}

export function versionXml(bbbVersion: string): string {
  return responseXml([
    el('returncode', 'SUCCESS'),
    el('version', '2.0'),
    el('apiVersion', '2.0'),
    el('bbbVersion', bbbVersion),
  ]);
}

export function createXml(m: FakeMeeting, messageKey: string, message: string): string {
  return responseXml([
    el('returncode', 'SUCCESS'),
    el('meetingID', m.meetingID),
    el('internalMeetingID', m.internalMeetingID),
    el('parentMeetingID', m.parentMeetingID),
    el('attendeePW', m.attendeePW),
    el('moderatorPW', m.moderatorPW),
    el('createTime', m.createTime),
    el('voiceBridge', m.voiceBridge),
    el('dialNumber', m.dialNumber),
    el('createDate', m.createDate),
    el('hasUserJoined', m.attendees.length > 0),
    el('duration', m.duration),
    el('hasBeenForciblyEnded', m.hasBeenForciblyEnded),
    el('messageKey', messageKey),
    el('message', message),
  ]);
}

function attendeeXml(a: FakeAttendee): string {
  return container('attendee', [
    el('userID', a.userID),
    el('fullName', a.fullName),
    el('role', a.role),
    el('isPresenter', a.isPresenter ?? false),
    el('isListeningOnly', a.isListeningOnly ?? false),
    el('hasJoinedVoice', a.hasJoinedVoice ?? false),
    el('hasVideo', a.hasVideo ?? false),
    el('clientType', a.clientType ?? 'HTML5'),
  ]);
}

/** The elements of getMeetingInfo after returncode (also each <meeting> of getMeetings). */
export function meetingBodyXml(m: FakeMeeting): string[] {
  const count = (pred: (a: FakeAttendee) => boolean | undefined) => m.attendees.filter(pred).length;
  const running = m.attendees.length > 0;
  const maxUsers = Number.parseInt(m.createParams.maxParticipants ?? '0', 10) || 0;
  const body = [
    el('meetingName', m.meetingName),
    el('meetingID', m.meetingID),
    el('internalMeetingID', m.internalMeetingID),
    el('createTime', m.createTime),
    el('createDate', m.createDate),
    el('voiceBridge', m.voiceBridge),
    el('dialNumber', m.dialNumber),
    el('attendeePW', m.attendeePW),
    el('moderatorPW', m.moderatorPW),
    el('running', running),
    el('duration', m.duration),
    el('hasUserJoined', running),
    el('recording', false),
    el('hasBeenForciblyEnded', m.hasBeenForciblyEnded),
    el('startTime', m.startTime),
    el('endTime', m.endTime),
    el('participantCount', m.attendees.length),
    el('listenerCount', count((a) => a.isListeningOnly)),
    el('voiceParticipantCount', count((a) => a.hasJoinedVoice)),
    el('videoCount', count((a) => a.hasVideo)),
    el('maxUsers', maxUsers),
    el('moderatorCount', count((a) => a.role === 'MODERATOR')),
    container('attendees', m.attendees.map(attendeeXml)),
    container('metadata', Object.entries(m.metadata).map(([k, v]) => el(k, v))),
    el('isBreakout', m.isBreakout),
  ];
  if (m.isBreakout) {
    body.push(container('breakout', [el('parentMeetingID', m.parentMeetingID), el('sequence', 1), el('freeJoin', false)]));
  }
  return body;
}

export function meetingInfoXml(m: FakeMeeting): string {
  return responseXml([el('returncode', 'SUCCESS'), ...meetingBodyXml(m)]);
}

export function meetingsXml(meetings: FakeMeeting[]): string {
  if (meetings.length === 0) {
    return responseXml([
      el('returncode', 'SUCCESS'),
      container('meetings', []),
      el('messageKey', 'noMeetings'),
      el('message', 'no meetings were found on this server'),
    ]);
  }
  return responseXml([
    el('returncode', 'SUCCESS'),
    container('meetings', meetings.map((m) => container('meeting', meetingBodyXml(m)))),
  ]);
}

export interface JoinXmlFields {
  meetingID: string;
  userID: string;
  authToken: string;
  sessionToken: string;
  url: string;
}

export function joinXml(f: JoinXmlFields): string {
  return responseXml([
    el('returncode', 'SUCCESS'),
    el('messageKey', 'successfullyJoined'),
    el('message', 'You have joined successfully.'),
    el('meeting_id', f.meetingID),
    el('user_id', f.userID),
    el('auth_token', f.authToken),
    el('session_token', f.sessionToken),
    el('guestStatus', 'ALLOW'),
    el('url', f.url),
  ]);
}
