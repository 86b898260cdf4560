import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ALL_ALGORITHMS,
  algorithmForChecksum,
  hexDigest,
  splitChecksum,
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

describe('splitChecksum', () => {
  const c = 'abc123';
  it('removes a checksum that comes first, in the middle or last; the rest keeps its bytes and order', () => {
    expect(splitChecksum(`checksum=${c}&meetingID=m1&name=n`)).toEqual({ rest: 'meetingID=m1&name=n', checksums: [c] });
    expect(splitChecksum(`meetingID=m1&checksum=${c}&name=n`)).toEqual({ rest: 'meetingID=m1&name=n', checksums: [c] });
    expect(splitChecksum(`meetingID=m1&name=n&checksum=${c}`)).toEqual({ rest: 'meetingID=m1&name=n', checksums: [c] });
    expect(splitChecksum(`name=O'Brien+x%20y&checksum=${c}`)).toEqual({ rest: "name=O'Brien+x%20y", checksums: [c] });
  });
  it('leaves nothing when the checksum is the only parameter', () => {
    expect(splitChecksum(`checksum=${c}`)).toEqual({ rest: '', checksums: [c] });
  });
  it('keeps empty segments as sent (only the checksum parameter is taken out)', () => {
    expect(splitChecksum(`a=1&&checksum=${c}&b=2&`)).toEqual({ rest: 'a=1&&b=2&', checksums: [c] });
  });
  it('reports every checksum parameter (a repeat is for the caller to refuse)', () => {
    expect(splitChecksum(`checksum=${c}&a=1&checksum=${c}`)).toEqual({ rest: 'a=1', checksums: [c, c] });
    expect(splitChecksum('a=1&checksum=x&b=2&checksum=y')).toEqual({ rest: 'a=1&b=2', checksums: ['x', 'y'] });
  });
  it('never removes checksum text inside another parameter’s name or value', () => {
    expect(splitChecksum(`guestchecksum=${c}=true&checksum=${c}`)).toEqual({ rest: `guestchecksum=${c}=true`, checksums: [c] });
    expect(splitChecksum(`fullName=Achecksum=${c}&checksum=${c}`)).toEqual({ rest: `fullName=Achecksum=${c}`, checksums: [c] });
    expect(splitChecksum(`xchecksum=${c}&a=1`)).toEqual({ rest: `xchecksum=${c}&a=1`, checksums: [] });
    expect(splitChecksum(`a=checksum%3D${c}`)).toEqual({ rest: `a=checksum%3D${c}`, checksums: [] });
  });
  it('a value that merely starts with the checksum is that parameter’s whole value', () => {
    expect(splitChecksum(`a=1&checksum=${c}checksum=${c}`)).toEqual({ rest: 'a=1', checksums: [`${c}checksum=${c}`] });
  });
  it('the name is compared decoded, as BBB’s servlet does: %63hecksum is a checksum parameter', () => {
    expect(splitChecksum(`a=1&%63hecksum=${c}`)).toEqual({ rest: 'a=1', checksums: [c] });
    expect(splitChecksum(`checksum=${c}&%63hecksum=${c}`)).toEqual({ rest: '', checksums: [c, c] });
    // names that only resemble it are ordinary parameters
    expect(splitChecksum(`Checksum=${c}&checksum+=${c}&checksum%00=${c}&checksum[]=${c}`)).toEqual({
      rest: `Checksum=${c}&checksum+=${c}&checksum%00=${c}&checksum[]=${c}`,
      checksums: [],
    });
  });
  it('the value is decoded; a bare `checksum` has an empty value', () => {
    expect(splitChecksum('checksum=%61bc').checksums).toEqual(['abc']);
    expect(splitChecksum('a=1&checksum')).toEqual({ rest: 'a=1', checksums: [''] });
  });
  it('is a no-op on a query without a checksum', () => {
    expect(splitChecksum('a=1&b=2')).toEqual({ rest: 'a=1&b=2', checksums: [] });
    expect(splitChecksum('')).toEqual({ rest: '', checksums: [] });
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

  it('takes a checksum given outside the query (the admin API\'s JSON body) when the query has none', () => {
    const checksum = sign('SHA256', `create${SECRET}`);
    expect(verifyChecksum(input({ rawQuery: '', checksum }))).toBe(true);
    const withQuery = sign('SHA256', base + SECRET);
    expect(verifyChecksum(input({ rawQuery, checksum: withQuery }))).toBe(true);
  });

  it('the checksum parameter of the query wins over one given outside it', () => {
    const good = sign('SHA1', base + SECRET);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${'0'.repeat(40)}`, checksum: good }))).toBe(false);
    expect(verifyChecksum(input({ rawQuery: `${rawQuery}&checksum=${good}`, checksum: '0'.repeat(40) }))).toBe(true);
  });

  describe('smuggling (invariant 8: parse, never substring)', () => {
    const signed = 'fullName=Bob&meetingID=m1&password=ap&guest=true';
    const good = sign('SHA1', `join${signed}${SECRET}`);
    const join = (raw: string, checksum: string | undefined = good) => verifyChecksum(input({ apiName: 'join', rawQuery: raw, checksum }));

    it('accepts the signed query itself (control)', () => {
      expect(join(`${signed}&checksum=${good}`)).toBe(true);
    });

    it.each([
      ['in a name, hiding guest=true', `fullName=Bob&meetingID=m1&password=ap&guestchecksum=${good}=true&checksum=${good}`],
      ['in a value', `fullName=Bobchecksum=${good}&meetingID=m1&password=ap&guest=true&checksum=${good}`],
      ['glued to the checksum value', `${signed}&checksum=${good}checksum=${good}`],
      ['as a second checksum parameter', `${signed}&checksum=${good}&checksum=${good}`],
      ['as a second, percent-encoded checksum parameter', `${signed}&checksum=${good}&%63hecksum=${good}`],
      ['with an extra parameter signed as "checksum=…" text', `${signed}&role=MODERATORchecksum=${good}&checksum=${good}`],
      ['before an extra parameter', `${signed}&checksum=${good}&createTime=1`],
    ])('refuses checksum text %s', (_name, raw) => {
      expect(join(raw)).toBe(false);
    });

    it('a lone percent-encoded checksum parameter is the checksum (as BBB decodes names) and nothing else passes with it', () => {
      expect(join(`${signed}&%63hecksum=${good}`)).toBe(true);
      expect(join(`${signed}&%63hecksum=${good}&createTime=1`)).toBe(false);
    });
  });
});
