import { describe, expect, it } from 'vitest';
import type { Server } from '../shared/domain/entities.js';
import { serversYaml } from './server-yaml.js';
import { readSyncFile } from './sync-file.js';

const server = (s: Partial<Server> & { id: string }): Server => ({
  url: `https://${s.id}/bigbluebutton/api`, secret: 'secret', state: 'enabled', online: false, meetings: 0, users: 0, largestMeeting: 0, videos: 0, healthyCounter: 0, unhealthyCounter: 0, ...s,
});

describe('serversYaml', () => {
  it('is an empty mapping without servers', () => {
    expect(serversYaml([], false)).toBe('---\nservers: {}\n');
    expect(readSyncFile(serversYaml([], true), undefined).servers).toEqual([]);
  });

  it('prints decimals Ruby-style and quotes what YAML would read as something else', () => {
    const text = serversYaml([server({ id: '42', secret: 'yes', loadMultiplier: 3, tag: 'null' }), server({ id: 'x', secret: '#1: a', state: 'cordoned', load: 7.5 })], true);
    expect(text).toBe(
      [
        '---',
        'servers:',
        "  '42':",
        '    url: https://42/bigbluebutton/api',
        "    secret: 'yes'",
        '    load_multiplier: 3.0',
        "    tag: 'null'",
        '    enabled: true',
        '    state: enabled',
        '    load: -1.0',
        "    bbb_version: ''",
        '    online: false',
        '  x:',
        '    url: https://x/bigbluebutton/api',
        "    secret: '#1: a'",
        '    load_multiplier: 1.0',
        "    tag: ''",
        '    enabled: false',
        '    state: cordoned',
        '    load: 7.5',
        "    bbb_version: ''",
        '    online: false',
        '',
      ].join('\n'),
    );
  });

  it('reads back as the same servers (round trip), long values on one line', () => {
    const servers = [
      server({ id: 'a.example.com', secret: 'x'.repeat(120), loadMultiplier: 0.25, tag: 'fast lane' }),
      server({ id: 'b', url: 'http://10.1.2.3:8080/bigbluebutton/api/', secret: "it's \"quoted\"", state: 'disabled' }),
      server({ id: 'c_1-2', secret: '0x1F', tag: '~' }),
    ];
    for (const verbose of [false, true]) {
      const text = serversYaml(servers, verbose);
      expect(text).toContain(`secret: ${'x'.repeat(120)}\n`);
      expect(readSyncFile(text, undefined).servers).toEqual([
        { id: 'a.example.com', url: 'https://a.example.com/bigbluebutton/api', secret: 'x'.repeat(120), enabled: true, loadMultiplier: 0.25, tag: 'fast lane' },
        { id: 'b', url: 'http://10.1.2.3:8080/bigbluebutton/api/', secret: "it's \"quoted\"", enabled: false, loadMultiplier: 1 },
        { id: 'c_1-2', url: 'https://c_1-2/bigbluebutton/api', secret: '0x1F', enabled: true, loadMultiplier: 1, tag: '~' },
      ]);
    }
  });

  it('prints capacity after the tag only for a server that has one, and reads it back (issue 16)', () => {
    const yaml = serversYaml([server({ id: 'a', capacity: 250 }), server({ id: 'b' })], false);
    expect(yaml).toBe(
      "---\nservers:\n  a:\n    url: https://a/bigbluebutton/api\n    secret: secret\n    load_multiplier: 1.0\n    tag: ''\n    capacity: 250\n    enabled: true\n" +
        "  b:\n    url: https://b/bigbluebutton/api\n    secret: secret\n    load_multiplier: 1.0\n    tag: ''\n    enabled: true\n",
    );
    expect(readSyncFile(yaml, undefined).servers.map((s) => s.capacity)).toEqual([250, undefined]);
  });
});
