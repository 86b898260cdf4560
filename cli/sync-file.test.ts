import { describe, expect, it } from 'vitest';
import { readSyncFile, syncMode } from './sync-file.js';

const one = (params: string) => readSyncFile(`servers:\n  bbb1:\n${params}`, undefined).servers[0];
const failure = (text: string, mode?: string) => {
  try {
    readSyncFile(text, mode);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('readSyncFile', () => {
  it('fills in the defaults', () => {
    expect(readSyncFile('servers:\n  bbb1.example.com:\n    secret: s\n', undefined)).toEqual({
      mode: 'cordon',
      servers: [{ id: 'bbb1.example.com', url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's', enabled: true, loadMultiplier: 1 }],
    });
    expect(readSyncFile('servers: {}\n', 'force')).toEqual({ mode: 'force', servers: [] });
  });

  it('reads every parameter, ignores the verbose ones, keeps the file order', () => {
    const text = [
      'servers:',
      '  b:',
      '    url: http://10.0.0.2/bigbluebutton/api',
      '    secret: sb',
      '    enabled: false',
      '    load_multiplier: 2.5',
      '    tag: fast',
      '    state: enabled',
      '    load: 21.0',
      '    bbb_version: 3.0.4',
      '    online: true',
      '  a:',
      '    secret: sa',
      '    url: ~',
      '    tag: ~',
      '    load_multiplier: ~',
      '',
    ].join('\n');
    expect(readSyncFile(text, 'keep').servers).toEqual([
      { id: 'b', url: 'http://10.0.0.2/bigbluebutton/api', secret: 'sb', enabled: false, loadMultiplier: 2.5, tag: 'fast' },
      { id: 'a', url: 'https://a/bigbluebutton/api', secret: 'sa', enabled: true, loadMultiplier: 1 },
    ]);
  });

  it('reads YAML 1.1 as Ruby does for enabled: no/off/false disable, anything else enables', () => {
    for (const v of ['no', 'off', 'false', 'No']) expect(one(`    secret: s\n    enabled: ${v}\n`).enabled).toBe(false);
    for (const v of ['yes', 'true', '~', '"false"', '0', 'whatever']) expect(one(`    secret: s\n    enabled: ${v}\n`).enabled).toBe(true);
  });

  it('takes ids, secrets, urls and tags as written', () => {
    const s = readSyncFile('servers:\n  0123:\n    secret: 0123\n    tag: 1.50\n  "007":\n    secret: 1e3\n    tag: "  "\n', undefined).servers;
    expect(s[0]).toMatchObject({ id: '0123', secret: '0123', tag: '1.50' });
    expect(s[1]).toMatchObject({ id: '007', secret: '1e3' });
    expect(s[1].tag).toBeUndefined(); // blank: no tag
  });

  it('reads a multiplier given as text like Ruby (leading number)', () => {
    expect(one("    secret: s\n    load_multiplier: '2x'\n").loadMultiplier).toBe(2);
  });

  it("checks in Scalelite's order with Scalelite's messages", () => {
    expect(failure('')).toBe('Invalid YAML document');
    expect(failure('just text')).toBe('Invalid YAML document');
    expect(failure('servers: {}\nservers: {}\n')).toMatch(/^Invalid YAML document \(Map keys must be unique/);
    expect(failure('servers: ~\n')).toBe('Servers parameter not a hash');
    expect(failure('server: {}\n')).toBe('Servers parameter not a hash');
    expect(failure('servers: {}\n', 'wipe')).toBe("Unknown sync mode 'wipe' (choose: keep cordon force)");
    expect(failure('servers: [a]\n', 'wipe')).toBe('Servers parameter not a hash'); // the document before the mode
    expect(failure('servers:\n  a b:\n    secret: s\n')).toBe('Server id=a b contains invalid characters');
    expect(failure('servers:\n  "a\\nb":\n    secret: s\n')).toBe('Server id=a\nb contains invalid characters');
    expect(failure('servers:\n  bbb/1:\n    foo: 1\n')).toBe('Server id=bbb/1 contains invalid characters'); // the id first
    expect(failure('servers:\n  bbb1:\n')).toBe('Server id=bbb1 has no secret');
    expect(failure('servers:\n  bbb1:\n    foo: 1\n')).toBe('Server id=bbb1 has no secret'); // the secret before the parameters
    expect(failure('servers:\n  bbb1:\n    secret: [a]\n')).toBe('Server id=bbb1 has no secret');
    expect(failure("servers:\n  bbb1:\n    secret: '  '\n")).toBe('Server id=bbb1 has no secret');
    expect(failure('servers:\n  bbb1: text\n')).toBe('Server id=bbb1 parameters not a hash');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    Secret: t\n    load_multiplier: 0\n')).toBe('Server id=bbb1 has bad parameters: ["Secret"]');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: true\n')).toBe('Server id=bbb1 has invalid load_multiplier=true');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: -2\n')).toBe('Server id=bbb1 has invalid load_multiplier=-2');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: abc\n')).toBe('Server id=bbb1 has invalid load_multiplier=abc');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: 0.0\n')).toBe('Server id=bbb1 has invalid load_multiplier=0.0');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: .inf\n')).toBe('Server id=bbb1 has invalid load_multiplier=.inf');
    expect(failure('servers:\n  bbb1:\n    secret: s\n    load_multiplier: 0\n    url: nope\n')).toBe('Server id=bbb1 has invalid load_multiplier=0');
    for (const url of ['nope', "''", 'https://', 'https:///bigbluebutton/api', 'https://bbb 1/api', 'mailto:x@y', '[a]']) {
      expect(failure(`servers:\n  bbb1:\n    secret: s\n    url: ${url}\n`)).toMatch(/^Server id=bbb1 has invalid url=/);
    }
    expect(failure('servers:\n  bbb1:\n    secret: s\n    tag: [a, b]\n')).toBe('Server id=bbb1 has invalid tag=["a","b"]');
    expect(failure('servers:\n  ok:\n    secret: s\n  bad:\n    secret: s\n    x: 1\n')).toBe('Server id=bad has bad parameters: ["x"]');
  });

  it('accepts http(s) URLs with a host, in any case of the scheme', () => {
    for (const url of ['http://10.0.0.1:8080/bigbluebutton/api/', 'HTTPS://BBB.example.com/bigbluebutton/api', 'https://[::1]/bigbluebutton/api']) {
      expect(one(`    secret: s\n    url: ${url}\n`).url).toBe(url);
    }
  });
});

describe('syncMode', () => {
  it('defaults to cordon', () => {
    expect(syncMode(undefined)).toBe('cordon');
    expect(syncMode('')).toBe('cordon');
    expect(syncMode('keep')).toBe('keep');
    expect(() => syncMode('Force')).toThrow("Unknown sync mode 'Force' (choose: keep cordon force)");
  });
});

describe('readSyncFile: capacity (issue 16)', () => {
  it('reads capacity (ours): a whole number, 0 or empty for none; refuses anything else', () => {
    expect(one('    secret: s\n    capacity: 300\n').capacity).toBe(300);
    expect(one("    secret: s\n    capacity: '120'\n").capacity).toBe(120);
    for (const none of ['0', '~', '']) expect(one(`    secret: s\n    capacity: ${none}\n`)).not.toHaveProperty('capacity');
    expect(one('    secret: s\n')).not.toHaveProperty('capacity');
    for (const bad of ['-1', '2.5', 'lots', '[1]']) {
      expect(failure(`servers:\n  bbb1:\n    secret: s\n    capacity: ${bad}\n`)).toBe(`Server id=bbb1 has invalid capacity=${bad}`);
    }
  });
});
