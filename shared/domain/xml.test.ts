import { describe, expect, it } from 'vitest';
import { compactXml, el, escapeText, renderXml } from './xml.js';

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
