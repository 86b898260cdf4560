/** The API calls of the fake BBB server: decoded params in, HTTP answer out (checksum already verified). */
import { randomBytes } from 'node:crypto';
import { buildAttendee, meetingFromCreateParams, randomUserID } from './bbb-meetings.js';
import { createXml, failedXml, joinXml, meetingInfoXml, meetingsXml, responseXml, el } from './bbb-xml.js';
import type { FakeAttendee, FakeMeeting } from './fake-bbb-types.js';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiContext {
  meetings: Map<string, FakeMeeting>;
  now(): number;
  /** '127.0.0.1:<port>', used for the join redirect. */
  host: string;
  joinAddsAttendee: boolean;
}

export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';

export function xmlAnswer(body: string): ApiAnswer {
  return { status: 200, headers: { 'Content-Type': XML_CONTENT_TYPE }, body };
}

const failed = (key: string, message: string) => xmlAnswer(failedXml(key, message));
const missingMeetingID = () => failed('missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
const notFound = () => failed('notFound', 'We could not find a meeting with that meeting ID');

export const END_MESSAGE =
  'A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo ' +
  'or isMeetingRunning API calls to verify that it was ended.';
export const DUPLICATE_MESSAGE = 'This conference was already in existence and may currently be in progress.';
export const INVALID_PASSWORD_MESSAGE =
  'You either did not supply a password or the password supplied is neither the attendee or moderator ' +
  'password for this conference.';

type Params = Record<string, string>;
type Handler = (ctx: ApiContext, params: Params) => ApiAnswer;

/** Looks up `meetingID`, answering missingParamMeetingID / notFound when it cannot. */
function withMeeting(fn: (ctx: ApiContext, m: FakeMeeting, params: Params) => ApiAnswer): Handler {
  return (ctx, params) => {
    if (!params.meetingID) return missingMeetingID();
    const meeting = ctx.meetings.get(params.meetingID);
    return meeting ? fn(ctx, meeting, params) : notFound();
  };
}

function create(ctx: ApiContext, params: Params): ApiAnswer {
  if (!params.meetingID) return missingMeetingID();
  const existing = ctx.meetings.get(params.meetingID);
  if (existing) return xmlAnswer(createXml(existing, 'duplicateWarning', DUPLICATE_MESSAGE));
  const meeting = meetingFromCreateParams(params, ctx.now());
  ctx.meetings.set(meeting.meetingID, meeting);
  return xmlAnswer(createXml(meeting, '', ''));
}

/** Role from `role` (case-insensitive) or else from `password`; undefined when neither grants one. */
function joinRole(m: FakeMeeting, params: Params): FakeAttendee['role'] | undefined {
  const role = (params.role ?? '').toUpperCase();
  if (role === 'MODERATOR' || role === 'VIEWER') return role;
  if (params.password === undefined) return undefined;
  if (params.password === m.moderatorPW) return 'MODERATOR';
  if (params.password === m.attendeePW) return 'VIEWER';
  return undefined;
}

/** Like Java's Boolean.parseBoolean: a non-empty `redirect` other than "true" means no redirect. */
function wantsRedirect(params: Params): boolean {
  const redirect = params.redirect;
  return redirect === undefined || redirect === '' || redirect.toLowerCase() === 'true';
}

function join(ctx: ApiContext, params: Params): ApiAnswer {
  if (!params.meetingID) return missingMeetingID();
  if (!params.fullName) return failed('missingParamFullName', 'You must specify a name for the attendee who will be joining the meeting.');
  const meeting = ctx.meetings.get(params.meetingID);
  if (!meeting) return notFound();
  const role = joinRole(meeting, params);
  if (!role) return failed('invalidPassword', INVALID_PASSWORD_MESSAGE);
  if (params.createTime !== undefined && params.createTime !== String(meeting.createTime)) {
    return failed('mismatchCreateTime', "The provided createTime does not match with the current meeting's createTime.");
  }
  const userID = params.userID || randomUserID();
  if (ctx.joinAddsAttendee) meeting.attendees.push(buildAttendee({ userID, fullName: params.fullName, role }));
  const sessionToken = randomBytes(8).toString('hex');
  const url = `http://${ctx.host}/html5client/join?sessionToken=${sessionToken}`;
  if (wantsRedirect(params)) return { status: 302, headers: { Location: url }, body: '' };
  const authToken = randomBytes(6).toString('hex');
  return xmlAnswer(joinXml({ meetingID: meeting.internalMeetingID, userID, authToken, sessionToken, url }));
}

function isMeetingRunning(ctx: ApiContext, params: Params): ApiAnswer {
  if (!params.meetingID) return missingMeetingID();
  const running = (ctx.meetings.get(params.meetingID)?.attendees.length ?? 0) > 0;
  return xmlAnswer(responseXml([el('returncode', 'SUCCESS'), el('running', running)]));
}

const getMeetingInfo = withMeeting((_ctx, m) => xmlAnswer(meetingInfoXml(m)));

function getMeetings(ctx: ApiContext): ApiAnswer {
  return xmlAnswer(meetingsXml([...ctx.meetings.values()]));
}

const end = withMeeting((ctx, m) => {
  m.hasBeenForciblyEnded = true;
  m.endTime = ctx.now();
  ctx.meetings.delete(m.meetingID);
  return xmlAnswer(responseXml([
    el('returncode', 'SUCCESS'),
    el('messageKey', 'sentEndMeetingRequest'),
    el('message', END_MESSAGE),
  ]));
});

const insertDocument = withMeeting(() =>
  xmlAnswer(responseXml([el('returncode', 'SUCCESS'), el('message', 'Presentation is being uploaded')])));

const HANDLERS: Record<string, Handler> = {
  create, join, isMeetingRunning, getMeetingInfo, getMeetings, end, insertDocument,
};

/** Answer an API call whose checksum was already verified. */
export function answerApiCall(ctx: ApiContext, call: string, params: Params): ApiAnswer {
  const handler = Object.hasOwn(HANDLERS, call) ? HANDLERS[call] : undefined;
  return handler ? handler(ctx, params) : failed('unsupportedRequest', 'This request is not supported.');
}

export function checksumErrorAnswer(): ApiAnswer {
  return failed('checksumError', 'Checksums do not match');
}
