import { describe, expect, it } from 'vitest';
import { BbbFailedError, BbbTransportError } from '../../shared/bbb/bbb-client.js';
import { MAX_INFO_BYTES, parseGetMeetings, parseMeetings } from '../../shared/bbb/parse-meetings.js';
import { buildAttendee, buildMeeting } from '../fake-bbb/bbb-meetings.js';
import { failedXml, meetingsXml } from '../fake-bbb/bbb-xml.js';

const T = Date.UTC(2026, 0, 5, 10, 0, 0);

describe('parseMeetings', () => {
  it('reads what the load formula needs from each <meeting>, with the element itself', () => {
    const main = buildMeeting({ meetingID: 'main & co', createTime: T }, T);
    main.attendees = [buildAttendee({ role: 'MODERATOR', hasVideo: true }), buildAttendee({ role: 'VIEWER' }), buildAttendee({ role: 'VIEWER' })];
    const room = buildMeeting({ meetingID: 'room-1', createTime: T + 1, isBreakout: true, parentMeetingID: main.internalMeetingID }, T);
    room.attendees = [buildAttendee({})];
    const [a, b] = parseMeetings(meetingsXml([main, room]));
    expect(a).toMatchObject({ meetingID: 'main & co', createTime: T, participantCount: 3, moderatorCount: 1, videoCount: 1, isBreakout: false });
    expect(b).toMatchObject({ meetingID: 'room-1', participantCount: 1, moderatorCount: 0, isBreakout: true });
    expect(a.xml).toMatch(/^<meeting><meetingName>main &amp; co<\/meetingName><meetingID>main &amp; co<\/meetingID>/);
    expect(a.xml).toContain('<moderatorCount>1</moderatorCount>');
    expect(a.xml).not.toContain('\n');
  });

  it('gives the same element for the same answer (so an unchanged meeting is not written again)', () => {
    const m = buildMeeting({ meetingID: 'same', createTime: T }, T);
    m.attendees = [buildAttendee({ fullName: 'A', userID: 'w_1' })];
    expect(parseMeetings(meetingsXml([m]))[0].xml).toBe(parseMeetings(meetingsXml([m]))[0].xml);
  });

  it('is empty for a server without meetings (noMeetings)', () => {
    expect(parseMeetings(meetingsXml([]))).toEqual([]);
    expect(parseMeetings('<response><returncode>SUCCESS</returncode></response>')).toEqual([]);
  });

  it('reads missing or non-numeric counts as 0', () => {
    const xml = '<response><returncode>SUCCESS</returncode><meetings><meeting><meetingID>x</meetingID><participantCount>n/a</participantCount></meeting></meetings></response>';
    expect(parseMeetings(xml)[0]).toMatchObject({ meetingID: 'x', createTime: 0, participantCount: 0, moderatorCount: 0, videoCount: 0, isBreakout: false });
  });

  it('keeps a very large meeting without its attendee elements (a DynamoDB item holds 400 KB)', () => {
    const big = buildMeeting({ meetingID: 'big', createTime: T }, T);
    big.attendees = Array.from({ length: 1_500 }, (_, i) => buildAttendee({ fullName: `Attendee number ${i} with a long name` }));
    const [m] = parseMeetings(meetingsXml([big]));
    expect(m.participantCount).toBe(1_500);
    expect(Buffer.byteLength(m.xml)).toBeLessThanOrEqual(MAX_INFO_BYTES);
    expect(m.xml).toContain('<attendees/>');
    expect(m.xml).toContain('<participantCount>1500</participantCount>');
  });
});

describe('parseGetMeetings', () => {
  it('reads a SUCCESS answer in one parse', () => {
    const m = buildMeeting({ meetingID: 'one', createTime: T }, T);
    expect(parseGetMeetings(meetingsXml([m])).map((x) => x.meetingID)).toEqual(['one']);
    expect(parseGetMeetings(meetingsXml([]))).toEqual([]);
  });

  it('throws what the BBB client throws for anything else', () => {
    expect(() => parseGetMeetings(failedXml('checksumError', 'Checksums do not match'))).toThrow(BbbFailedError);
    expect(() => parseGetMeetings(failedXml('checksumError', 'Checksums do not match'))).toThrow('Checksums do not match');
    for (const body of ['Sorry {not xml at all', '<html><body>502 Bad Gateway</body></html>', '<response><returncode>FAILED</returncode></response>', '']) {
      expect(() => parseGetMeetings(body), body).toThrow(BbbTransportError);
    }
  });
});
