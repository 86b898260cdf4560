/**
 * Ordered request parameters. A `null` value is a bare key (`?a&b=1` → a: null), which is
 * forwarded as a bare key again. Setting an existing key keeps its position (Ruby Hash semantics).
 */
export type Params = Map<string, string | null>;

function decodeComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed escapes (`%zz`, a stray `%`) stay literal; the valid `%XX` escapes around them are still
    // decoded as UTF-8 bytes (not one Latin-1 character per byte); invalid UTF-8 becomes U+FFFD.
    const bytes: number[] = [];
    for (let i = 0; i < spaced.length; ) {
      if (spaced[i] === '%' && /^[0-9a-fA-F]{2}$/.test(spaced.slice(i + 1, i + 3))) {
        bytes.push(parseInt(spaced.slice(i + 1, i + 3), 16));
        i += 3;
      } else {
        const cp = spaced.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, 'utf8'));
        i += ch.length;
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** Parses an `application/x-www-form-urlencoded` string (a raw query or a form body). Last value wins. */
export function parseQuery(raw: string): Params {
  const params: Params = new Map();
  if (!raw) return params;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? null : decodeComponent(part.slice(eq + 1));
    if (key === '') continue;
    params.set(key, value);
  }
  return params;
}

/** `URI.encode_www_form_component`: space → `+`, alphanumerics and `*-._` kept, all else `%XX`. */
export function encodeComponent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `URI.encode_www_form`: keys in order, bare keys for `null` values. */
export function encodeQuery(params: Params): string {
  const parts: string[] = [];
  for (const [key, value] of params) {
    parts.push(value === null ? encodeComponent(key) : `${encodeComponent(key)}=${encodeComponent(value)}`);
  }
  return parts.join('&');
}

/** Rails' merge of body and query parameters: body keys first, query values win. */
export function mergeRequestParams(body: Params, query: Params): Params {
  const merged: Params = new Map(body);
  for (const [k, v] of query) merged.set(k, v);
  return merged;
}

/** The value of a parameter when it is present (not absent, not null, not blank). */
export function presentParam(params: Params, key: string): string | undefined {
  const value = params.get(key);
  return value !== null && value !== undefined && value.trim() !== '' ? value : undefined;
}

/** Parses `name=value,name=value` (value may contain `=` but not `,`). Throws on an entry without `=`. */
export function parseParamList(text: string): Params {
  const params: Params = new Map();
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`entry "${entry}" is not name=value`);
    params.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return params;
}

/** Names that must never become keys of a plain object (they reach or replace its prototype). */
export const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** What BBB makes of a `meta_` name: the rest, lower-cased (`meta_Origin` → `origin`). */
export const metaKeyOf = (name: string): string => name.slice(5).toLowerCase();

/**
 * Whether a parameter may be forwarded to BBB. BBB echoes a create's `meta_<name>` as the element
 * `<metadata><name>` (lower-cased) in getMeetings and getMeetingInfo, so a `meta_` name whose rest is not
 * a plain XML name — a letter or `_` first, then letters, digits, `.`, `_`, `-` (ASCII, no `:`) — or is a
 * prototype name (`__proto__`, `constructor`, `prototype`) would put a tag into BBB's documents that strict
 * XML consumers (or JavaScript objects) cannot take. Such parameters are dropped; every other one passes.
 * The `meta_` prefix is matched in any case (BBB's own match is case-sensitive: this only drops more).
 */
export function isForwardableParam(name: string): boolean {
  if (name.slice(0, 5).toLowerCase() !== 'meta_') return true;
  const key = metaKeyOf(name);
  return /^[a-z_][a-z0-9._-]*$/.test(key) && !PROTOTYPE_NAMES.has(key);
}
