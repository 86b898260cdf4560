import { describe, expect, it } from 'vitest';
import { frontendMeetingId, parseRecordingMetadata, rubyToF, rubyToI, type MetadataResult, type RecordingMetadata } from './recording-metadata.js';

const RID = 'f0e1d2c3b4a5968778695a4b3c2d1e0f01234567-1700000000000';

/** A BBB 2.6-shaped presentation metadata.xml; `parts` replaces elements by name. */
function metadataXml(parts: Partial<Record<'state' | 'published' | 'participants' | 'start' | 'end' | 'meta' | 'playback' | 'id', string>> = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<recording>
  ${parts.id ?? `<id>${RID}</id>`}
  ${parts.state ?? '<state>published</state>'}
  ${parts.published ?? '<published>true</published>'}
  ${parts.start ?? '<start_time>1700000000123</start_time>'}
  ${parts.end ?? '<end_time>1700003600456</end_time>'}
  ${parts.participants ?? '<participants>7</participants>'}
  <rawSize>123456</rawSize>
  <meeting id="${RID}" externalId="room-1" name="Réunion" breakout="false"/>
  ${
    parts.meta ??
    `<meta>
    <isBreakout>false</isBreakout>
    <meetingId>room-1</meetingId>
    <meetingName>Réunion d'équipe — 週次</meetingName>
    <bbb-origin>Greenlight</bbb-origin>
    <gl-listed>false</gl-listed>
  </meta>`
  }
  ${
    parts.playback ??
    `<playback>
    <format>presentation</format>
    <link>https://bbb1.example.com/playback/presentation/2.3/${RID}?a=1</link>
    <processing_time>5429</processing_time>
    <duration>3571000</duration>
    <extensions>
      <preview>
        <images>
          <image width="176" height="136" alt="Welcome to BigBlueButton">https://bbb1.example.com/presentation/${RID}/presentation/d1/thumbnails/thumb-1.png?x=y</image>
          <image width="176" height="136" alt="Sécurité">https://bbb1.example.com/presentation/${RID}/presentation/d1/thumbnails/thumb-2.png</image>
          <image alt="">https://bbb1.example.com/presentation/${RID}/presentation/d2/thumbnails/thumb-1.png</image>
        </images>
      </preview>
    </extensions>
    <size>8224</size>
  </playback>`
  }
</recording>
`;
}

const ok = (r: MetadataResult): RecordingMetadata => {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
};
const err = (r: MetadataResult) => {
  if (r.ok) throw new Error('expected an error');
  return r.error;
};

describe('parseRecordingMetadata', () => {
  it('reads a presentation metadata.xml as Scalelite does', () => {
    const m = ok(parseRecordingMetadata(metadataXml()));
    expect(m).toEqual({
      recordID: RID,
      meetingId: 'room-1',
      name: "Réunion d'équipe — 週次",
      published: true,
      participants: 7,
      state: 'published',
      startTime: 1700000000123,
      endTime: 1700003600456,
      metadata: { 'bbb-origin': 'Greenlight', 'gl-listed': 'false' },
      format: {
        type: 'presentation',
        url: `/playback/presentation/2.3/${RID}?a=1`,
        length: 60, // 3571000 ms = 59.5 min, rounded half up
        processingTime: 5429,
        thumbnails: [
          { url: `/presentation/${RID}/presentation/d1/thumbnails/thumb-1.png`, width: 176, height: 136, alt: 'Welcome to BigBlueButton' },
          { url: `/presentation/${RID}/presentation/d1/thumbnails/thumb-2.png`, width: 176, height: 136, alt: 'Sécurité' },
          { url: `/presentation/${RID}/presentation/d2/thumbnails/thumb-1.png`, alt: '' },
        ],
      },
    });
  });

  it('maps state available to published and refuses a state outside the allowed set', () => {
    expect(ok(parseRecordingMetadata(metadataXml({ state: '<state>available</state>' }))).state).toBe('published');
    for (const s of ['processing', 'processed', 'unpublished', 'deleted'] as const) {
      expect(ok(parseRecordingMetadata(metadataXml({ state: `<state>${s}</state>` }))).state).toBe(s);
    }
    const e = err(parseRecordingMetadata(metadataXml({ state: '<state>archived</state>' })));
    expect(e.code).toBe('state.invalid');
    expect(e.message).toContain('"archived"');
  });

  it('leaves absent or blank optional elements undefined', () => {
    const m = ok(parseRecordingMetadata(metadataXml({ state: '<state>  </state>', published: '', participants: '<participants/>', start: '', end: '' })));
    expect(m.state).toBeUndefined();
    expect(m.published).toBeUndefined();
    expect(m.participants).toBeUndefined();
    expect(m.startTime).toBeUndefined();
    expect(m.endTime).toBeUndefined();
  });

  it('reads published as true only for the text true', () => {
    expect(ok(parseRecordingMetadata(metadataXml({ published: '<published>false</published>' }))).published).toBe(false);
    expect(ok(parseRecordingMetadata(metadataXml({ published: '<published>TRUE</published>' }))).published).toBe(false);
    expect(ok(parseRecordingMetadata(metadataXml({ published: '<published>yes</published>' }))).published).toBe(false);
  });

  it('reads numbers like Ruby to_i / to_f', () => {
    const m = ok(
      parseRecordingMetadata(
        metadataXml({
          participants: '<participants>12abc</participants>',
          start: '<start_time>abc</start_time>',
          playback: `<playback><format>video</format><link>https://h/playback/video/${RID}/</link><duration>89999.9</duration></playback>`,
        }),
      ),
    );
    expect(m.participants).toBe(12);
    expect(m.startTime).toBe(0);
    expect(m.format.length).toBe(1); // 1.49998 min
    expect(m.format.thumbnails).toEqual([]);
    expect(m.format.processingTime).toBeUndefined();
    expect(rubyToI(' -42x')).toBe(-42);
    expect(rubyToI('1_000')).toBe(1000);
    expect(rubyToF('1.5e3ms')).toBe(1500);
    expect(rubyToF('.5')).toBe(0.5);
    expect(rubyToF('x1')).toBe(0);
  });

  it('keeps every <meta> child but isBreakout, meetingId, meetingName and prototype names, with any tag name', () => {
    const m = ok(
      parseRecordingMetadata(
        metadataXml({
          meta: `<meta><isBreakout>true</isBreakout><meetingId>b-1</meetingId><meetingName>Salle 1</meetingName>
            <parentMeetingId>room-1</parentMeetingId><sequence>1</sequence><__proto__>p</__proto__><constructor>c</constructor><prototype>q</prototype><Constructor>C</Constructor>
            <Mixed.Case-Key>Ünïcode ✓</Mixed.Case-Key><dup>first</dup><dup>last</dup><empty/><nested>a<b>b</b>c</nested></meta>`,
        }),
      ),
    );
    expect(Object.getPrototypeOf(m.metadata)).toBe(Object.prototype);
    expect(Object.keys(m.metadata)).toEqual(['parentMeetingId', 'sequence', 'Constructor', 'Mixed.Case-Key', 'dup', 'empty', 'nested']);
    expect(Object.hasOwn(m.metadata, 'constructor')).toBe(false);
    expect(m.metadata['Mixed.Case-Key']).toBe('Ünïcode ✓');
    expect(m.metadata.dup).toBe('last');
    expect(m.metadata.empty).toBe('');
    expect(m.metadata.nested).toBe('abc');
    expect(m.meetingId).toBe('b-1');
    expect(m.name).toBe('Salle 1');
  });

  it('names what is missing', () => {
    const cases: [string, string][] = [
      ['not xml <', 'xml.invalid'],
      ['<recording><id>x</id>', 'xml.invalid'],
      ['<meeting/>', 'recording.missing'],
      [metadataXml({ id: '' }), 'id.missing'],
      [metadataXml({ id: '<id> </id>' }), 'id.missing'],
      [metadataXml({ meta: '' }), 'meta.missing'],
      [metadataXml({ meta: '<meta><meetingName>x</meetingName></meta>' }), 'meetingId.missing'],
      [metadataXml({ playback: '' }), 'playback.missing'],
      [metadataXml({ playback: '<playback><link>https://h/p</link></playback>' }), 'format.missing'],
      [metadataXml({ playback: '<playback><format>podcast</format></playback>' }), 'link.missing'],
      [metadataXml({ playback: '<playback><format>podcast</format><link>  </link></playback>' }), 'link.missing'],
      [metadataXml({ playback: '<playback><format>podcast</format><link>/podcast/x/audio.ogg</link></playback>' }), 'link.invalid'],
      [metadataXml({ playback: '<playback><format>podcast</format><link>https://h/p</link><extensions><preview><images><image>thumb.png</image></images></preview></extensions></playback>' }), 'thumbnail.invalid'],
    ];
    for (const [xml, code] of cases) expect(err(parseRecordingMetadata(xml)).code, xml.slice(0, 80)).toBe(code);
  });

  it('takes the path of a thumbnail given as a path, and trims the link', () => {
    const m = ok(
      parseRecordingMetadata(
        metadataXml({
          playback: `<playback><format>presentation</format><link>
            https://bbb.example.com/playback/presentation/2.3/${RID}
          </link><extensions><preview><images><image>/presentation/${RID}/t.png?v=2</image><image>  </image></images></preview></extensions></playback>`,
        }),
      ),
    );
    expect(m.format.url).toBe(`/playback/presentation/2.3/${RID}`);
    expect(m.format.thumbnails).toEqual([{ url: `/presentation/${RID}/t.png` }]);
  });
});

describe('frontendMeetingId', () => {
  it('is the metadata meetingId without a tenant or without the prefix', () => {
    expect(frontendMeetingId('room-1', undefined)).toEqual({ meetingID: 'room-1' });
    expect(frontendMeetingId('t1~room-1', undefined)).toEqual({ meetingID: 't1~room-1' });
    expect(frontendMeetingId('room-1', 't1')).toEqual({ meetingID: 'room-1' });
    expect(frontendMeetingId('t2~room-1', 't1')).toEqual({ meetingID: 't2~room-1' });
  });

  it('drops the tenant prefix', () => {
    expect(frontendMeetingId('t1~room-1', 't1')).toEqual({ meetingID: 'room-1' });
    expect(frontendMeetingId('t1~a~b', 't1')).toEqual({ meetingID: 'a~b' });
  });

  it('asks for a lookup of the hashed form', () => {
    const bbbId = `t1~#${'ab'.repeat(32)}`;
    expect(frontendMeetingId(bbbId, 't1')).toEqual({ lookup: bbbId });
    expect(frontendMeetingId(`t1~#${'ab'.repeat(31)}`, 't1')).toEqual({ meetingID: `#${'ab'.repeat(31)}` });
  });
});
