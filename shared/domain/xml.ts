/**
 * A tiny XML writer that reproduces the bytes Scalelite's Nokogiri builder emits:
 * `<?xml version="1.0"?>` declaration, two-space indentation, `<empty/>` elements,
 * text escaped for `&`, `<`, `>` and carriage returns (quotes stay literal).
 * A `{ raw }` child is an already-serialised fragment written verbatim on its own line.
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

export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&#13;'));
}

function write(node: XmlElement, indent: string, out: string[]): void {
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
    if ('raw' in child) out.push(`${indent}  ${child.raw}\n`);
    else write(child, `${indent}  `, out);
  }
  out.push(`${indent}</${node.name}>\n`);
}

/** Serialises a document the way Nokogiri's `to_xml` does for a built document. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0"?>\n'];
  write(root, '', out);
  return out.join('');
}

/** Serialises one element on one line, without the declaration (a fragment). */
export function compactXml(node: XmlElement): string {
  if (node.children.length === 0) return `<${node.name}/>`;
  const inner = node.children.map((c) => (typeof c === 'string' ? escapeText(c) : 'raw' in c ? c.raw : compactXml(c))).join('');
  return `<${node.name}>${inner}</${node.name}>`;
}
