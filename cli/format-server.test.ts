import { describe, expect, it } from 'vitest';
import type { Server } from '../shared/domain/entities.js';
import { formatServer, pollProblem, rubyFloat, serverJson } from './format-server.js';
import { checkServerUrl, parseCapacity, parseLoadMultiplier, presentTag, newServerId } from './server-input.js';

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
    ['-0', 1, true],
  ])('%j → %d (warned: %s)', (text, value, warned) => expect(parseLoadMultiplier(text)).toEqual({ value, warned }));

  it.each(['-1', ' -0.5', '-2x'])('refuses %j: a usage error (exit 64)', (text) => {
    expect(() => parseLoadMultiplier(text)).toThrow(expect.objectContaining({ exitCode: 64, message: `Error: Load-multiplier must be a number greater than 0, not ${text.trim()}` }));
  });
});

describe('checkServerUrl', () => {
  it.each(['https://bbb1.example.com/bigbluebutton/api', 'http://127.0.0.1:8090/bigbluebutton/api/', 'https://proxy.example.com/bbb1/bigbluebutton/api'])('accepts %s', (url) => {
    expect(checkServerUrl(url)).toBeUndefined();
  });

  it.each([
    ['ftp://bbb1/bigbluebutton/api', 'must start with http:// or https://'],
    ['HTTPS://bbb1/bigbluebutton/api', 'must start with http:// or https://'],
    ['http://bbb 1/bigbluebutton/api', 'is not a valid URL'],
    ['http://bbb1/bigbluebutton/api\t', 'is not a valid URL'],
    ['https://', 'is not a valid URL'],
    ['https:///bigbluebutton/api', 'is not a valid URL'],
    ['https://bbb1/bigbluebutton/api?a=b', 'must not have a query or fragment'],
    ['https://bbb1/bigbluebutton/api#x', 'must not have a query or fragment'],
  ])('refuses %j (exit 64)', (url, why) => {
    expect(() => checkServerUrl(url)).toThrow(expect.objectContaining({ exitCode: 64, message: expect.stringContaining(why) }));
  });

  it('warns when the path is not /bigbluebutton/api', () => {
    expect(checkServerUrl('https://bbb1.example.com')).toBe(
      'WARNING: Server URL https://bbb1.example.com does not end in /bigbluebutton/api, where BigBlueButton serves its API (e.g. https://bbb1.example.com/bigbluebutton/api)',
    );
    expect(checkServerUrl('http://h:8080/bigbluebutton')).toMatch(/\(e\.g\. http:\/\/h:8080\/bigbluebutton\/api\)$/);
  });
});

describe('pollProblem', () => {
  it('names the server, the reason with its error, and what to check', () => {
    expect(pollProblem('bbb1', 'offline', 'refused: connect ECONNREFUSED 10.0.0.1:443')).toBe(
      'Server id=bbb1 offline: refused: connect ECONNREFUSED 10.0.0.1:443 (nothing listens there: is BBB running, is the port in the URL right?)',
    );
    expect(pollProblem('bbb1', 'offline', 'checksumError: Checksums do not match')).toContain('slctl servers:update bbb1 SECRET');
    expect(pollProblem('bbb1', 'offline', 'invalidThing: BBB said no')).toBe('Server id=bbb1 offline: invalidThing: BBB said no');
  });
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
    expect(serverJson(server).pollError).toBeNull();
    expect(serverJson({ ...server, pollError: 'timeout: no answer within 10000 ms' }).pollError).toBe('timeout: no answer within 10000 ms');
    expect(formatServer({ ...server, state: 'cordoned', loadMultiplier: 2 })).toContain('\tcordoned\n\tload: 21.0\n\tload multiplier: 2.0\n');
  });

  it('adds a capacity line after the load multiplier only when one is set (issue 16); --json always has the field', () => {
    expect(formatServer({ ...server, capacity: 300 })).toBe(
      'id: bbb1\n\turl: https://bbb1/bigbluebutton/api\n\tsecret: s\n\tenabled\n\tload: 21.0\n\tload multiplier: 1.0\n\tcapacity: 300\n\tbbb version: 3.0.4\n\ttag: fast\n\tonline',
    );
    expect(formatServer(server)).not.toContain('capacity');
    expect(serverJson({ ...server, capacity: 300 }).capacity).toBe(300);
    expect(serverJson(server).capacity).toBeNull();
  });
});

describe('parseCapacity (servers:update --capacity)', () => {
  it('reads a whole number; 0 removes the capacity (null)', () => {
    expect(parseCapacity('300')).toBe(300);
    expect(parseCapacity(' 42 ')).toBe(42);
    expect(parseCapacity('0')).toBeNull();
  });

  it.each(['-1', '2.5', 'abc', '', '1e3', '99999999999999999999'])('refuses %j: a usage error (exit 64)', (text) => {
    expect(() => parseCapacity(text)).toThrow(expect.objectContaining({ exitCode: 64 }));
  });
});
