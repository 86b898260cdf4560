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

/**
 * A young meeting's weight in users: LOAD_MIN_USER_COUNT (at least 1), or the size its create expected
 * when that is larger. What a create reserves (× the multiplier), and what a meeting placed but not yet
 * listed by its server weighs.
 */
export const youngMeetingWeight = (settings: Pick<LoadSettings, 'loadMinUserCount'>, expected?: number): number =>
  Math.max(1, settings.loadMinUserCount, expected !== undefined && expected > 0 ? expected : 0);

/** What a meeting that is placed but not yet listed by its server weighs (its hint, else the floor). */
export const pendingMeetingWeight = (settings: Pick<LoadSettings, 'loadMinUserCount'>, expected?: number): number => youngMeetingWeight(settings, expected);

/**
 * The users a server holds as placement counts them — the users measured at its last poll, each young
 * meeting at its reservation, and the reservations made since — in users: its load ÷ its multiplier.
 * A multiplier of 0 (legacy: every load is 0) falls back to the measured users.
 */
export function committedUsers(load: number, multiplier: number, users: number): number {
  return multiplier > 0 ? load / multiplier : users;
}

/**
 * Scalelite's load formula with the moderator double count fixed: each non-breakout meeting counts its
 * participants (moderators once), at least LOAD_MIN_USER_COUNT while younger than LOAD_JOIN_BUFFER_TIME
 * — or at least the size its create expected (`hints`, by the id the server reports) when that is larger;
 * each meeting placed on the server but not listed by it yet (`pending`: a count, or the expected size of
 * each, undefined for none) counts as a young meeting (so a measurement taken before BBB lists a new
 * meeting does not erase what its create reserved); the sum is multiplied by the server's load
 * multiplier. Statistics include breakout rooms.
 */
export function serverStats(
  samples: readonly MeetingSample[],
  nowMs: number,
  settings: LoadSettings,
  multiplier: number,
  pending: number | readonly (number | undefined)[] = 0,
  hints?: ReadonlyMap<string, number>,
): ServerStats {
  const youngSince = nowMs - settings.loadJoinBufferTime * 60_000;
  let weighted = typeof pending === 'number' ? pending * pendingMeetingWeight(settings) : pending.reduce<number>((n, e) => n + pendingMeetingWeight(settings, e), 0);
  let users = 0;
  let largest = 0;
  let videos = 0;
  for (const m of samples) {
    users += m.participantCount;
    largest = Math.max(largest, m.participantCount);
    videos += m.videoCount;
    if (m.isBreakout) continue;
    if (m.createTime <= youngSince) weighted += m.participantCount;
    else weighted += Math.max(m.participantCount, settings.loadMinUserCount, hints?.get(m.meetingID) ?? 0);
  }
  return { load: weighted * multiplier, meetings: samples.length, users, largestMeeting: largest, videos };
}
