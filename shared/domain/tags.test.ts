import { describe, expect, it } from 'vitest';
import { parseTagString, serverTagKey, tagStringForMessage } from './tags.js';

describe('parseTagString', () => {
  it.each([undefined, null, '', '   '])('has no tags for blank input %j', (text) => {
    expect(parseTagString(text)).toEqual({ tags: [], required: false });
  });

  it('treats a lone ! as no tags (not required)', () => {
    expect(parseTagString('!')).toEqual({ tags: [], required: false });
  });

  it('splits on ; keeping order and duplicates', () => {
    expect(parseTagString('b;a;b')).toEqual({ tags: ['b', 'a', 'b'], required: false });
  });

  it('makes the tags required with a trailing !', () => {
    expect(parseTagString('test!')).toEqual({ tags: ['test'], required: true });
    expect(parseTagString('test;test2!')).toEqual({ tags: ['test', 'test2'], required: true });
  });

  it('only treats the last character as the required marker', () => {
    expect(parseTagString('te!st')).toEqual({ tags: ['te!st'], required: false });
  });
});

describe('tagStringForMessage', () => {
  it('removes only a trailing !', () => {
    expect(tagStringForMessage('test;test2!')).toBe('test;test2');
    expect(tagStringForMessage('test3')).toBe('test3');
  });
});

describe('serverTagKey', () => {
  it('is the server tag, or none for an untagged server', () => {
    expect(serverTagKey('test')).toBe('test');
    expect(serverTagKey(undefined)).toBe('none');
    expect(serverTagKey('')).toBe('none');
  });
});
