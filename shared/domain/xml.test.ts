import { describe, expect, it } from 'vitest';
import { assertStrictXml } from '../../test/helpers/strict-xml.js';
import { compactXml, el, escapeText, isXmlName, renderXml, sanitizeRawXml, xmlChars } from './xml.js';

describe('renderXml', () => {
  it('writes the declaration, two-space indentation and a final newline', () => {
    const xml = renderXml(el('response', el('returncode', 'FAILED'), el('messageKey', 'checksumError'), el('message', 'You did not pass the checksum security check')));
    expect(xml).toBe(
      '<?xml version="1.0"?>\n' +
        '<response>\n' +
        '  <returncode>FAILED</returncode>\n' +
        '  <messageKey>checksumError</messageKey>\n' +
        '  <message>You did not pass the checksum security check</message>\n' +
        '</response>\n',
    );
  });

  it('writes an element without children as <empty/>', () => {
    expect(renderXml(el('response', el('returncode', 'SUCCESS'), el('meetings')))).toBe(
      '<?xml version="1.0"?>\n<response>\n  <returncode>SUCCESS</returncode>\n  <meetings/>\n</response>\n',
    );
    expect(renderXml(el('empty'))).toBe('<?xml version="1.0"?>\n<empty/>\n');
  });

  it('indents nested elements by two spaces per level', () => {
    expect(renderXml(el('a', el('b', el('c', 'x'), el('d'))))).toBe('<?xml version="1.0"?>\n<a>\n  <b>\n    <c>x</c>\n    <d/>\n  </b>\n</a>\n');
  });

  it('skips null, undefined and false children', () => {
    expect(renderXml(el('response', el('version', '2.0'), null, undefined, false))).toBe(
      '<?xml version="1.0"?>\n<response>\n  <version>2.0</version>\n</response>\n',
    );
    expect(renderXml(el('a', null))).toBe('<?xml version="1.0"?>\n<a/>\n');
  });

  it('escapes & < > in text but not quotes', () => {
    expect(renderXml(el('m', `Tom & Jerry <b> "quoted" 'single' >`))).toBe(
      `<?xml version="1.0"?>\n<m>Tom &amp; Jerry &lt;b&gt; "quoted" 'single' &gt;</m>\n`,
    );
  });

  it('escapes a carriage return as &#13; and keeps a newline literal', () => {
    expect(renderXml(el('m', 'a\r\nb'))).toBe('<?xml version="1.0"?>\n<m>a&#13;\nb</m>\n');
  });

  it('joins several text children into one text node', () => {
    expect(renderXml(el('m', 'a', 'b'))).toBe('<?xml version="1.0"?>\n<m>ab</m>\n');
  });

  it('writes raw children verbatim on their own indented line, unescaped', () => {
    const xml = renderXml(el('response', el('meetings', { raw: '<meeting><meetingID>a&amp;b</meetingID></meeting>' }, { raw: '<meeting/>' })));
    expect(xml).toBe(
      '<?xml version="1.0"?>\n' +
        '<response>\n' +
        '  <meetings>\n' +
        '    <meeting><meetingID>a&amp;b</meetingID></meeting>\n' +
        '    <meeting/>\n' +
        '  </meetings>\n' +
        '</response>\n',
    );
  });

  it('does not indent inside an element with mixed text and elements (as libxml2)', () => {
    expect(renderXml(el('r', el('m', 'text ', el('b', 'bold'), el('c', el('d')))))).toBe(
      '<?xml version="1.0"?>\n<r>\n  <m>text <b>bold</b><c><d/></c></m>\n</r>\n',
    );
  });
});

describe('compactXml', () => {
  it('writes one element on one line without a declaration', () => {
    expect(compactXml(el('meeting', el('meetingID', 'a<b'), el('running', 'true'), el('attendees')))).toBe(
      '<meeting><meetingID>a&lt;b</meetingID><running>true</running><attendees/></meeting>',
    );
  });

  it('writes raw children verbatim', () => {
    expect(compactXml(el('a', { raw: '<x>&amp;</x>' }, 'b&'))).toBe('<a><x>&amp;</x>b&amp;</a>');
  });

  it('writes an empty element as <name/>', () => {
    expect(compactXml(el('x'))).toBe('<x/>');
  });
});

describe('escapeText', () => {
  it('escapes &, <, > and CR only', () => {
    expect(escapeText(`&<>\r"'\n\t`)).toBe(`&amp;&lt;&gt;&#13;"'\n\t`);
  });

  it('does not double-escape on its own', () => {
    expect(escapeText('&amp;')).toBe('&amp;amp;');
  });
});

describe('strict XML 1.0 whatever the content (issue 9, item 12)', () => {
  const FORBIDDEN = ['\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\uD800', '\uDFFF', '\uFFFE', '\uFFFF'];

  it.each(FORBIDDEN.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))('%s in text becomes U+FFFD', (_, c) => {
    const xml = renderXml(el('response', el('meetingName', `a${c}b`)));
    expect(xml).toContain('<meetingName>a\uFFFDb</meetingName>');
    assertStrictXml(xml);
    expect(compactXml(el('m', `a${c}b`))).toBe('<m>a\uFFFDb</m>');
  });

  it('keeps tab, newline, CR (as &#13;), astral characters and U+FFFD itself', () => {
    expect(escapeText('a\tb\nc\rd\u{1F600}\uFFFD\uE000\uD7FF')).toBe('a\tb\nc&#13;d\u{1F600}\uFFFD\uE000\uD7FF');
    expect(xmlChars('\uD83D\uDE00')).toBe('\uD83D\uDE00'); // a surrogate pair is one valid character
  });

  it('sanitises raw fragments: forbidden characters and references to them', () => {
    const raw = '<meeting><meetingName>a\u0001b&#1;c&#x0;d&#xFFFE;e&#55296;f&#233;g&#x9;h&#x110000;</meetingName></meeting>';
    expect(sanitizeRawXml(raw)).toBe('<meeting><meetingName>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf&#233;g&#x9;h\uFFFD</meetingName></meeting>');
    const doc = renderXml(el('response', el('meetings', { raw })));
    assertStrictXml(doc);
    expect(compactXml(el('meetings', { raw }))).not.toContain('&#1;');
  });

  it('leaves out child elements whose names are not XML names; refuses such a root', () => {
    const xml = renderXml(el('response', el('metadata', el('ok', '1'), el('1abc', '2'), el('a b', '3'), el('a:b', '4'), el('', '5'), el('__proto__', '6'))));
    expect(xml).toBe('<?xml version="1.0"?>\n<response>\n  <metadata>\n    <ok>1</ok>\n    <__proto__>6</__proto__>\n  </metadata>\n</response>\n');
    assertStrictXml(xml);
    expect(renderXml(el('r', el('1bad', 'x')))).toBe('<?xml version="1.0"?>\n<r/>\n');
    expect(compactXml(el('m', el('-x'), 'text'))).toBe('<m>text</m>');
    expect(() => renderXml(el('1bad'))).toThrow();
  });

  it('isXmlName: XML 1.0 names without a colon', () => {
    for (const ok of ['a', '_', 'A1', 'a.b-c_d', 'größe', '__proto__', 'constructor', 'a\u00B7']) expect(isXmlName(ok), ok).toBe(true);
    for (const bad of ['', '1a', '-a', '.a', 'a b', 'a:b', 'a<b', 'a\u0001', '\u00B7a', 'a&b']) expect(isXmlName(bad), bad).toBe(false);
  });
});
