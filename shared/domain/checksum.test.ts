import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALL_ALGORITHMS,
  algorithmForChecksum,
  hexDigest,
  stripChecksum,
  strongestAlgorithm,
  verifyChecksum,
  type Algorithm,
  type ChecksumInput,
} from './checksum.js';

const NODE: Record<Algorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
/** Independent reference: what a BBB client computes. */
const sign = (algorithm: Algorithm, text: string) => createHash(NODE[algorithm]).update(text, 'utf8').digest('hex');

const SECRET = 'lb-secret-1';

function input(over: Partial<ChecksumInput> & { checksum: string | undefined }): ChecksumInput {
  return { apiName: 'create', rawQuery: '', secrets: [SECRET], allowed: ALL_ALGORITHMS, ...over };
}

describe('algorithmForChecksum', () => {
  it.each([
    [40, 'SHA1'],
    [64, 'SHA256'],
    [96, 'SHA384'],
    [128, 'SHA512'],
  ])('maps a %i-character digest to %s', (length, algorithm) => {
    expect(algorithmForChecksum('a'.repeat(length))).toBe(algorithm);
  });

  it.each([0, 1, 39, 41, 63, 65, 95, 97, 127, 129, 256])('knows no algorithm for length %i', (length) => {
    expect(algorithmForChecksum('a'.repeat(length))).toBeUndefined();
  });
});

describe('strongestAlgorithm', () => {
  it('prefers SHA512 > SHA384 > SHA256 > SHA1 regardless of list order', () => {
    expect(strongestAlgorithm(['SHA1', 'SHA256', 'SHA384', 'SHA512'])).toBe('SHA512');
    expect(strongestAlgorithm(['SHA512', 'SHA1'])).toBe('SHA512');
    expect(strongestAlgorithm(['SHA256', 'SHA384', 'SHA1'])).toBe('SHA384');
    expect(strongestAlgorithm(['SHA1', 'SHA256'])).toBe('SHA256');
    expect(strongestAlgorithm(['SHA1'])).toBe('SHA1');
  });

  it('falls back to SHA256 for an empty list', () => {
    expect(strongestAlgorithm([])).toBe('SHA256');
  });
});

