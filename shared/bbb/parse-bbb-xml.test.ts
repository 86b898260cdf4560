import { describe, expect, it } from 'vitest';
import { assertStrictXml, strictXmlProblems } from '../../test/helpers/strict-xml.js';
import { BbbFailedError, BbbTransportError, parseBbbResponse } from './bbb-client.js';
import { parseXml, parseXmlDocument, plainObject, serializeElement, strictXmlDocument, XmlSyntaxError } from './parse-bbb-xml.js';
import { parseGetMeetings } from './parse-meetings.js';

/** Tag names a client can make BBB echo (create's `meta_<name>`) or that collide with JavaScript. */
const ODD_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '__lookupSetter__',
  'isPrototypeOf',
  '#text',
  ':@',
  '@_x',
  'a.b-c',
  'a-',
  '_x',
  '1abc',
  'a:b',
  'größe',
];

const meetingsDoc = (metadata: string, extra = '') =>
  `<response><returncode>SUCCESS</returncode><meetings><meeting><meetingName>room</meetingName><meetingID>m1</meetingID>` +
  `<participantCount>2</participantCount><metadata>${metadata}</metadata>${extra}</meeting></meetings></response>`;

describe('no tag name fails a BBB answer', () => {
  it.each(ODD_NAMES)('<%s> in the metadata of getMeetings: the poll reads the meeting', (name) => {
    const [m] = parseGetMeetings(meetingsDoc(`<${name}>y</${name}>`));
    expect(m).toMatchObject({ meetingID: 'm1', participantCount: 2 });
    assertStrictXml(m.xml, `snapshot with <${name}>`);
  });

  it.each(ODD_NAMES)('<%s> in getMeetingInfo: parseBbbResponse answers SUCCESS', (name) => {
    const res = parseBbbResponse(`<response><returncode>SUCCESS</returncode><meetingID>m1</meetingID><metadata><${name}>y</${name}></metadata></response>`);
    expect(res.response.returncode).toBe('SUCCESS');
    expect(res.response.meetingID).toBe('m1');
    const metadata = res.response.metadata as Record<string, unknown>;
    expect(Object.hasOwn(metadata, name)).toBe(true);
    expect(metadata[name]).toBe('y');
  });

  it('keeps names that are XML names as they are in the snapshot (no `__toString` renaming)', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b-c', 'größe'];
    const [m] = parseGetMeetings(meetingsDoc(names.map((n) => `<${n}>v-${n}</${n}>`).join('')));
    expect(m.xml).toContain(`<metadata>${names.map((n) => `<${n}>v-${n}</${n}>`).join('')}</metadata>`);
  });

  it('leaves elements whose names are no XML names out of the snapshot, keeping the rest', () => {
    const [m] = parseGetMeetings(meetingsDoc('<1abc>x</1abc><a:b>y</a:b><ok>z</ok>'));
    expect(m.xml).toContain('<metadata><ok>z</ok></metadata>');
    assertStrictXml(m.xml);
  });

  it('a `__proto__` element neither pollutes nor replaces a prototype', () => {
    const res = parseBbbResponse('<response><returncode>SUCCESS</returncode><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor></response>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(res.response)).toBeNull();
    expect(Object.keys(res.response)).toEqual(['returncode', '__proto__', 'constructor']);
    expect((res.response.__proto__ as Record<string, unknown>).polluted).toBe('yes');
    expect(res.response.constructor).toBe('c');
  });

  it('reads a document nested 100,000 levels deep (no recursion anywhere)', () => {
    const depth = 100_000;
    const xml = `<response><returncode>SUCCESS</returncode><metadata>${'<x>'.repeat(depth)}deep${'</x>'.repeat(depth)}</metadata></response>`;
    const res = parseBbbResponse(xml);
    let node = res.response.metadata as Record<string, unknown>;
    for (let i = 1; i < depth; i++) node = node.x as Record<string, unknown>;
    expect(node.x).toBe('deep');
    const root = parseXmlDocument(xml);
    expect(serializeElement(root)).toBe(xml);
    const [m] = parseGetMeetings(meetingsDoc(`${'<x>'.repeat(depth)}deep${'</x>'.repeat(depth)}`));
    expect(m.xml.length).toBeGreaterThan(depth * 7);
  });

  it('reads the object view as fast-xml-parser did: text as strings, repeated names as arrays, empty as ""', () => {
    const res = parseBbbResponse(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <running>true</running>\n  <dialNumber></dialNumber>\n' +
        '  <attendees><attendee><userID>u1</userID></attendee><attendee><userID>u2</userID></attendee></attendees>\n  <one><attendee a="1">x</attendee></one>\n</response>\n',
    );
    expect(res.response.running).toBe('true');
    expect(res.response.dialNumber).toBe('');
    expect(JSON.parse(JSON.stringify(res.response.attendees))).toEqual({ attendee: [{ userID: 'u1' }, { userID: 'u2' }] });
    expect(JSON.parse(JSON.stringify(res.response.one))).toEqual({ attendee: 'x' });
  });

  it('still throws what the BBB client throws', () => {
    expect(() => parseBbbResponse('<response><returncode>FAILED</returncode><messageKey>notFound</messageKey><message>gone</message></response>')).toThrow(BbbFailedError);
    for (const body of ['', 'Sorry {not xml at all', '<html><body>502</body></html>', '<response><returncode>FAILED</returncode></response>', '<response>x</response>']) {
      expect(() => parseBbbResponse(body), body).toThrow(BbbTransportError);
    }
  });
});

