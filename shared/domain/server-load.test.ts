import { describe, expect, it } from 'vitest';
import { committedUsers, pendingMeetingWeight, serverStats, youngMeetingWeight, type MeetingSample } from './server-load.js';

const NOW = Date.UTC(2024, 0, 1, 12, 0, 0);
const MIN = 60_000;
const SETTINGS = { loadMinUserCount: 15, loadJoinBufferTime: 15 };

function meeting(over: Partial<MeetingSample>): MeetingSample {
  return { meetingID: 'm', createTime: NOW - 60 * MIN, participantCount: 0, moderatorCount: 0, videoCount: 0, isBreakout: false, ...over };
}

describe('serverStats', () => {
  it('is all zero for no meetings', () => {
    expect(serverStats([], NOW, SETTINGS, 1)).toEqual({ load: 0, meetings: 0, users: 0, largestMeeting: 0, videos: 0 });
  });

  it('counts a young meeting as at least LOAD_MIN_USER_COUNT', () => {
    const young = meeting({ createTime: NOW - 5 * MIN, participantCount: 2, moderatorCount: 1 });
    expect(serverStats([young], NOW, SETTINGS, 1).load).toBe(15);
  });

  it('counts a young meeting with more participants than the minimum by its participants', () => {
    const young = meeting({ createTime: NOW - 1 * MIN, participantCount: 20, moderatorCount: 2 });
    expect(serverStats([young], NOW, SETTINGS, 1).load).toBe(20);
  });

  it('counts an old meeting by its participants only', () => {
    const old = meeting({ createTime: NOW - 16 * MIN, participantCount: 2, moderatorCount: 1 });
    expect(serverStats([old], NOW, SETTINGS, 1).load).toBe(2);
  });

  it('stops applying the floor exactly LOAD_JOIN_BUFFER_TIME after creation', () => {
    const atEdge = meeting({ createTime: NOW - 15 * MIN, participantCount: 1 });
    const justInside = meeting({ createTime: NOW - 15 * MIN + 1000, participantCount: 1 });
    expect(serverStats([atEdge], NOW, SETTINGS, 1).load).toBe(1);
    expect(serverStats([justInside], NOW, SETTINGS, 1).load).toBe(15);
  });

  it('honours the settings', () => {
    const m = meeting({ createTime: NOW - 20 * MIN, participantCount: 1 });
    expect(serverStats([m], NOW, { loadMinUserCount: 5, loadJoinBufferTime: 30 }, 1).load).toBe(5);
    expect(serverStats([m], NOW, { loadMinUserCount: 5, loadJoinBufferTime: 10 }, 1).load).toBe(1);
    expect(serverStats([meeting({ createTime: NOW, participantCount: 3 })], NOW, { loadMinUserCount: 0, loadJoinBufferTime: 15 }, 1).load).toBe(3);
  });

  it('counts moderators once (participantCount already includes them)', () => {
    const old = meeting({ participantCount: 10, moderatorCount: 4 });
    expect(serverStats([old], NOW, SETTINGS, 1).load).toBe(10);
  });

  it('excludes breakout rooms from the load but includes them in the statistics', () => {
    const main = meeting({ meetingID: 'main', participantCount: 4, videoCount: 1 });
    const breakout = meeting({ meetingID: 'room-1', createTime: NOW - MIN, participantCount: 6, videoCount: 2, isBreakout: true });
    expect(serverStats([main, breakout], NOW, SETTINGS, 1)).toEqual({ load: 4, meetings: 2, users: 10, largestMeeting: 6, videos: 3 });
  });

  it('sums meetings and multiplies the load (only) by the load multiplier', () => {
    const samples = [
      meeting({ meetingID: 'a', participantCount: 3, videoCount: 1 }),
      meeting({ meetingID: 'b', createTime: NOW - MIN, participantCount: 1 }),
      meeting({ meetingID: 'c', participantCount: 7, videoCount: 4 }),
    ];
    expect(serverStats(samples, NOW, SETTINGS, 1)).toEqual({ load: 3 + 15 + 7, meetings: 3, users: 11, largestMeeting: 7, videos: 5 });
    expect(serverStats(samples, NOW, SETTINGS, 2.5)).toEqual({ load: 2.5 * 25, meetings: 3, users: 11, largestMeeting: 7, videos: 5 });
    expect(serverStats(samples, NOW, SETTINGS, 0).load).toBe(0);
  });

  it('gives an empty old meeting no load (a cordoned server can drain)', () => {
    expect(serverStats([meeting({ participantCount: 0 })], NOW, SETTINGS, 1)).toEqual({
      load: 0,
      meetings: 1,
      users: 0,
      largestMeeting: 0,
      videos: 0,
    });
  });
});

