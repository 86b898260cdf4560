import { describe, expect, it } from 'vitest';
import type { Server } from '../shared/domain/entities.js';
import { formatServer, rubyFloat, serverJson } from './format-server.js';
import { parseLoadMultiplier, presentTag, newServerId } from './server-input.js';

describe('rubyFloat (Ruby Float#to_s)', () => {
  it.each([
    [0, '0.0'],
    [21, '21.0'],
    [2.5, '2.5'],
    [-3, '-3.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [0.0001, '0.0001'],
    [0.00001, '1.0e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1.0e+16'],
    [1.25e20, '1.25e+20'],
    [123456.789, '123456.789'],
  ])('%d → %s', (x, text) => expect(rubyFloat(x)).toBe(text));
});

describe('parseLoadMultiplier (Ruby String#to_d)', () => {
  it.each([
    [undefined, 1, false],
    ['2', 2, false],
    ['1.5', 1.5, false],
    [' 2.5x', 2.5, false],
    ['.5', 0.5, false],
    ['1e1', 10, false],
    ['abc', 1, true],
    ['', 1, true],
    ['0', 1, true],
    ['0.00', 1, true],
    ['-1', -1, false],
  ])('%j → %d (warned: %s)', (text, value, warned) => expect(parseLoadMultiplier(text)).toEqual({ value, warned }));
});

describe('server input', () => {
  it('treats a blank tag as none', () => {
    expect(presentTag(undefined)).toBeUndefined();
    expect(presentTag('  ')).toBeUndefined();
    expect(presentTag('fast')).toBe('fast');
  });

  it('derives the id from the URL host when asked', () => {
    expect(newServerId('https://BBB1.Example.COM:8443/bigbluebutton/api', true)).toBe('bbb1.example.com');
    expect(newServerId('https://bbb1.example.com/bigbluebutton/api', false)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('formatServer', () => {
  const server: Server = {
    id: 'bbb1', url: 'https://bbb1/bigbluebutton/api', secret: 's', state: 'enabled', online: true, load: 21,
    meetings: 1, users: 6, largestMeeting: 6, videos: 0, healthyCounter: 0, unhealthyCounter: 0, bbbVersion: '3.0.4', tag: 'fast',
  };

  it('prints the rake format', () => {
    expect(formatServer(server)).toBe(
      'id: bbb1\n\turl: https://bbb1/bigbluebutton/api\n\tsecret: s\n\tenabled\n\tload: 21.0\n\tload multiplier: 1.0\n\tbbb version: 3.0.4\n\ttag: fast\n\tonline',
    );
  });

  it('shows no load for a disabled server (Scalelite keeps none for it)', () => {
    expect(formatServer({ ...server, state: 'disabled' })).toContain('\tdisabled\n\tload: unavailable\n');
    expect(serverJson({ ...server, state: 'disabled' }).load).toBeNull();
    expect(formatServer({ ...server, state: 'cordoned', loadMultiplier: 2 })).toContain('\tcordoned\n\tload: 21.0\n\tload multiplier: 2.0\n');
  });
});