describe('what is not a document still fails (a truncated getMeetings must never read as fewer meetings)', () => {
  const full = meetingsDoc('<a>1</a>');
  it.each([
    ['empty', ''],
    ['text only', 'not xml'],
    ['truncated in an element', full.slice(0, full.indexOf('</meetings>'))],
    ['truncated in a tag', full.slice(0, full.indexOf('<metadata>') + 5)],
    ['truncated in an attribute value', '<response a="x'],
    ['a mismatched end tag', '<response><a>x</b></response>'],
    ['an end tag without a start', '</response>'],
    ['text after the root', '<response/>garbage'],
    ['two roots', '<response/><response/>'],
    ['an unterminated comment', '<response><!-- x</response>'],
    ['an element without a name', '<response>< a/></response>'],
  ])('%s', (_, body) => {
    expect(() => parseXmlDocument(body)).toThrow(XmlSyntaxError);
    expect(() => parseGetMeetings(body)).toThrow(BbbTransportError);
  });
});

describe('characters XML 1.0 forbids', () => {
  it('a control character BBB wrote as is, or as a reference, becomes U+FFFD in the snapshot', () => {
    const [m] = parseGetMeetings(meetingsDoc('<a>x\u0001y</a><b>p&#1;q</b><c>&#xFFFE;&#xD800;</c>'));
    expect(m.xml).toContain('<metadata><a>x\uFFFDy</a><b>p\uFFFDq</b><c>\uFFFD\uFFFD</c></metadata>');
    assertStrictXml(m.xml);
  });

  it('decodes the predefined entities and character references; an unknown entity stays literal text', () => {
    const root = parseXmlDocument('<m a="&quot;1&quot;">&lt;b&gt; &amp; &#233;&#x1F600; &nbsp; a & b</m>');
    expect(root.children).toEqual(['<b> & é😀 &nbsp; a & b']);
    expect(root.attrs).toEqual([['a', '"1"']]);
    expect(serializeElement(root)).toBe('<m a="&quot;1&quot;">&lt;b&gt; &amp; é😀 &amp;nbsp; a &amp; b</m>');
  });
});

describe('strictXmlDocument (proxied BBB documents)', () => {
  it('keeps a strict document byte for byte', () => {
    const doc = '<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <meetingName>a &amp; b "q"</meetingName>\n</response>\n';
    expect(parseXml(doc).strict).toBe(true);
    expect(strictXmlDocument(doc)).toBe(doc);
  });

  it.each([
    ['a raw control character', '<response><returncode>SUCCESS</returncode><meetingName>a\u0001b</meetingName></response>'],
    ['a reference to a control character', '<response><returncode>SUCCESS</returncode><meetingName>a&#1;b</meetingName></response>'],
    ['a lone surrogate', '<response><returncode>SUCCESS</returncode><meetingName>a\uD800b</meetingName></response>'],
    ['U+FFFF', '<response><returncode>SUCCESS</returncode><meetingName>a\uFFFFb</meetingName></response>'],
    ['a name with a digit first', '<response><returncode>SUCCESS</returncode><metadata><1abc>x</1abc></metadata></response>'],
    ['a name with a colon', '<response><returncode>SUCCESS</returncode><metadata><a:b>x</a:b></metadata></response>'],
    ['an unknown entity', '<response><returncode>SUCCESS</returncode><m>&nbsp;</m></response>'],
    ['a bare ampersand', '<response><returncode>SUCCESS</returncode><m>a & b</m></response>'],
    ['duplicate attributes', '<response a="1" a="2"><returncode>SUCCESS</returncode></response>'],
    ['an unquoted attribute', '<response a=1><returncode>SUCCESS</returncode></response>'],
    ["']]>' in text", '<response><returncode>SUCCESS</returncode><m>a ]]> b</m></response>'],
  ])('re-writes a document with %s so that it is strict', (_, doc) => {
    expect(strictXmlProblems(doc)).not.toEqual([]);
    expect(parseXml(doc).strict).toBe(false);
    const out = strictXmlDocument(doc);
    assertStrictXml(out);
    expect(out.startsWith('<?xml version="1.0"?>\n<response')).toBe(true);
    expect(parseBbbResponse(out).response.returncode).toBe('SUCCESS');
  });

  it('text that is no document keeps its markup, with its characters made valid', () => {
    expect(strictXmlDocument('<a>x\u0001')).toBe('<a>x\uFFFD');
  });

  it('plainObject of a lone text element is its text', () => {
    expect(plainObject(parseXmlDocument('<a>t</a>'))).toBe('t');
  });
});

describe('parseBbbResponse with elements where text is expected', () => {
  it('a returncode, messageKey or message holding elements is no SUCCESS and never a TypeError', () => {
    expect(() => parseBbbResponse('<response><returncode><x/></returncode><messageKey><y/></messageKey><message>m</message></response>')).toThrow(BbbFailedError);
    expect(() => parseBbbResponse('<response><returncode><__proto__/></returncode></response>')).toThrow(BbbTransportError);
  });
});
