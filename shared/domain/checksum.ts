import { createHash, timingSafeEqual } from 'node:crypto';

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

/**
 * Removes the checksum parameter from a raw query string textually, as Scalelite does:
 * every `&checksum=<v>`, else `checksum=<v>&`, else `checksum=<v>`, globally, left to right.
 */
export function stripChecksum(rawQuery: string, checksum: string): string {
  const alternatives = [`&checksum=${checksum}`, `checksum=${checksum}&`, `checksum=${checksum}`];
  let out = '';
  let i = 0;
  while (i < rawQuery.length) {
    const hit = alternatives.find((alt) => rawQuery.startsWith(alt, i));
    if (hit) {
      i += hit.length;
    } else {
      out += rawQuery[i];
      i += 1;
    }
  }
  return out;
}

export interface ChecksumInput {
  apiName: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  /** The `checksum` parameter (from the query or a form body). */
  checksum: string | undefined;
  secrets: readonly string[];
  allowed: readonly Algorithm[];
}

/** True when the checksum matches any secret with an allowed algorithm; constant-time per comparison. */
export function verifyChecksum(input: ChecksumInput): boolean {
  const { checksum, secrets, allowed } = input;
  if (!checksum || checksum.trim() === '' || secrets.length === 0) return false;
  const algorithm = algorithmForChecksum(checksum);
  if (!algorithm || !allowed.includes(algorithm)) return false;
  const base = input.apiName + stripChecksum(input.rawQuery, checksum);
  const given = Buffer.from(checksum, 'utf8');
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(hexDigest(algorithm, base + secret), 'utf8');
    // Every secret is compared (no early exit) so timing does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
