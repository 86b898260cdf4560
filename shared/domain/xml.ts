/**
 * A tiny XML writer that reproduces the bytes Scalelite's Nokogiri builder emits:
 * `<?xml version="1.0"?>` declaration, two-space indentation, `<empty/>` elements,
 * text escaped for `&`, `<`, `>` and carriage returns (quotes stay literal).
 * A `{ raw }` child is an already-serialised fragment written verbatim on its own line.
 *
 * Everything it writes is strict XML 1.0: characters outside the Char production (C0 controls other
 * than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) become U+FFFD in text and in raw fragments (a raw
 * fragment's character references to such characters too), and a child element whose name is not an
 * XML name (NCName) is left out — one odd meeting must never make a whole document unparseable.
 */
export interface XmlRaw {
  raw: string;
}
export type XmlChild = XmlElement | XmlRaw | string;
export interface XmlElement {
  name: string;
  children: XmlChild[];
}

export const el = (name: string, ...children: (XmlChild | null | undefined | false)[]): XmlElement => ({
  name,
  children: children.filter((c): c is XmlChild => c !== null && c !== undefined && c !== false),
});

/** What replaces a character XML 1.0 cannot carry. */
export const REPLACEMENT_CHAR = '\uFFFD';

/** One character outside XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu');

/** Whether a code point is in XML 1.0's Char production. */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The text with every character outside XML 1.0's Char replaced by U+FFFD. */
export function xmlChars(text: string): string {
  return NOT_XML_CHAR.test(text) ? text.replace(NOT_XML_CHARS, REPLACEMENT_CHAR) : text;
}

const CHAR_REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/g;

/**
 * An already-serialised fragment made strict: characters outside Char and character references to
 * them (`&#1;`, `&#xFFFE;`, `&#xD800;`) become U+FFFD. Nothing else is touched.
 */
export function sanitizeRawXml(raw: string): string {
  const chars = xmlChars(raw);
  if (!chars.includes('&#')) return chars;
  return chars.replace(CHAR_REF, (ref, hex: string | undefined, dec: string | undefined) => {
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    return isXmlChar(cp) ? ref : REPLACEMENT_CHAR;
  });
}

const NCNAME =
  /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*$/u;

/** XML 1.0 (5th edition) Name without colons (an NCName): what any strict or namespace-aware parser accepts. */
export function isXmlName(name: string): boolean {
  return NCNAME.test(name);
}

export function escapeText(text: string): string {
  return xmlChars(text).replace(/[&<>\r]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&#13;'));
}

/** Children that can be written: text, raw fragments, and elements with a valid name. */
const writable = (c: XmlChild): boolean => typeof c === 'string' || 'raw' in c || isXmlName(c.name);

function write(node: XmlElement, indent: string, out: string[]): void {
  if (!node.children.every(writable)) node = { name: node.name, children: node.children.filter(writable) };
  if (node.children.length === 0) {
    out.push(`${indent}<${node.name}/>\n`);
    return;
  }
  if (node.children.some((c) => typeof c === 'string')) {
    // Text content (alone or mixed with elements): libxml2 turns indentation off for the whole subtree.
    out.push(`${indent}${compactXml(node)}\n`);
    return;
  }
  out.push(`${indent}<${node.name}>\n`);
  for (const child of node.children) {
    if (typeof child === 'string') continue; // unreachable: handled above
    if ('raw' in child) out.push(`${indent}  ${sanitizeRawXml(child.raw)}\n`);
    else write(child, `${indent}  `, out);
  }
  out.push(`${indent}</${node.name}>\n`);
}

/** Serialises a document the way Nokogiri's `to_xml` does for a built document. */
export function renderXml(root: XmlElement): string {
  if (!isXmlName(root.name)) throw new Error(`not an XML name: ${JSON.stringify(root.name)}`);
  const out = ['<?xml version="1.0"?>\n'];
  write(root, '', out);
  return out.join('');
}

/** Serialises one element on one line, without the declaration (a fragment). */
export function compactXml(node: XmlElement): string {
  if (!isXmlName(node.name)) throw new Error(`not an XML name: ${JSON.stringify(node.name)}`);
  const children = node.children.filter(writable);
  if (children.length === 0) return `<${node.name}/>`;
  const inner = children.map((c) => (typeof c === 'string' ? escapeText(c) : 'raw' in c ? sanitizeRawXml(c.raw) : compactXml(c))).join('');
  return `<${node.name}>${inner}</${node.name}>`;
}