describe('serverStats with meetings placed but not listed yet', () => {
  it('counts each as a young meeting (LOAD_MIN_USER_COUNT, at least 1), times the multiplier, outside the statistics', () => {
    const old = meeting({ participantCount: 3 });
    expect(serverStats([old], NOW, SETTINGS, 1, 2)).toEqual({ load: 3 + 2 * 15, meetings: 1, users: 3, largestMeeting: 3, videos: 0 });
    expect(serverStats([], NOW, SETTINGS, 2, 1).load).toBe(30);
    expect(serverStats([], NOW, { loadMinUserCount: 0, loadJoinBufferTime: 15 }, 1, 1).load).toBe(1);
    expect(pendingMeetingWeight({ loadMinUserCount: 15 })).toBe(15);
  });
});

describe('size hints (issue 16)', () => {
  it('a young meeting weighs max(LOAD_MIN_USER_COUNT, expected), and at least 1', () => {
    expect(youngMeetingWeight(SETTINGS)).toBe(15);
    expect(youngMeetingWeight(SETTINGS, 80)).toBe(80);
    expect(youngMeetingWeight(SETTINGS, 5)).toBe(15);
    expect(youngMeetingWeight({ loadMinUserCount: 0 })).toBe(1);
    expect(youngMeetingWeight({ loadMinUserCount: 0 }, 0)).toBe(1);
    expect(pendingMeetingWeight(SETTINGS, 40)).toBe(40);
  });

  it('keeps a young listed meeting at its expected size until LOAD_JOIN_BUFFER_TIME has passed', () => {
    const hints = new Map([['big', 80]]);
    const young = meeting({ meetingID: 'big', createTime: NOW - 14 * MIN, participantCount: 3 });
    expect(serverStats([young], NOW, SETTINGS, 1, 0, hints).load).toBe(80);
    expect(serverStats([young], NOW, SETTINGS, 2, 0, hints).load).toBe(160);
    const fuller = meeting({ meetingID: 'big', createTime: NOW - MIN, participantCount: 90 });
    expect(serverStats([fuller], NOW, SETTINGS, 1, 0, hints).load).toBe(90);
    const old = meeting({ meetingID: 'big', createTime: NOW - 15 * MIN, participantCount: 3 });
    expect(serverStats([old], NOW, SETTINGS, 1, 0, hints).load).toBe(3);
    // a hint below the floor changes nothing; meetings without a hint keep the floor
    const small = meeting({ meetingID: 'small', createTime: NOW - MIN, participantCount: 1 });
    expect(serverStats([small], NOW, SETTINGS, 1, 0, new Map([['small', 4]])).load).toBe(15);
    expect(serverStats([small], NOW, SETTINGS, 1, 0, hints).load).toBe(15);
  });

  it('weighs each meeting placed but not listed yet by its hint (undefined: the floor)', () => {
    expect(serverStats([], NOW, SETTINGS, 1, [80, undefined, 3]).load).toBe(80 + 15 + 15);
    expect(serverStats([], NOW, SETTINGS, 1.5, [20]).load).toBe(30);
    expect(serverStats([], NOW, SETTINGS, 1, []).load).toBe(0);
  });

  it('committedUsers: the load in users (load ÷ multiplier); the measured users for a multiplier of 0', () => {
    expect(committedUsers(60, 1, 40)).toBe(60);
    expect(committedUsers(120, 2, 40)).toBe(60);
    expect(committedUsers(0, 0, 40)).toBe(40);
  });
});
