import { checksumMatches, splitChecksum, type Algorithm } from './checksum.js';
import { parseQuery } from './params.js';

/** One form parameter: name and value, decoded; `null` for a bare key (`?a`). */
export type FormPair = readonly [name: string, value: string | null];

/** Every parameter of a form string (a raw query or a urlencoded body), repeats included, in order. */
export function formPairs(raw: string): FormPair[] {
  const pairs: FormPair[] = [];
  // one segment at a time through parseQuery: exactly the decoding of the request's parameters
  for (const segment of raw.split('&')) for (const pair of parseQuery(segment)) pairs.push(pair);
  return pairs;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `java.net.URLEncoder.encode(value, "UTF-8")`: ASCII letters, digits and `.-*_` stay, space becomes `+`,
 * every other byte of the UTF-8 encoding is `%XX` (upper case). A lone surrogate is `?` (as Java's encoder).
 */
export function javaUrlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text.replace(LONE_SURROGATE, '?'), 'utf8')) {
    if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2e || byte === 0x2d || byte === 0x2a || byte === 0x5f) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A name the check string cannot carry unambiguously. BBB writes names as they are (only values are
 * encoded): a name holding `&` or `=` could swallow a signed neighbour (`fullName=Bob&guest` = `true`
 * reads as `fullName=Bob&guest=true`), and one holding `%` or `+` would read differently as a raw query.
 */
const UNSIGNABLE_NAME = /[&=%+]/;

/**
 * BBB's `PostChecksum` string (`ValidationService.buildQueryStringFromParamsMap`): the parameters except
 * `checksum`, sorted by name (Java `String` order = UTF-16 code units; repeats of a name keep their order),
 * each as `name=URLEncoder.encode(value)`, joined with `&`. A bare key has the empty value (as the
 * servlet gives it). `undefined` when a name cannot be signed unambiguously (see `UNSIGNABLE_NAME`).
 */
export function postCheckString(pairs: readonly FormPair[]): string | undefined {
  const signed = pairs.filter(([name]) => name !== 'checksum');
  if (signed.some(([name]) => UNSIGNABLE_NAME.test(name))) return undefined;
  // Array.prototype.sort is stable: repeats of a name stay in their order
  const sorted = [...signed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map(([name, value]) => `${name}=${javaUrlEncode(value ?? '')}`).join('&');
}

export interface RequestChecksumInput {
  apiName: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  /** The parameters of a form (urlencoded or multipart) body, repeats included, in order; `[]` for none. */
  bodyParams: readonly FormPair[];
  secrets: readonly string[];
  allowed: readonly Algorithm[];
}

/**
 * The BBB API's checksum (invariant 8: no parameter reaches a BBB server or the store unsigned).
 * Exactly one `checksum` parameter, in the query or the body (none, or two, fails).
 * - The body adds no parameter (no body, or a body holding only the checksum): the query check,
 *   `H(apiName + raw query without its checksum parameter + secret)`.
 * - Otherwise BBB's form-POST check over the query's and the body's parameters together:
 *   `H(apiName + postCheckString(body parameters, then query parameters) + secret)`. Body before query,
 *   so the value that wins for a repeated name downstream (the query's over the body's, the last of
 *   each) is the last one in the string: a signature fixes which value is used.
 */
export function verifyRequestChecksum(input: RequestChecksumInput): boolean {
  const { rest, checksums: queryChecksums } = splitChecksum(input.rawQuery);
  const bodyChecksums = input.bodyParams.filter(([name]) => name === 'checksum').map(([, value]) => value ?? '');
  const checksums = [...queryChecksums, ...bodyChecksums];
  if (checksums.length !== 1) return false;
  const [checksum] = checksums;
  const bodySigned = input.bodyParams.filter(([name]) => name !== 'checksum');
  if (bodySigned.length === 0) return checksumMatches(input.apiName + rest, checksum, input.secrets, input.allowed);
  const text = postCheckString([...bodySigned, ...formPairs(input.rawQuery)]);
  if (text === undefined) return false;
  return checksumMatches(input.apiName + text, checksum, input.secrets, input.allowed);
}
