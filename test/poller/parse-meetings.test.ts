import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { BbbFailedError, BbbTransportError } from '../../shared/bbb/bbb-client.js';
import { MAX_INFO_BYTES, parseGetMeetings, parseMeetings } from '../../shared/bbb/parse-meetings.js';
import { buildAttendee, buildMeeting } from '../fake-bbb/bbb-meetings.js';
import { failedXml, meetingsXml } from '../fake-bbb/bbb-xml.js';
import { assertStrictXml } from '../helpers/strict-xml.js';

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

describe('snapshots (issue 9: any tag name, strict XML)', () => {
  it('are the bytes the fast-xml-parser round trip wrote before, for ordinary meetings (no mass rewrite after an upgrade)', () => {
    const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, trimValues: true, processEntities: true });
    const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true, processEntities: true });
    const main = buildMeeting({ meetingID: `Tom & "Jerry's" <room>`, createTime: T, metadata: { 'bbb-origin': 'Greenlight', 'bbb-context': 'a > b' } }, T);
    main.attendees = [buildAttendee({ role: 'MODERATOR', fullName: 'Zoë', hasVideo: true }), buildAttendee({ role: 'VIEWER' })];
    const room = buildMeeting({ meetingID: 'room', createTime: T, isBreakout: true, parentMeetingID: main.internalMeetingID }, T);
    const xml = meetingsXml([main, room]);
    const old = (parser.parse(xml) as Record<string, Record<string, unknown>[]>[])[0].response.find((n) => 'meetings' in n)!.meetings as unknown[];
    expect(parseMeetings(xml).map((m) => m.xml)).toEqual(old.map((m) => builder.build([m]) as string));
  });

  it('are strict XML 1.0 whatever BBB wrote: odd tag names, control characters, references to them', () => {
    const xml =
      '<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>a\u0001b&#2;c</meetingName><meetingID>m</meetingID>' +
      '<metadata><__proto__>p</__proto__><constructor>c</constructor><1x>d</1x><a:b>e</a:b><toString>t</toString></metadata></meeting></meetings></response>';
    const [m] = parseGetMeetings(xml);
    expect(m.meetingID).toBe('m');
    expect(m.xml).toBe('<meeting><meetingName>a\uFFFDb\uFFFDc</meetingName><meetingID>m</meetingID><metadata><__proto__>p</__proto__><constructor>c</constructor><toString>t</toString></metadata></meeting>');
    assertStrictXml(m.xml);
  });
});