describe('hexDigest', () => {
  it('is the lowercase hex digest of the UTF-8 text', () => {
    expect(hexDigest('SHA1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hexDigest('SHA256', 'héllo')).toBe(sign('SHA256', 'héllo'));
    expect(hexDigest('SHA384', 'x')).toHaveLength(96);
    expect(hexDigest('SHA512', 'x')).toHaveLength(128);
  });
});

describe('stripChecksum', () => {
  const c = 'abc123';
  it('removes a checksum that comes first', () => {
    expect(stripChecksum(`checksum=${c}&meetingID=m1&name=n`, c)).toBe('meetingID=m1&name=n');
  });
  it('removes a checksum in the middle', () => {
    expect(stripChecksum(`meetingID=m1&checksum=${c}&name=n`, c)).toBe('meetingID=m1&name=n');
  });
  it('removes a checksum that comes last', () => {
    expect(stripChecksum(`meetingID=m1&name=n&checksum=${c}`, c)).toBe('meetingID=m1&name=n');
  });
  it('leaves nothing when the checksum is the only parameter', () => {
    expect(stripChecksum(`checksum=${c}`, c)).toBe('');
  });
  it('removes every occurrence of a repeated checksum', () => {
    expect(stripChecksum(`checksum=${c}&a=1&checksum=${c}`, c)).toBe('a=1');
    expect(stripChecksum(`a=1&checksum=${c}&b=2&checksum=${c}&c=3`, c)).toBe('a=1&b=2&c=3');
  });
  it('leaves a checksum with a different value and the rest of the query untouched', () => {
    expect(stripChecksum('a=1&checksum=other&b=2', c)).toBe('a=1&checksum=other&b=2');
    expect(stripChecksum("name=O'Brien+x%20y&checksum=" + c, c)).toBe("name=O'Brien+x%20y");
  });
  it('is a no-op on a query without a checksum', () => {
    expect(stripChecksum('a=1&b=2', c)).toBe('a=1&b=2');
    expect(stripChecksum('', c)).toBe('');
  });
});

describe('verifyChecksum', () => {
  const rawQuery = 'meetingID=m1&name=Room+1';
  const base = `create${rawQuery}`;

  it.each(ALL_ALGORITHMS.map((a) => [a]))('accepts a %s checksum over apiName + query + secret', (algorithm) => {
    const checksum = sign(algorithm, base + SECRET);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${checksum}`, checksum }))).toBe(true);
  });

  it('computes over the query with the checksum removed wherever it stands', () => {
    const checksum = sign('SHA256', base + SECRET);
    expect(verifyChecksum(input({ rawQuery: `checksum=${checksum}&${rawQuery}`, checksum }))).toBe(true);
    expect(verifyChecksum(input({ rawQuery: `meetingID=m1&checksum=${checksum}&name=Room+1`, checksum }))).toBe(true);
  });

  it('includes the api name', () => {
    const checksum = sign('SHA1', base + SECRET);
    expect(verifyChecksum(input({ apiName: 'join', rawQuery: `${rawQuery}&checksum=${checksum}`, checksum }))).toBe(false);
  });

  it('accepts a checksum made with any of several secrets', () => {
    const secrets = ['first', 'second', 'third'];
    for (const secret of secrets) {
      const checksum = sign('SHA1', base + secret);
      expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${checksum}`, checksum, secrets }))).toBe(true);
    }
  });

  it('rejects a checksum made with a wrong secret', () => {
    const checksum = sign('SHA256', base + 'not-the-secret');
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${checksum}`, checksum, secrets: [SECRET, 'other'] }))).toBe(false);
  });

  it('rejects an uppercase hex digest', () => {
    const checksum = sign('SHA1', base + SECRET).toUpperCase();
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${checksum}`, checksum }))).toBe(false);
  });

  it('rejects a missing, empty or blank checksum', () => {
    // sha1("create" + "" + secret) would be the checksum of an empty query: it must not matter
    expect(verifyChecksum(input({ rawQuery: '', checksum: undefined }))).toBe(false);
    expect(verifyChecksum(input({ rawQuery: 'checksum=', checksum: '' }))).toBe(false);
    expect(verifyChecksum(input({ rawQuery: 'checksum=+++', checksum: '   ' }))).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    const checksum = sign('SHA1', base);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${checksum}`, checksum, secrets: [] }))).toBe(false);
  });

  it('rejects a correct checksum whose algorithm is not allowed', () => {
    const sha1 = sign('SHA1', base + SECRET);
    const sha384 = sign('SHA384', base + SECRET);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${sha1}`, checksum: sha1, allowed: ['SHA256', 'SHA512'] }))).toBe(false);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${sha384}`, checksum: sha384, allowed: ['SHA1', 'SHA256', 'SHA512'] }))).toBe(
      false,
    );
    // the same checksums pass once allowed
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${sha1}`, checksum: sha1, allowed: ['SHA1'] }))).toBe(true);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${sha384}`, checksum: sha384, allowed: ['SHA384'] }))).toBe(true);
  });

  it('rejects a 40-character string that is not hex, and a digest of another length', () => {
    const notHex = 'z'.repeat(40);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${notHex}`, checksum: notHex }))).toBe(false);
    const truncated = sign('SHA256', base + SECRET).slice(0, 63);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${truncated}`, checksum: truncated }))).toBe(false);
  });

  it("uses the raw query exactly as received ('  +  %20 are not re-encoded or decoded)", () => {
    const raw = "name=O'Brien+x%20y&meetingID=a%2Bb";
    const checksum = sign('SHA1', `create${raw}${SECRET}`);
    expect(verifyChecksum(input({ rawQuery: `${raw}&checksum=${checksum}`, checksum }))).toBe(true);
    // a client that signed a differently encoded (but equivalent) query is rejected
    const reencoded = 'name=O%27Brien%20x%20y&meetingID=a%2Bb';
    const other = sign('SHA1', `create${reencoded}${SECRET}`);
    expect(verifyChecksum(input({ rawQuery: `${raw}&checksum=${other}`, checksum: other }))).toBe(false);
  });

  it('signs just apiName + secret when the parameters came in a POST body', () => {
    const checksum = sign('SHA256', `create${SECRET}`);
    expect(verifyChecksum(input({ rawQuery: '', checksum }))).toBe(true);
  });
});
