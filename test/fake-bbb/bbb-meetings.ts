/** Builders for the fake server's meeting and attendee records, with BBB-like defaults. */
import { createHash, randomInt } from 'node:crypto';
import type { FakeAttendee, FakeMeeting } from './fake-bbb-types.js';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const DEFAULT_DIAL_NUMBER = '613-555-1234';

export function randomChars(length: number, alphabet: string = LOWER_ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function randomUserID(): string {
  return `w_${randomChars(12)}`;
}

/** Java's Date.toString() in UTC, e.g. `Wed Nov 25 18:38:06 UTC 2026`. */
export function formatCreateDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

export function internalMeetingIdFor(meetingID: string, createTime: number): string {
  return `${createHash('sha1').update(meetingID, 'utf8').digest('hex')}-${createTime}`;
}

/** `obj` without its undefined-valued keys (so spreading it never erases a default). */
function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A meeting with defaults filled in for everything `partial` leaves out. */
export function buildMeeting(partial: Partial<FakeMeeting> & { meetingID: string }, now: number): FakeMeeting {
  const createTime = partial.createTime ?? now;
  return {
    meetingName: partial.meetingID,
    internalMeetingID: internalMeetingIdFor(partial.meetingID, createTime),
    parentMeetingID: 'bbb-none',
    attendeePW: randomChars(8),
    moderatorPW: randomChars(8),
    createDate: formatCreateDate(createTime),
    voiceBridge: randomChars(5, '0123456789'),
    dialNumber: DEFAULT_DIAL_NUMBER,
    duration: 0,
    record: false,
    isBreakout: false,
    metadata: {},
    attendees: [],
    startTime: createTime,
    endTime: 0,
    hasBeenForciblyEnded: false,
    createParams: {},
    ...definedOnly(partial),
    meetingID: partial.meetingID,
    createTime,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The meeting BBB would create for these (decoded) create params. */
export function meetingFromCreateParams(params: Record<string, string>, now: number): FakeMeeting {
  const createParams: Record<string, string> = Object.fromEntries(
    Object.entries(params).filter(([k]) => k !== 'checksum'),
  );
  const metadata: Record<string, string> = Object.fromEntries(
    Object.entries(createParams)
      .filter(([k]) => k.toLowerCase().startsWith('meta_'))
      .map(([k, v]) => [k.slice(5).toLowerCase(), v]),
  );
  const isBreakout = (params.isBreakout ?? '').toLowerCase() === 'true';
  const duration = Number.parseInt(params.duration ?? '0', 10);
  const partial: Partial<FakeMeeting> & { meetingID: string } = {
    meetingID: params.meetingID,
    meetingName: nonEmpty(params.name) ?? params.meetingID,
    duration: Number.isFinite(duration) ? duration : 0,
    record: (params.record ?? '').toLowerCase() === 'true',
    isBreakout,
    metadata,
    createParams,
  };
  const optional: [keyof FakeMeeting, string | undefined][] = [
    ['attendeePW', nonEmpty(params.attendeePW)],
    ['moderatorPW', nonEmpty(params.moderatorPW)],
    ['voiceBridge', nonEmpty(params.voiceBridge)],
    ['dialNumber', nonEmpty(params.dialNumber)],
    ['parentMeetingID', isBreakout ? nonEmpty(params.parentMeetingID) : undefined],
  ];
  for (const [key, value] of optional) if (value !== undefined) Object.assign(partial, { [key]: value });
  return buildMeeting(partial, now);
}

let attendeeCounter = 0;

export function buildAttendee(partial: Partial<FakeAttendee>): FakeAttendee {
  attendeeCounter += 1;
  return {
    userID: randomUserID(),
    fullName: `User ${attendeeCounter}`,
    role: 'VIEWER',
    isPresenter: false,
    isListeningOnly: false,
    hasJoinedVoice: false,
    hasVideo: false,
    clientType: 'HTML5',
    ...definedOnly(partial),
  };
}
