import { createHash, timingSafeEqual } from 'node:crypto';
import type { Algorithm } from './fake-bbb-types.js';

const ALGORITHM_BY_HEX_LENGTH: Record<number, Algorithm> = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

/** Algorithm BBB would pick for a checksum of this length (undefined for other lengths). */
export function algorithmForChecksum(checksum: string): Algorithm | undefined {
  return ALGORITHM_BY_HEX_LENGTH[checksum.length];
}

/** Lowercase hex digest of `call + query + secret`. */
export function bbbChecksum(algorithm: Algorithm, call: string, query: string, secret: string): string {
  return createHash(algorithm).update(call + query + secret, 'utf8').digest('hex');
}

/** Raw (undecoded) value of the last `checksum` param of a raw query string. */
export function rawChecksumValue(rawQuery: string): string | undefined {
  let found: string | undefined;
  for (const segment of rawQuery.split('&')) {
    if (segment === 'checksum' || segment.startsWith('checksum=')) found = segment.slice('checksum='.length);
  }
  return found;
}

/** Textual removal of the checksum param, like BBB's ApiController does (all occurrences, three patterns). */
export function stripChecksumParam(rawQuery: string, checksum: string): string {
  return rawQuery
    .split(`&checksum=${checksum}`).join('')
    .split(`checksum=${checksum}&`).join('')
    .split(`checksum=${checksum}`).join('');
}

export interface ChecksumVerdict {
  valid: boolean;
  algorithm?: Algorithm;
}

/** Verify a request the way BBB does: against the raw query exactly as received, lowercase hex only. */
export function verifyBbbChecksum(call: string, rawQuery: string, secret: string): ChecksumVerdict {
  const checksum = rawChecksumValue(rawQuery);
  if (checksum === undefined) return { valid: false };
  const algorithm = algorithmForChecksum(checksum);
  if (!algorithm || !/^[0-9a-f]+$/.test(checksum)) return { valid: false, algorithm };
  const expected = bbbChecksum(algorithm, call, stripChecksumParam(rawQuery, checksum), secret);
  const valid = timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(checksum, 'utf8'));
  return { valid, algorithm };
}

/** Test helper: `${baseUrl}/${call}?${query}&checksum=...` (or `?checksum=...` when the query is empty). */
export function signBbbUrl(
  baseUrl: string,
  call: string,
  query: string,
  secret: string,
  algorithm: Algorithm = 'sha1',
): string {
  const checksum = bbbChecksum(algorithm, call, query, secret);
  return query === ''
    ? `${baseUrl}/${call}?checksum=${checksum}`
    : `${baseUrl}/${call}?${query}&checksum=${checksum}`;
}
