/** A breakout room's parent, as the poller reads it from one getMeetings answer (the usage ledger bills rooms to it). */
import { describe, expect, it } from 'vitest';
import { parseMeetings } from '../../shared/bbb/parse-meetings.js';
import { buildMeeting } from '../fake-bbb/bbb-meetings.js';
import { meetingsXml } from '../fake-bbb/bbb-xml.js';

const T = Date.UTC(2026, 0, 5, 10, 0, 0);

describe('breakoutOf', () => {
  it("names the parent's meetingID, found by the internal id BBB gives as the room's parentMeetingID", () => {
    const parent = buildMeeting({ meetingID: 'tenant-1~class', createTime: T }, T);
    const other = buildMeeting({ meetingID: 'other', createTime: T }, T);
    const room = buildMeeting({ meetingID: '0a1b2c-1767607200000', createTime: T + 1, isBreakout: true, parentMeetingID: parent.internalMeetingID }, T);
    const [p, o, r] = parseMeetings(meetingsXml([parent, other, room]));
    expect(r).toMatchObject({ meetingID: '0a1b2c-1767607200000', isBreakout: true, breakoutOf: 'tenant-1~class' });
    expect(p.breakoutOf).toBeUndefined();
    expect(o.breakoutOf).toBeUndefined();
  });

  it('is absent when the parent is not in the answer, or for a meeting that is no breakout room', () => {
    const orphan = buildMeeting({ meetingID: 'room', createTime: T, isBreakout: true, parentMeetingID: 'gone-internal-id' }, T);
    const plain = buildMeeting({ meetingID: 'plain', createTime: T, parentMeetingID: 'bbb-none' }, T);
    const [a, b] = parseMeetings(meetingsXml([orphan, plain]));
    expect(a.isBreakout).toBe(true);
    expect(a.breakoutOf).toBeUndefined();
    expect(b.breakoutOf).toBeUndefined();
  });
});
