/**
 * The XML reader for BigBlueButton's answers. BBB echoes client-chosen names as tags (a create's
 * `meta_<name>` becomes `<metadata><name>`), and one document it cannot read takes a whole server
 * offline, so this reader:
 *  - never turns a tag or attribute name into an object key: elements are `{ name, attrs, children }`
 *    and the only object view (`plainObject`) is built on null-prototype objects — `<__proto__>`,
 *    `<constructor>`, `<toString>` are ordinary names;
 *  - accepts any name (dots, dashes, digits first, non-ASCII), any depth (no recursion) and characters
 *    XML 1.0 forbids (they are replaced when written);
 *  - still rejects what is not a document: no root element, text outside it, a mismatched or missing
 *    end tag (a truncated answer must fail, never read as a shorter list of meetings).
 * Writing (`serializeElement`, `strictXmlDocument`) always produces strict XML 1.0: elements and
 * attributes whose names are not XML names are left out, characters outside Char become U+FFFD.
 */
import { isXmlChar, isXmlName, xmlChars } from '../domain/xml.js';

export interface XmlNode {
  name: string;
  /** in document order, without duplicates (the first one wins) */
  attrs: [string, string][];
  /** elements and text (trimmed; whitespace-only text between elements is dropped) */
  children: (XmlNode | string)[];
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

export interface ParsedXml {
  root: XmlNode;
  /**
   * true when the text is strict XML 1.0 as it stands (only characters in Char, only XML names, only the
   * predefined entities and references to Chars, quoted unique attributes, well-formed markup); false
   * when this reader had to be lenient somewhere.
   */
  strict: boolean;
}

const PREDEFINED: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});

