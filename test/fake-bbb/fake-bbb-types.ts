/** Shared types of the fake BigBlueButton server (re-exported by fake-bbb-server.ts). */

export type Algorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface RecordedRequest {
  method: string;
  /** e.g. '/bigbluebutton/api/create' (without the query string). */
  path: string;
  /** API name after /bigbluebutton/api/ ('' for the index); for paths outside the API: the path itself. */
  call: string;
  /** Exactly as received, without the leading '?'. */
  rawQuery: string;
  /** Decoded query params (x-www-form-urlencoded semantics, '+' = space); last wins. */
  params: Record<string, string>;
  /** Decoded param names in arrival order (every occurrence, including 'checksum'). */
  paramOrder: string[];
  /** Raw request body ('' if none). */
  body: string;
  contentType: string | undefined;
  /** Verified like BBB; true for the index call, false for paths outside the API. */
  checksumValid: boolean;
  /** Detected from the checksum length (set even when the checksum is wrong). */
  algorithm?: Algorithm;
  /** Date.now() when received. */
  at: number;
}

export interface FakeAttendee {
  userID: string;
  fullName: string;
  role: 'MODERATOR' | 'VIEWER';
  isPresenter?: boolean;
  isListeningOnly?: boolean;
  hasJoinedVoice?: boolean;
  hasVideo?: boolean;
  clientType?: string;
}

export interface FakeMeeting {
  meetingID: string;
  meetingName: string;
  internalMeetingID: string;
  /** 'bbb-none' unless a breakout room. */
  parentMeetingID: string;
  attendeePW: string;
  moderatorPW: string;
  createTime: number;
  createDate: string;
  voiceBridge: string;
  dialNumber: string;
  duration: number;
  record: boolean;
  isBreakout: boolean;
  /** meta_ keys lower-cased, without 'meta_'. */
  metadata: Record<string, string>;
  attendees: FakeAttendee[];
  startTime: number;
  endTime: number;
  hasBeenForciblyEnded: boolean;
  /** Decoded create params (without 'checksum'). */
  createParams: Record<string, string>;
}

export interface FakeBbbOptions {
  secret?: string;
  /** Default '3.0.4'; '' renders an empty <bbbVersion> element. */
  bbbVersion?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default true. */
  joinAddsAttendee?: boolean;
  /** Clock for createTime/startTime/endTime (default Date.now). */
  now?: () => number;
}

export type FaultMode = 'http500' | 'garbage' | 'reset' | 'failed';
