/**
 * A strict XML 1.0 check for tests, independent of the code under test: what libxml2 (or any
 * conforming, namespace-aware parser) accepts. fast-xml-parser's XMLValidator checks the markup
 * (names, attributes, nesting, the declaration's place); the rest it lets through is checked here:
 * characters outside the Char production, character references to them, entities other than the five
 * predefined ones (our documents have no DTD), more than one root, text outside the root, `]]>` in text,
 * `<` in attribute values, `--` in comments and names with a colon (an undeclared namespace prefix).
 */
import { XMLValidator } from 'fast-xml-parser';

/** Any character outside XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const NOT_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const isChar = (cp: number) => cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

const describe = (xml: string, at: number) => JSON.stringify(xml.slice(Math.max(0, at - 40), at + 40));

/** The problems a strict XML 1.0 parser would report; [] for a strict document. */
export function strictXmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const bad = NOT_CHAR.exec(xml);
  if (bad) problems.push(`character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not an XML 1.0 Char near ${describe(xml, bad.index)}`);
  const v = XMLValidator.validate(xml);
  if (v !== true) problems.push(`${v.err.code}: ${v.err.msg} (line ${v.err.line}, col ${v.err.col})`);
  if (/<!DOCTYPE/i.test(xml)) problems.push('a DOCTYPE (our documents have none)');

  // markup scan: comments, CDATA, PIs, tags (attribute values quoted, may hold '>'), text between them
  const token = /<!--([\s\S]*?)-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  let depth = 0;
  let roots = 0;
  let last = 0;
  const text = (from: number, to: number) => {
    const t = xml.slice(from, to);
    if (depth === 0 && t.trim() !== '') problems.push(`text outside the root element: ${JSON.stringify(t.slice(0, 40))}`);
    if (t.includes(']]>')) problems.push(`']]>' in text near ${describe(xml, from)}`);
    references(t, from);
  };
  const references = (t: string, offset: number) => {
    for (const m of t.matchAll(/&([^;&\s<]*)(;?)/g)) {
      const [whole, ref, semi] = m;
      if (!semi) problems.push(`a bare '&' near ${describe(xml, offset + m.index)}`);
      else if (ref.startsWith('#')) {
        const cp = /^#x[0-9a-fA-F]+$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
        if (!isChar(cp)) problems.push(`character reference ${whole} is not to an XML 1.0 Char`);
      } else if (!['lt', 'gt', 'amp', 'quot', 'apos'].includes(ref)) problems.push(`undeclared entity ${whole}`);
    }
  };
  for (const m of xml.matchAll(token)) {
    text(last, m.index);
    last = m.index + m[0].length;
    const [, comment, close, name, attrs, selfClose] = m;
    if (comment !== undefined) {
      if (comment.includes('--') || comment.endsWith('-')) problems.push(`'--' in a comment near ${describe(xml, m.index)}`);
      continue;
    }
    if (name === undefined) continue; // CDATA or a processing instruction
    if (name.includes(':')) problems.push(`element <${name}> has a namespace prefix nobody declared`);
    for (const a of (attrs ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1].includes(':') && !a[1].startsWith('xmlns')) problems.push(`attribute ${a[1]} has a namespace prefix nobody declared`);
      const value = a[2] ?? a[3];
      if (value.includes('<')) problems.push(`'<' in the value of attribute ${a[1]}`);
      references(value, m.index);
    }
    if (close) depth--;
    else if (!selfClose) {
      if (depth === 0) roots++;
      depth++;
    } else if (depth === 0) roots++;
  }
  text(last, xml.length);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** Throws (with every problem found) unless the text is a strict XML 1.0 document. */
export function assertStrictXml(xml: string, what = 'document'): void {
  const problems = strictXmlProblems(xml);
  if (problems.length > 0) throw new Error(`${what} is not strict XML 1.0:\n  ${problems.join('\n  ')}\n${xml.slice(0, 500)}`);
}
