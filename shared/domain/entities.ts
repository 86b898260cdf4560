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
}

export const multiplierOf = (s: Pick<Server, 'loadMultiplier'>): number => s.loadMultiplier ?? 1;

/** Enabled, online and polled: a server that may receive new meetings. */
export const isSelectable = (s: Server): boolean => s.state === 'enabled' && s.online && s.load !== undefined;

/** Joins and proxied calls may go to enabled and cordoned servers that are online. */
export const isUsable = (s: Server): boolean => s.state !== 'disabled' && s.online;

/** The balancer's record of a meeting: which server holds it, and what it needs to answer for it. */
export interface Meeting {
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
  /** epoch seconds; a meeting past it is treated as absent */
  expiresAt: number;
  /** the `<meeting>` element as the server last reported it (poller) */
  info?: string;
  /** the client's `meta_analytics-callback-url`, relayed by analytics_callback */
  analyticsCallbackUrl?: string;
  /** the client's recording-ready callback URL */
  recordingReadyUrl?: string;
}

export const isLive = (m: Meeting, nowMs: number): boolean => m.expiresAt * 1000 > nowMs;
