/**
 * A tiny writer reproducing the bytes of Ruby's Builder::XmlMarkup as Rails renders Scalelite's
 * `*.xml.builder` views (`Builder::XmlMarkup.new(indent: 2)`, no `instruct!`): no XML declaration, two-space
 * indentation, an element with a block on its own lines (`<recordings>\n  </recordings>` when the block adds
 * nothing), text elements on one line, `<![CDATA[…]]>` on a line of its own, attributes in double quotes.
 * Text is escaped as Builder's XChar does: CP1252 code points U+0080–U+009F mapped to their characters,
 * characters outside XML 1.0's Char replaced by U+FFFD, `&` `<` `>` escaped (quotes and CR stay); attribute
 * values also escape `"`, LF and CR. An element whose name is not an XML name (NCName) is left out, so every
 * document is strict XML 1.0 (Builder would write it and break strict parsers).
 */
import { isXmlName, xmlChars } from './xml.js';

export type BuilderNode =
  | { kind: 'text'; name: string; text: string; attrs?: readonly (readonly [string, string | undefined])[] }
  | { kind: 'block'; name: string; children: readonly BuilderNode[]; attrs?: Attrs }
  | { kind: 'empty'; name: string; attrs?: Attrs }
  | { kind: 'cdata'; text: string };

type Attrs = readonly (readonly [string, string | undefined])[];

/** `xml.name text` (attributes in order; an undefined value is written empty, as Builder writes nil). */
export const text = (name: string, value: string | number | boolean, attrs?: readonly (readonly [string, string | undefined])[]): BuilderNode => ({
  kind: 'text',
  name,
  text: String(value),
  attrs,
});
/** `xml.name do … end` */
export const block = (name: string, ...children: (BuilderNode | null | undefined | false)[]): BuilderNode => ({
  kind: 'block',
  name,
  children: children.filter((c): c is BuilderNode => Boolean(c)),
});
/** `xml.name(attrs) do … end` */
export const blockWith = (name: string, attrs: Attrs, ...children: (BuilderNode | null | undefined | false)[]): BuilderNode => ({
  kind: 'block',
  name,
  attrs,
  children: children.filter((c): c is BuilderNode => Boolean(c)),
});
/** `xml.name(attrs)` without content: `<name a="v"/>` */
export const empty = (name: string, attrs?: Attrs): BuilderNode => ({ kind: 'empty', name, attrs });
/** `xml.cdata! text` */
export const cdata = (value: string): BuilderNode => ({ kind: 'cdata', text: value });

/** Builder's CP1252 fix-ups (XChar::CP1252): C1 controls read as Windows-1252 bytes. */
const CP1252: Record<number, number> = {
  128: 8364, 130: 8218, 131: 402, 132: 8222, 133: 8230, 134: 8224, 135: 8225, 136: 710, 137: 8240, 138: 352, 139: 8249, 140: 338, 142: 381,
  145: 8216, 146: 8217, 147: 8220, 148: 8221, 149: 8226, 150: 8211, 151: 8212, 152: 732, 153: 8482, 154: 353, 155: 8250, 156: 339, 158: 382, 159: 376,
};

/** XChar.encode: CP1252 mapping, invalid characters → U+FFFD, then `&`, `<`, `>`. */
export function builderEscape(value: string): string {
  const mapped = /[\u0080-\u009f]/.test(value) ? value.replace(/[\u0080-\u009f]/g, (ch) => (CP1252[ch.charCodeAt(0)] ? String.fromCharCode(CP1252[ch.charCodeAt(0)]) : ch)) : value;
  return xmlChars(mapped).replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

const escapeAttribute = (value: string) => builderEscape(value).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/"/g, '&quot;');

function write(node: BuilderNode, level: number, out: string[]): void {
  const indent = '  '.repeat(level);
  if (node.kind === 'cdata') {
    out.push(`${indent}<![CDATA[${xmlChars(node.text).replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>\n`);
    return;
  }
  if (!isXmlName(node.name)) return;
  const attrs = (node.attrs ?? []).filter(([name]) => isXmlName(name)).map(([name, value]) => ` ${name}="${escapeAttribute(value ?? '')}"`).join('');
  if (node.kind === 'text') {
    out.push(`${indent}<${node.name}${attrs}>${builderEscape(node.text)}</${node.name}>\n`);
    return;
  }
  if (node.kind === 'empty') {
    out.push(`${indent}<${node.name}${attrs}/>\n`);
    return;
  }
  out.push(`${indent}<${node.name}${attrs}>\n`);
  for (const child of node.children) write(child, level + 1, out);
  out.push(`${indent}</${node.name}>\n`);
}

/** The document as Rails renders a builder view. */
export function renderBuilder(root: BuilderNode): string {
  if (root.kind === 'cdata' || !isXmlName(root.name)) throw new Error('the root must be an element with an XML name');
  const out: string[] = [];
  write(root, 0, out);
  return out.join('');
}