const isSpace = (c: number) => c === 0x20 || c === 0x9 || c === 0xa || c === 0xd;
const trimXml = (s: string) => (s === '' || (!isSpace(s.charCodeAt(0)) && !isSpace(s.charCodeAt(s.length - 1))) ? s : s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Parses a whole document; throws XmlSyntaxError when it is not one. */
export function parseXml(text: string): ParsedXml {
  let strict = !NOT_XML_CHAR.test(text);
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const len = s.length;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let i = 0;

  const decode = (raw: string): string => {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[^\s&;<>"']+)?(;)?/g, (whole, ref: string | undefined, semi: string | undefined) => {
      if (ref === undefined || semi === undefined) {
        strict = false; // a bare '&'
        return whole;
      }
      if (ref.startsWith('#')) {
        const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!isXmlChar(cp)) strict = false;
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
      }
      if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref];
      strict = false; // an entity this document never declared to us: kept as written
      return whole;
    });
  };

  const addText = (raw: string, cdata: boolean) => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (cdata || trimXml(raw) !== '') throw new XmlSyntaxError('text outside the root element');
      return;
    }
    if (cdata) {
      if (raw !== '') top.children.push(raw);
      return;
    }
    if (raw.includes(']]>')) strict = false;
    const value = decode(trimXml(raw));
    if (value !== '') top.children.push(value);
  };

  /** index of the `>` that ends the markup starting at `from`, outside quotes and `[...]` (DOCTYPE) */
  const declarationEnd = (from: number): number => {
    let depth = 0;
    for (let j = from; j < len; j++) {
      const c = s[j];
      if (c === '"' || c === "'") {
        const close = s.indexOf(c, j + 1);
        if (close === -1) return -1;
        j = close;
      } else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) return j;
    }
    return -1;
  };

  while (i < len) {
    const lt = s.indexOf('<', i);
    if (lt === -1) {
      addText(s.slice(i), false);
      break;
    }
    if (lt > i) addText(s.slice(i, lt), false);
    i = lt;
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end === -1) throw new XmlSyntaxError('unterminated comment');
      if (s.slice(i + 4, end).includes('--') || s[end - 1] === '-') strict = false;
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i + 9);
      if (end === -1) throw new XmlSyntaxError('unterminated CDATA section');
      addText(s.slice(i + 9, end), true);
      i = end + 3;
    } else if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2);
      if (end === -1) throw new XmlSyntaxError('unterminated processing instruction');
      if (/^<\?xml[\s?]/i.test(s.slice(i, i + 6)) && i !== 0) strict = false; // a declaration that is not first
      i = end + 2;
    } else if (s.startsWith('<!', i)) {
      // DOCTYPE (skipped: its entities are not read) or some other declaration
      if (stack.length > 0 || root !== undefined || !s.startsWith('<!DOCTYPE', i)) strict = false;
      const end = declarationEnd(i + 2);
      if (end === -1) throw new XmlSyntaxError('unterminated declaration');
      i = end + 1;
    } else if (s[i + 1] === '/') {
      const expected = stack[stack.length - 1];
      if (expected && s.startsWith(expected.name, i + 2) && s[i + 2 + expected.name.length] === '>') {
        // the usual case: `</name>` of the open element
        stack.pop();
        i += expected.name.length + 3;
        continue;
      }
      const gt = s.indexOf('>', i + 2);
      if (gt === -1) throw new XmlSyntaxError('unterminated end tag');
      const inner = s.slice(i + 2, gt);
      const name = inner.split(/[ \t\r\n]/, 1)[0];
      if (inner !== name && trimXml(inner.slice(name.length)) !== '') strict = false;
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlSyntaxError(`unexpected end tag </${name}>`);
      i = gt + 1;
    } else {
      // start tag: the name runs to white space, '>' or '/'
      let j = i + 1;
      while (j < len && !isSpace(s.charCodeAt(j)) && s[j] !== '>' && s[j] !== '/') j++;
      const name = s.slice(i + 1, j);
      if (name === '') throw new XmlSyntaxError('element without a name');
      if (!isXmlName(name)) strict = false;
      const node: XmlNode = { name, attrs: [], children: [] };
      let selfClosing = false;
      for (;;) {
        const before = j;
        while (j < len && isSpace(s.charCodeAt(j))) j++;
        if (j >= len) throw new XmlSyntaxError('unterminated start tag');
        if (s[j] === '>') {
          j++;
          break;
        }
        if (s[j] === '/' && s[j + 1] === '>') {
          selfClosing = true;
          j += 2;
          break;
        }
        if (j === before) strict = false; // no white space before an attribute
        let k = j;
        while (k < len && !isSpace(s.charCodeAt(k)) && s[k] !== '=' && s[k] !== '>' && !(s[k] === '/' && s[k + 1] === '>')) k++;
        const attr = s.slice(j, k);
        if (attr === '') {
          strict = false; // a stray '=' or '/': skipped
          j = k + 1;
          continue;
        }
        j = k;
        while (j < len && isSpace(s.charCodeAt(j))) j++;
        let value = '';
        if (s[j] === '=') {
          j++;
          while (j < len && isSpace(s.charCodeAt(j))) j++;
          const q = s[j];
          if (q === '"' || q === "'") {
            const close = s.indexOf(q, j + 1);
            if (close === -1) throw new XmlSyntaxError('unterminated attribute value');
            const raw = s.slice(j + 1, close);
            if (raw.includes('<')) strict = false;
            value = decode(raw);
            j = close + 1;
          } else {
            strict = false; // unquoted value
            let e = j;
            while (e < len && !isSpace(s.charCodeAt(e)) && s[e] !== '>') e++;
            value = decode(s.slice(j, e));
            j = e;
          }
        } else strict = false; // an attribute without a value
        if (!isXmlName(attr) || node.attrs.some(([n]) => n === attr)) strict = false;
        if (!node.attrs.some(([n]) => n === attr)) node.attrs.push([attr, value]);
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root === undefined) root = node;
      else throw new XmlSyntaxError('more than one root element');
      if (!selfClosing) stack.push(node);
      i = j;
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed element <${stack[stack.length - 1].name}>`);
  if (!root) throw new XmlSyntaxError('no root element');
  return { root, strict };
}

/** The root element of a document; throws XmlSyntaxError when it is not one. */
export const parseXmlDocument = (text: string): XmlNode => parseXml(text).root;

export const childElements = (node: XmlNode): XmlNode[] => node.children.filter((c): c is XmlNode => typeof c !== 'string');

export const firstChild = (node: XmlNode, name: string): XmlNode | undefined => node.children.find((c): c is XmlNode => typeof c !== 'string' && c.name === name);

/** The element's own text (its text children joined). */
export const textOf = (node: XmlNode): string => node.children.filter((c): c is string => typeof c === 'string').join('');

const escape = (text: string, attr: boolean): string =>
  xmlChars(text).replace(attr ? /[&<>"'\r\n\t]/g : /[&<>"'\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === "'" ? '&apos;' : `&#${c.charCodeAt(0)};`,
  );

