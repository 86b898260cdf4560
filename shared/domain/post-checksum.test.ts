import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_ALGORITHMS, type Algorithm } from './checksum.js';
import { formPairs, javaUrlEncode, postCheckString, verifyRequestChecksum, type FormPair, type RequestChecksumInput } from './post-checksum.js';

const NODE: Record<Algorithm, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const sign = (algorithm: Algorithm, text: string) => createHash(NODE[algorithm]).update(text, 'utf8').digest('hex');
const SECRET = 'lb-secret-1';

/** Independent reference for Java's URLEncoder: encodeURIComponent keeps `!'()~` too, Java does not; space is `+`. */
const javaRef = (v: string) =>
  encodeURIComponent(v)
    .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** What a BBB client posting a form computes (BBB's PostChecksum): sorted names, Java-encoded values. */
const postSign = (apiName: string, params: [string, string][], algorithm: Algorithm = 'SHA1', secret = SECRET) =>
  sign(
    algorithm,
    apiName +
      [...params]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([n, v]) => `${n}=${javaRef(v)}`)
        .join('&') +
      secret,
  );

const input = (over: Partial<RequestChecksumInput>): RequestChecksumInput => ({
  apiName: 'create',
  rawQuery: '',
  bodyParams: [],
  secrets: [SECRET],
  allowed: ALL_ALGORITHMS,
  ...over,
});

