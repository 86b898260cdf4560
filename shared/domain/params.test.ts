import { describe, expect, it } from 'vitest';
import { encodeComponent, encodeQuery, mergeRequestParams, parseParamList, parseQuery, presentParam, type Params } from './params.js';

const entries = (p: Params) => [...p.entries()];

describe('parseQuery', () => {
  it('returns an empty map for an empty string', () => {
    expect(parseQuery('').size).toBe(0);
  });

  it('keeps parameters in arrival order', () => {
    expect(entries(parseQuery('b=2&a=1&c=3'))).toEqual([
      ['b', '2'],
      ['a', '1'],
      ['c', '3'],
    ]);
  });

  it('decodes + as a space and %XX escapes (UTF-8), %2B as a literal +', () => {
    const p = parseQuery('name=Room+1%21&who=J%C3%BCrgen&plus=a%2Bb&k%20ey=v');
    expect(p.get('name')).toBe('Room 1!');
    expect(p.get('who')).toBe('Jürgen');
    expect(p.get('plus')).toBe('a+b');
    expect(p.get('k ey')).toBe('v');
  });

  it('does not throw on malformed escapes and keeps them literally', () => {
    expect(() => parseQuery('a=%zz&b=%&c=%4')).not.toThrow();
    const p = parseQuery('a=%zz&b=%&c=%4');
    expect(p.get('a')).toBe('%zz');
    expect(p.get('b')).toBe('%');
    expect(p.get('c')).toBe('%4');
  });

  it('still decodes the valid UTF-8 escapes next to a malformed one', () => {
    expect(parseQuery('name=J%C3%BCrgen+%zz').get('name')).toBe('Jürgen %zz');
  });

  it('does not throw on escapes that are not valid UTF-8', () => {
    expect(() => parseQuery('a=%FF%FE&b=%ED%A0%80')).not.toThrow();
    expect(parseQuery('a=%FF&b=1').get('b')).toBe('1');
  });

  it('gives bare keys a null value and keeps an explicit empty value as ""', () => {
    const p = parseQuery('a&b=&c=1');
    expect(p.get('a')).toBeNull();
    expect(p.has('a')).toBe(true);
    expect(p.get('b')).toBe('');
    expect(p.get('c')).toBe('1');
  });

  it('lets the last value of a repeated key win, keeping its first position', () => {
    expect(entries(parseQuery('a=1&b=2&a=3'))).toEqual([
      ['a', '3'],
      ['b', '2'],
    ]);
  });

  it('skips empty parts and empty keys', () => {
    expect(entries(parseQuery('&&a=1&&=x&b=2&'))).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('splits only at the first = of a part', () => {
    expect(parseQuery('url=https://x/?a=1').get('url')).toBe('https://x/?a=1');
  });
});

describe('encodeComponent (URI.encode_www_form_component)', () => {
  it('keeps alphanumerics and * - . _', () => {
    expect(encodeComponent('AZaz09*-._')).toBe('AZaz09*-._');
  });

  it('encodes a space as +', () => {
    expect(encodeComponent('a b  c')).toBe('a+b++c');
  });

  it('percent-encodes everything else in uppercase hex, including ~ and +', () => {
    expect(encodeComponent('~')).toBe('%7E');
    expect(encodeComponent('+')).toBe('%2B');
    expect(encodeComponent("a&b=c/d?e'f!(g)")).toBe('a%26b%3Dc%2Fd%3Fe%27f%21%28g%29');
    expect(encodeComponent('%')).toBe('%25');
    expect(encodeComponent('\n')).toBe('%0A');
  });

  it('encodes the UTF-8 bytes of non-ASCII text', () => {
    expect(encodeComponent('ü')).toBe('%C3%BC');
    expect(encodeComponent('€')).toBe('%E2%82%AC');
    expect(encodeComponent('😀')).toBe('%F0%9F%98%80');
  });

  it('round-trips through parseQuery', () => {
    const text = "Jürgen's room ~ 100% + more & =";
    expect(parseQuery(`k=${encodeComponent(text)}`).get('k')).toBe(text);
  });
});

describe('encodeQuery (URI.encode_www_form)', () => {
  it('joins encoded pairs in map order', () => {
    const params: Params = new Map([
      ['name', 'Room 1'],
      ['meetingID', 'a~b'],
      ['meta_bbb-origin', 'Greenlight'],
    ]);
    expect(encodeQuery(params)).toBe('name=Room+1&meetingID=a%7Eb&meta_bbb-origin=Greenlight');
  });

  it('emits a bare key for a null value and key= for an empty string', () => {
    const params: Params = new Map<string, string | null>([
      ['password', null],
      ['empty', ''],
      ['a', '1'],
    ]);
    expect(encodeQuery(params)).toBe('password&empty=&a=1');
  });

  it('encodes keys too', () => {
    expect(encodeQuery(new Map([['a b', 'c']]))).toBe('a+b=c');
  });

  it('is empty for no parameters', () => {
    expect(encodeQuery(new Map())).toBe('');
  });
});

describe('mergeRequestParams', () => {
  it('puts body keys first and lets query values win', () => {
    const body: Params = new Map([
      ['a', 'body-a'],
      ['b', 'body-b'],
    ]);
    const query: Params = new Map([
      ['c', 'query-c'],
      ['a', 'query-a'],
    ]);
    expect(entries(mergeRequestParams(body, query))).toEqual([
      ['a', 'query-a'],
      ['b', 'body-b'],
      ['c', 'query-c'],
    ]);
  });

  it('does not modify its inputs', () => {
    const body: Params = new Map([['a', '1']]);
    const query: Params = new Map([['a', '2']]);
    mergeRequestParams(body, query);
    expect(body.get('a')).toBe('1');
    expect(query.get('a')).toBe('2');
  });
});

describe('presentParam', () => {
  const p: Params = new Map<string, string | null>([
    ['value', ' x '],
    ['empty', ''],
    ['blank', '  \t'],
    ['bare', null],
  ]);
  it('returns a non-blank value unchanged', () => {
    expect(presentParam(p, 'value')).toBe(' x ');
  });
  it('treats absent, bare, empty and blank as not present', () => {
    expect(presentParam(p, 'missing')).toBeUndefined();
    expect(presentParam(p, 'bare')).toBeUndefined();
    expect(presentParam(p, 'empty')).toBeUndefined();
    expect(presentParam(p, 'blank')).toBeUndefined();
  });
});

describe('parseParamList', () => {
  it('parses name=value pairs in order', () => {
    expect(entries(parseParamList('record=true,welcome=Hi there'))).toEqual([
      ['record', 'true'],
      ['welcome', 'Hi there'],
    ]);
  });

  it('keeps everything after the first = as the value', () => {
    expect(parseParamList('a=b=c').get('a')).toBe('b=c');
    expect(parseParamList('logoutURL=https://x/?a=1&b=2').get('logoutURL')).toBe('https://x/?a=1&b=2');
  });

  it('allows an empty value', () => {
    expect(parseParamList('a=').get('a')).toBe('');
  });

  it('is empty for an empty string and skips blank entries', () => {
    expect(parseParamList('').size).toBe(0);
    expect(entries(parseParamList('a=1,,b=2'))).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('lets a repeated name take the last value', () => {
    expect(parseParamList('a=1,a=2').get('a')).toBe('2');
  });

  it('throws on an entry without =, naming the entry', () => {
    expect(() => parseParamList('a=1,broken')).toThrow(/broken/);
    expect(() => parseParamList('=value')).toThrow();
  });
});
