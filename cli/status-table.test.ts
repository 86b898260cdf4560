import { describe, expect, it } from 'vitest';
import type { Server } from '../shared/domain/entities.js';
import { hostnameOf, renderTable, statusJson, statusNotes, statusTable } from './status-table.js';

describe('renderTable (Tabulo, border: :blank, packed)', () => {
  it('pads every cell with one space, centres headers, aligns numbers right and text left', () => {
    const lines = renderTable(
      [
        { header: 'NAME', align: 'left' },
        { header: 'N', align: 'right' },
        { header: 'LONG HEADER', align: 'left' },
      ],
      [
        ['a', '1', 'x'],
        ['bbbbbb', '100', ''],
      ],
    );
    expect(lines).toEqual([
      '  NAME    N   LONG HEADER ',
      ' a         1  x           ',
      ' bbbbbb  100              ',
    ]);
  });

  it('is just the header row without rows', () => {
    expect(renderTable([{ header: 'A', align: 'left' }], [])).toEqual([' A ']);
  });
});

describe('statusTable', () => {
  const server = (s: Partial<Server> & { id: string; url: string }): Server => ({
    secret: 'secret', state: 'enabled', online: true, meetings: 0, users: 0, largestMeeting: 0, videos: 0, healthyCounter: 0, unhealthyCounter: 0, ...s,
  });

  it('shows no load for a disabled server and empty counters for a server never polled', () => {
    const lines = statusTable([
      server({ id: 'b', url: 'https://b.example.com/bigbluebutton/api', state: 'disabled', load: 5, polledAt: 1, meetings: 2 }),
      server({ id: 'a', url: 'https://a.example.com/bigbluebutton/api', online: false }),
    ]);
    expect(lines[0].endsWith(' TAG  ID ')).toBe(true);
    expect(lines[1].startsWith(' a.example.com  enabled ')).toBe(true);
    expect(lines[1]).toBe(` a.example.com  enabled   offline ${' '.repeat(67)}a  `);
    expect(lines[2]).toBe(` b.example.com  disabled  online          2      0                0       0 ${' '.repeat(25)}b  `);
  });

  it('orders servers of one host by id, and names each failing one in a note', () => {
    const servers = [
      server({ id: 'z', url: 'http://127.0.0.1:8091/bigbluebutton/api', pollError: 'timeout: no answer within 10000 ms' }),
      server({ id: 'y', url: 'http://127.0.0.1:8090/bigbluebutton/api', online: false, pollError: 'refused: connect ECONNREFUSED 127.0.0.1:8090' }),
      server({ id: 'x', url: 'http://127.0.0.1:8092/bigbluebutton/api' }),
    ];
    expect(statusTable(servers).slice(1).map((l) => l.trim().split(/\s+/).at(-1))).toEqual(['x', 'y', 'z']);
    expect(statusNotes(servers)).toEqual([
      'Server id=y offline: refused: connect ECONNREFUSED 127.0.0.1:8090 (nothing listens there: is BBB running, is the port in the URL right?)',
      'Server id=z online, but its last poll failed: timeout: no answer within 10000 ms (no answer within CONNECT_TIMEOUT/RESPONSE_TIMEOUT: a firewall, or an overloaded server?)',
    ]);
  });

  it('takes the host name from the URL', () => {
    expect(hostnameOf('https://BBB.example.com:8443/bigbluebutton/api')).toBe('bbb.example.com');
    expect(hostnameOf('not a url')).toBe('');
  });
});

describe('statusTable: capacity (issue 16)', () => {
  const server = (s: Partial<Server> & { id: string; url: string }): Server => ({
    secret: 'secret', state: 'enabled', online: true, meetings: 0, users: 0, largestMeeting: 0, videos: 0, healthyCounter: 0, unhealthyCounter: 0, ...s,
  });

  it('adds a CAPACITY column before ID only when some server has a capacity', () => {
    const a = server({ id: 'a', url: 'https://a.example.com/bigbluebutton/api', load: 3, polledAt: 1 });
    const b = server({ id: 'b', url: 'https://b.example.com/bigbluebutton/api', load: 0, polledAt: 1 });
    const without = statusTable([a, b]);
    expect(without[0].endsWith(' TAG  ID ')).toBe(true);
    const withCapacity = statusTable([a, { ...b, capacity: 250 }]);
    expect(withCapacity[0].endsWith(' TAG  CAPACITY  ID ')).toBe(true);
    // the same rows with one more right-aligned cell before the id
    expect(withCapacity[1]).toBe(`${without[1].slice(0, -4)} ${' '.repeat(8)}  a  `);
    expect(withCapacity[2]).toBe(`${without[2].slice(0, -4)}      250  b  `);
    expect(statusJson([a, { ...b, capacity: 250 }]).map((s) => s.capacity)).toEqual([null, 250]);
  });
});

