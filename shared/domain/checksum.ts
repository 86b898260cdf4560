import { createHash, timingSafeEqual } from 'node:crypto';
import { parseQuery } from './params.js';

export type Algorithm = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
export const ALL_ALGORITHMS: readonly Algorithm[] = ['SHA1', 'SHA256', 'SHA384', 'SHA512'];

const BY_LENGTH: Record<number, Algorithm> = { 40: 'SHA1', 64: 'SHA256', 96: 'SHA384', 128: 'SHA512' };
const NODE_NAME: Record<Algorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const STRENGTH: readonly Algorithm[] = ['SHA512', 'SHA384', 'SHA256', 'SHA1'];

/** BBB picks the hash by the digest's length: 40 → SHA-1, 64 → SHA-256, 96 → SHA-384, 128 → SHA-512. */
export function algorithmForChecksum(checksum: string): Algorithm | undefined {
  return BY_LENGTH[checksum.length];
}

export function strongestAlgorithm(allowed: readonly Algorithm[]): Algorithm {
  return STRENGTH.find((a) => allowed.includes(a)) ?? 'SHA256';
}

export function hexDigest(algorithm: Algorithm, text: string): string {
  return createHash(NODE_NAME[algorithm]).update(text, 'utf8').digest('hex');
}

/** The raw query without its checksum parameter(s), and their values. */
export interface SplitQuery {
  /** the other `&`-separated segments, byte for byte and in their order, joined with `&` */
  rest: string;
  /** the decoded value of every segment whose decoded name is `checksum` (`''` for a bare `checksum`) */
  checksums: string[];
}

/**
 * Finds the checksum parameter by parsing, as BBB does (invariant 8), never by searching for
 * `checksum=<v>` text: the raw query is split on `&`, and a segment is the checksum parameter when its
 * name — the text before the first `=`, percent- and `+`-decoded as BBB's servlet decodes names — is
 * exactly `checksum` (so `%63hecksum` is one too). Every other segment is kept as sent. A caller must
 * refuse more than one checksum parameter: with two, which one a server reads is anybody's guess.
 */
export function splitChecksum(rawQuery: string): SplitQuery {
  const rest: string[] = [];
  const checksums: string[] = [];
  for (const segment of rawQuery.split('&')) {
    const eq = segment.indexOf('=');
    // parseQuery decodes exactly as the request's parameters are decoded (one segment → at most one entry)
    const parsed = parseQuery(eq === -1 ? segment : `${segment.slice(0, eq)}=`);
    if (parsed.has('checksum')) checksums.push(eq === -1 ? '' : (parseQuery(`c=${segment.slice(eq + 1)}`).get('c') ?? ''));
    else rest.push(segment);
  }
  return { rest: rest.join('&'), checksums };
}

export interface ChecksumInput {
  apiName: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  /**
   * A checksum sent outside the query (the admin API's JSON body), used only when the query has no
   * checksum parameter; the query's own checksum parameter always wins.
   */
  checksum?: string | undefined;
  secrets: readonly string[];
  allowed: readonly Algorithm[];
}

/**
 * True when `checksum` is the digest of `text + secret` for one of the secrets, with the algorithm its
 * length names, if that algorithm is allowed. Constant-time per comparison, and every secret is compared.
 */
export function checksumMatches(text: string, checksum: string | undefined, secrets: readonly string[], allowed: readonly Algorithm[]): boolean {
  if (!checksum || checksum.trim() === '' || secrets.length === 0) return false;
  const algorithm = algorithmForChecksum(checksum);
  if (!algorithm || !allowed.includes(algorithm)) return false;
  const given = Buffer.from(checksum, 'utf8');
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hexDigest(algorithm, text + secret), 'utf8');
    // Every secret is compared (no early exit) so timing does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

/**
 * The query check (BBB's GET checksum): `H(apiName + query without its checksum parameter + secret)` over
 * the raw bytes. More than one checksum parameter in the query fails.
 */
export function verifyChecksum(input: ChecksumInput): boolean {
  const { rest, checksums } = splitChecksum(input.rawQuery);
  if (checksums.length > 1) return false;
  const checksum = checksums.length === 1 ? checksums[0] : input.checksum;
  return checksumMatches(input.apiName + rest, checksum, input.secrets, input.allowed);
}
