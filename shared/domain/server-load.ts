/** One meeting as a server's getMeetings reports it. */
export interface MeetingSample {
  meetingID: string;
  /** epoch ms */
  createTime: number;
  /** BBB's participantCount (moderators included) */
  participantCount: number;
  moderatorCount: number;
  videoCount: number;
  isBreakout: boolean;
}

export interface ServerStats {
  load: number;
  meetings: number;
  users: number;
  largestMeeting: number;
  videos: number;
}

export interface LoadSettings {
  loadMinUserCount: number;
  /** minutes */
  loadJoinBufferTime: number;
}

/** What a meeting that is placed but not yet listed by its server weighs: a young meeting's floor (at least 1). */
export const pendingMeetingWeight = (settings: Pick<LoadSettings, 'loadMinUserCount'>): number => Math.max(1, settings.loadMinUserCount);

/**
 * Scalelite's load formula with the moderator double count fixed: each non-breakout meeting counts its
 * participants (moderators once), at least LOAD_MIN_USER_COUNT while younger than LOAD_JOIN_BUFFER_TIME;
 * each of `pending` meetings placed on the server but not listed by it yet counts as a young meeting
 * (so a measurement taken before BBB lists a new meeting does not erase what its create reserved);
 * the sum is multiplied by the server's load multiplier. Statistics include breakout rooms.
 */
export function serverStats(samples: readonly MeetingSample[], nowMs: number, settings: LoadSettings, multiplier: number, pending = 0): ServerStats {
  const youngSince = nowMs - settings.loadJoinBufferTime * 60_000;
  let weighted = pending * pendingMeetingWeight(settings);
  let users = 0;
  let largest = 0;
  let videos = 0;
  for (const m of samples) {
    users += m.participantCount;
    largest = Math.max(largest, m.participantCount);
    videos += m.videoCount;
    if (m.isBreakout) continue;
    weighted += m.createTime > youngSince ? Math.max(m.participantCount, settings.loadMinUserCount) : m.participantCount;
  }
  return { load: weighted * multiplier, meetings: samples.length, users, largestMeeting: largest, videos };
}