/**
 * The element on one line (`<empty/>` for no children), strict XML 1.0 whatever it holds: elements and
 * attributes whose names are not XML names are left out, text is escaped, characters outside Char
 * become U+FFFD. Iterative, so any depth is fine. '' when the element itself has no XML name.
 */
export function serializeElement(node: XmlNode): string {
  if (!isXmlName(node.name)) return '';
  const out: string[] = [];
  const open = (n: XmlNode) => {
    let tag = `<${n.name}`;
    for (const [k, v] of n.attrs) if (isXmlName(k)) tag += ` ${k}="${escape(v, true)}"`;
    return tag;
  };
  const writable = (c: XmlNode | string) => typeof c === 'string' || isXmlName(c.name);
  const frames: { node: XmlNode; next: number }[] = [];
  const enter = (n: XmlNode) => {
    if (!n.children.some(writable)) out.push(`${open(n)}/>`);
    else {
      out.push(`${open(n)}>`);
      frames.push({ node: n, next: 0 });
    }
  };
  enter(node);
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    if (f.next >= f.node.children.length) {
      out.push(`</${f.node.name}>`);
      frames.pop();
      continue;
    }
    const c = f.node.children[f.next++];
    if (typeof c === 'string') out.push(escape(c, false));
    else if (isXmlName(c.name)) enter(c);
  }
  return out.join('');
}

/**
 * A document as we may emit it: the text itself when it is already strict XML 1.0 (so a proxied BBB
 * answer keeps its bytes), else the same document re-written by `serializeElement` after the
 * declaration. Text that is not a document at all keeps its markup with its characters made valid.
 */
export function strictXmlDocument(text: string): string {
  let parsed: ParsedXml;
  try {
    parsed = parseXml(text);
  } catch {
    return xmlChars(text);
  }
  if (parsed.strict) return text;
  return `<?xml version="1.0"?>\n${serializeElement(parsed.root)}\n`;
}

/**
 * fast-xml-parser's object shape of an element (attributes ignored, values as strings), built on
 * null-prototype objects: an element with only text is that text ('' when empty); one with elements is
 * an object of its children by name (a repeated name: an array; its text, if any, under `#text`).
 */
export function plainObject(node: XmlNode): unknown {
  // post-order without recursion: every node's value is computed after its children's
  const order: XmlNode[] = [];
  const todo = [node];
  while (todo.length > 0) {
    const n = todo.pop()!;
    order.push(n);
    for (const c of n.children) if (typeof c !== 'string') todo.push(c);
  }
  const values = new Map<XmlNode, unknown>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    const elements = childElements(n);
    const text = textOf(n);
    if (elements.length === 0) {
      values.set(n, text);
      continue;
    }
    const obj = Object.create(null) as Record<string, unknown>;
    for (const c of elements) {
      const v = values.get(c);
      // an element's own value is a string or an object, so an array here is the list of a repeated name
      if (!Object.hasOwn(obj, c.name)) obj[c.name] = v;
      else if (Array.isArray(obj[c.name])) (obj[c.name] as unknown[]).push(v);
      else obj[c.name] = [obj[c.name], v];
    }
    if (text !== '' && !Object.hasOwn(obj, '#text')) obj['#text'] = text;
    values.set(n, obj);
  }
  return values.get(node);
}