describe('javaUrlEncode (java.net.URLEncoder.encode(value, "UTF-8"))', () => {
  it('keeps alphanumerics and . - * _; space → +; everything else %XX of the UTF-8 bytes, upper case', () => {
    expect(javaUrlEncode('aZ09.-*_')).toBe('aZ09.-*_');
    expect(javaUrlEncode('a b')).toBe('a+b');
    expect(javaUrlEncode("~'!()+&=%/?#")).toBe('%7E%27%21%28%29%2B%26%3D%25%2F%3F%23');
    expect(javaUrlEncode('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
    expect(javaUrlEncode('\n\u0000')).toBe('%0A%00');
    expect(javaUrlEncode('')).toBe('');
  });

  it('agrees with the reference on every ASCII character', () => {
    for (let i = 0; i < 128; i++) {
      const ch = String.fromCharCode(i);
      expect(javaUrlEncode(ch), `char ${i}`).toBe(javaRef(ch));
    }
  });

  it('encodes a lone surrogate as Java does (?)', () => {
    expect(javaUrlEncode('a\uD800b')).toBe('a%3Fb');
  });
});

describe('formPairs', () => {
  it('keeps every repeat in order, decodes as the request parameters are decoded', () => {
    expect(formPairs('b=2&a=1&b=3&c&d=x+y%21&=skipped&&e=')).toEqual([
      ['b', '2'],
      ['a', '1'],
      ['b', '3'],
      ['c', null],
      ['d', 'x y!'],
      ['e', ''],
    ]);
    expect(formPairs('')).toEqual([]);
  });
});

describe('postCheckString (BBB PostChecksum)', () => {
  it('sorts by name (repeats keep their order), encodes values only, drops checksum, bare keys have an empty value', () => {
    const pairs: FormPair[] = [
      ['name', 'Room 1*'],
      ['meetingID', 'm~1'],
      ['checksum', 'x'],
      ['b', '2'],
      ['B', 'upper'],
      ['b', '1'],
      ['bare', null],
    ];
    expect(postCheckString(pairs)).toBe('B=upper&b=2&b=1&bare=&meetingID=m%7E1&name=Room+1*');
  });

  it('is empty for no parameters', () => {
    expect(postCheckString([])).toBe('');
  });

  it('refuses (undefined) a name that would make the string ambiguous: & = % +', () => {
    for (const name of ['a&b', 'a=b', 'a%62', 'a+b']) expect(postCheckString([[name, 'v']]), name).toBeUndefined();
  });
});

describe('verifyRequestChecksum', () => {
  const body: FormPair[] = [
    ['meetingID', 'm 1'],
    ['name', "O'Brien & Co"],
  ];
  const bodySigned = (algorithm: Algorithm = 'SHA1') => postSign('create', [['meetingID', 'm 1'], ['name', "O'Brien & Co"]], algorithm);

  describe('no body parameter: the raw query check', () => {
    it('accepts H(apiName + raw query without checksum + secret)', () => {
      const checksum = sign('SHA256', 'createmeetingID=m1' + SECRET);
      expect(verifyRequestChecksum(input({ rawQuery: `meetingID=m1&checksum=${checksum}` }))).toBe(true);
    });

    it('takes the checksum from a body that carries nothing else', () => {
      const checksum = sign('SHA1', "createmeetingID=m1&name=O'Brien" + SECRET);
      expect(verifyRequestChecksum(input({ rawQuery: "meetingID=m1&name=O'Brien", bodyParams: [['checksum', checksum]] }))).toBe(true);
    });

    it('refuses a missing checksum, or more than one (query, body, or both)', () => {
      const checksum = sign('SHA1', 'createmeetingID=m1' + SECRET);
      expect(verifyRequestChecksum(input({ rawQuery: 'meetingID=m1' }))).toBe(false);
      expect(verifyRequestChecksum(input({ rawQuery: `meetingID=m1&checksum=${checksum}&checksum=${checksum}` }))).toBe(false);
      expect(verifyRequestChecksum(input({ rawQuery: `meetingID=m1&checksum=${checksum}`, bodyParams: [['checksum', checksum]] }))).toBe(false);
      expect(
        verifyRequestChecksum(
          input({
            rawQuery: 'meetingID=m1',
            bodyParams: [
              ['checksum', checksum],
              ['checksum', checksum],
            ],
          }),
        ),
      ).toBe(false);
    });
  });

  describe('body parameters: the PostChecksum string over query and body', () => {
    it.each(ALL_ALGORITHMS.map((a) => [a]))('accepts a %s BBB-style form POST: empty query, checksum in the body', (algorithm) => {
      expect(verifyRequestChecksum(input({ bodyParams: [...body, ['checksum', bodySigned(algorithm)]] }))).toBe(true);
    });

    it('accepts the checksum in the query', () => {
      expect(verifyRequestChecksum(input({ rawQuery: `checksum=${bodySigned()}`, bodyParams: body }))).toBe(true);
    });

    it('signs query and body parameters together, sorted', () => {
      const checksum = postSign('create', [
        ['meetingID', 'm 1'],
        ['name', "O'Brien & Co"],
        ['record', 'true'],
        ['attendeePW', 'ap'],
      ]);
      expect(verifyRequestChecksum(input({ rawQuery: `record=true&attendeePW=ap&checksum=${checksum}`, bodyParams: body }))).toBe(true);
    });

    it('refuses a body signed only by the query (Scalelite: H(apiName + "" + secret) with everything in the body)', () => {
      const emptyQuery = sign('SHA1', 'create' + SECRET);
      expect(verifyRequestChecksum(input({ rawQuery: `checksum=${emptyQuery}`, bodyParams: body }))).toBe(false);
      const signedQuery = sign('SHA1', 'createmeetingID=m1' + SECRET);
      expect(verifyRequestChecksum(input({ rawQuery: `meetingID=m1&checksum=${signedQuery}`, bodyParams: [['moderatorPW', 'evil']] }))).toBe(false);
    });

    it('refuses an added, removed or changed body parameter', () => {
      const checksum = bodySigned();
      expect(verifyRequestChecksum(input({ bodyParams: [...body, ['moderatorPW', 'x'], ['checksum', checksum]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ bodyParams: [body[0], ['checksum', checksum]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ bodyParams: [body[0], ['name', "O'Brien & Cp"], ['checksum', checksum]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ rawQuery: 'moderatorPW=x', bodyParams: [...body, ['checksum', checksum]] }))).toBe(false);
    });

    it('refuses a wrong secret, a disallowed algorithm, more than one checksum', () => {
      const wrong = postSign('create', [['meetingID', 'm 1'], ['name', "O'Brien & Co"]], 'SHA1', 'other');
      expect(verifyRequestChecksum(input({ bodyParams: [...body, ['checksum', wrong]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ bodyParams: [...body, ['checksum', bodySigned('SHA1')]], allowed: ['SHA256'] }))).toBe(false);
      const good = bodySigned();
      expect(verifyRequestChecksum(input({ rawQuery: `checksum=${good}`, bodyParams: [...body, ['checksum', good]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ bodyParams: [...body, ['checksum', good], ['checksum', good]] }))).toBe(false);
      expect(verifyRequestChecksum(input({ rawQuery: `%63hecksum=${good}&checksum=${good}`, bodyParams: body }))).toBe(false);
    });

    it('the order of repeats is signed: the value that wins (last; the query over the body) cannot be swapped', () => {
      // signed as body a=1, a=2 (a=2 wins downstream)
      const checksum = postSign('create', [
        ['a', '1'],
        ['a', '2'],
      ]);
      const ok = (rawQuery: string, bodyParams: FormPair[]) => verifyRequestChecksum(input({ rawQuery: `${rawQuery}checksum=${checksum}`, bodyParams }));
      expect(ok('', [['a', '1'], ['a', '2']])).toBe(true);
      expect(ok('', [['a', '2'], ['a', '1']])).toBe(false);
      // moving a=1 into the query would make it win: body values come first in the string, query values last
      expect(ok('a=1&', [['a', '2']])).toBe(false);
      expect(ok('a=2&', [['a', '1']])).toBe(true);
    });

    it('refuses a name the string cannot carry unambiguously (a name swallowing a signed neighbour)', () => {
      // signed: fullName=Bob, guest=true, meetingID=m → "fullName=Bob&guest=true&meetingID=m"
      const checksum = postSign('join', [
        ['fullName', 'Bob'],
        ['guest', 'true'],
        ['meetingID', 'm'],
      ]);
      const swallowed: FormPair[] = [
        ['fullName=Bob&guest', 'true'],
        ['meetingID', 'm'],
        ['checksum', checksum],
      ];
      expect(verifyRequestChecksum(input({ apiName: 'join', bodyParams: swallowed }))).toBe(false);
      expect(
        verifyRequestChecksum(
          input({
            apiName: 'join',
            bodyParams: [
              ['fullName', 'Bob'],
              ['guest', 'true'],
              ['meetingID', 'm'],
              ['checksum', checksum],
            ],
          }),
        ),
      ).toBe(true);
    });
  });
});
