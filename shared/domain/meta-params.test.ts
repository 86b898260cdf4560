/** `meta_` names BBB would echo as tags nobody can parse are never forwarded nor stored (issue 9, item 11). */
import { describe, expect, it } from 'vitest';
import { metadataOf } from '../app/create-params.js';
import { mergeParams } from './merge-params.js';
import { isForwardableParam, parseQuery } from './params.js';

const DROPPED = [
  'meta___proto__',
  'meta___PROTO__',
  'meta_constructor',
  'meta_Constructor',
  'meta_prototype',
  'META_constructor',
  'meta_',
  'meta_1abc',
  'meta_-x',
  'meta_.x',
  'meta_a b',
  'meta_a:b',
  'meta_<script>',
  'meta_a\u0001b',
  'meta_größe',
  'meta_a/b',
];
const KEPT = ['meta_bbb-origin', 'meta_Origin', 'meta_toString', 'meta_hasOwnProperty', 'meta__x', 'meta_a.b-c_d', 'meta_server-tag', 'meta_tenant-id', 'meetingID', '__proto__', 'constructor', 'toString', 'a\u0001b', 'metadata', 'meta'];

describe('isForwardableParam', () => {
  it.each(DROPPED)('drops %j', (name) => expect(isForwardableParam(name)).toBe(false));
  it.each(KEPT)('keeps %j', (name) => expect(isForwardableParam(name)).toBe(true));
});

describe('mergeParams drops them from every layer', () => {
  it('request, defaults and overrides alike; the other parameters keep their order', () => {
    const out = mergeParams({
      envDefaults: new Map([['meta___proto__', 'd'], ['record', 'true']]),
      tenantDefaults: new Map([['meta_constructor', 't']]),
      request: parseQuery('meetingID=m&meta_prototype=x&meta_ok=1&__proto__=p&meta_a%20b=2&meta_toString=s'),
      envOverrides: new Map([['meta_1x', 'o']]),
      tenantOverrides: new Map([['meta_:x', 'o'], ['meta_fine', 'f']]),
    });
    expect([...out]).toEqual([
      ['record', 'true'],
      ['meetingID', 'm'],
      ['meta_ok', '1'],
      ['__proto__', 'p'],
      ['meta_toString', 's'],
      ['meta_fine', 'f'],
    ]);
  });
});

describe('metadataOf', () => {
  it('stores what BBB will report (lower-cased), on a null-prototype object, without the dropped names', () => {
    const meta = metadataOf(parseQuery('meta___proto__=y&meta_constructor=x&meta_toString=z&meta_Origin=GL&meta_a%01b=c&meta_=e&name=n'));
    expect(Object.getPrototypeOf(meta)).toBeNull();
    expect(Object.keys(meta)).toEqual(['tostring', 'origin']);
    expect(meta.tostring).toBe('z');
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });

  it('is a plain map for DynamoDB (a `constructor` key used to make marshalling fail)', async () => {
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    expect(() => marshall({ metadata: { constructor: 'x' } })).toThrow(); // why the name must never be stored
    expect(marshall({ metadata: metadataOf(parseQuery('meta_constructor=x&meta_ok=1')) })).toEqual({ metadata: { M: { ok: { S: '1' } } } });
  });
});
