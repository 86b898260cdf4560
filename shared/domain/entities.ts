export type ServerState = 'enabled' | 'cordoned' | 'disabled';

/** A BBB server: config attributes (admin-owned) and poll attributes (poller-owned). */
export interface Server {
  id: string;
  url: string;
  secret: string;
  state: ServerState;
  /** undefined when never set (treated as 1.0) */
  loadMultiplier?: number;
  tag?: string;
  /**
   * the most users placement puts on the server (admin-owned; undefined = no limit): a create is placed
   * elsewhere when its expected size does not fit beside the users and reservations already there
   */
  capacity?: number;
  // poller-owned
  online: boolean;
  /** undefined = unavailable (never polled, offline, or disabled) */
  load?: number;
  meetings: number;
  users: number;
  largestMeeting: number;
  videos: number;
  bbbVersion?: string;
  healthyCounter: number;
  unhealthyCounter: number;
  polledAt?: number;
  /** why the last poll failed (`<reason>: <error>`, e.g. `refused: connect ECONNREFUSED …`); removed by a successful poll */
  pollError?: string;
}

export const multiplierOf = (s: Pick<Server, 'loadMultiplier'>): number => s.loadMultiplier ?? 1;

/** Enabled, online and polled: a server that may receive new meetings. */
export const isSelectable = (s: Server): boolean => s.state === 'enabled' && s.online && s.load !== undefined;

/** Joins and proxied calls may go to enabled and cordoned servers that are online. */
export const isUsable = (s: Server): boolean => s.state !== 'disabled' && s.online;

/**
 * The balancer's record of a meeting: which server holds it, and what create, join and isMeetingRunning
 * need — a small item (DESIGN §4.10). The bulky `<meeting>` snapshot the poller takes lives apart
 * (`MeetingInfo`). Keyed by `bbbMeetingId(tenantId, meetingID)`.
 */
export interface Meeting {
  /** the front-end's meetingID */
  meetingID: string;
  serverId: string;
  tenantId?: string;
  moderatorPW: string;
  attendeePW?: string;
  voiceBridge: string;
  name?: string;
  duration?: number;
  metadata?: Record<string, string>;
  /** epoch ms */
  createdAt: number;
  /**
   * epoch ms of the latest create forwarded for this meeting (new or existing): the poller never takes a
   * meeting for ended within its grace period after a create, so a session restarted on BBB survives a
   * poll that was answered before BBB processed the new create
   */
  lastCreateAt?: number;
  /** epoch seconds; a meeting past it is treated as absent */
  expiresAt: number;
  /** epoch ms when `end` was called: absent to lookups; the poller removes the record */
  endedAt?: number;
  /**
   * the size the create expected (`meta_expected-participants`, else `maxParticipants`): the poller keeps
   * the meeting's young weight at least this while it is younger than LOAD_JOIN_BUFFER_TIME
   */
  expectedParticipants?: number;
  /** identifies one placement: the create that wrote it knows it placed the meeting */
  placementId?: string;
  /** hash of the snapshot last written to the meeting's MeetingInfo (poller) */
  infoHash?: string;
  /** the client's `meta_analytics-callback-url`, relayed by analytics_callback */
  analyticsCallbackUrl?: string;
  /** the client's recording-ready callback URL */
  recordingReadyUrl?: string;
}

/** The `<meeting>` element a server last reported for a meeting (poller), served by getMeetings. */
export interface MeetingInfo {
  meetingID: string;
  tenantId?: string;
  /** the server that reported it: shown only while the meeting is still placed there */
  serverId: string;
  xml: string;
  expiresAt: number;
}

export const isLive = (m: Meeting, nowMs: number): boolean => m.expiresAt * 1000 > nowMs && m.endedAt === undefined;
