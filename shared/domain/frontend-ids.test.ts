import { describe, expect, it } from 'vitest';
import { withFrontendMeetingId } from './frontend-ids.js';
import { bbbMeetingId, MAX_MEETING_ID_LENGTH } from './meeting-id.js';

describe('bbbMeetingId', () => {
  it('is the front-end id without a tenant and namespaced with one', () => {
    expect(bbbMeetingId(undefined, 'room 1')).toBe('room 1');
    expect(bbbMeetingId('t-1', 'room 1')).toBe('t-1~room 1');
  });

  it('never collides across tenants, even for ids that look namespaced', () => {
    expect(bbbMeetingId('a', 'b~x')).not.toBe(bbbMeetingId('b', 'x'));
    expect(bbbMeetingId('a', 'x')).not.toBe(bbbMeetingId(undefined, 'a~x'.slice(2)));
  });

  it('stays within BBB\'s 256 characters, one id per long meetingID', () => {
    const long = 'x'.repeat(MAX_MEETING_ID_LENGTH);
    const id = bbbMeetingId('0b6a1c9e-8a43-4a57-9e4b-6c1f3f1c2d11', long);
    expect(id.length).toBeLessThanOrEqual(MAX_MEETING_ID_LENGTH);
    expect(id).toMatch(/^0b6a1c9e-8a43-4a57-9e4b-6c1f3f1c2d11~#[0-9a-f]{64}$/);
    expect(bbbMeetingId('0b6a1c9e-8a43-4a57-9e4b-6c1f3f1c2d11', long + 'y')).not.toBe(id);
  });
});

describe('withFrontendMeetingId', () => {
  it('turns the namespaced id back into the front-end id, escaped', () => {
    const xml = '<response><meetingID>t-1~a&amp;b</meetingID><internalMeetingID>abc-1</internalMeetingID></response>';
    expect(withFrontendMeetingId(xml, 't-1', 'a&b $& <c>')).toBe('<response><meetingID>a&amp;b $&amp; &lt;c&gt;</meetingID><internalMeetingID>abc-1</internalMeetingID></response>');
  });

  it('leaves documents of tenantless meetings and other tenants alone', () => {
    const xml = '<meetingID>t-2~x</meetingID>';
    expect(withFrontendMeetingId(xml, undefined, 'x')).toBe(xml);
    expect(withFrontendMeetingId(xml, 't-1', 'x')).toBe(xml);
  });
});
