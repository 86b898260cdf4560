import { describe, expect, it } from 'vitest';
import type { Server } from '../shared/domain/entities.js';
import { hostnameOf, renderTable, statusTable } from './status-table.js';

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
    expect(lines[1].startsWith(' a.example.com  enabled ')).toBe(true);
    expect(lines[1].trim()).toBe('a.example.com  enabled   offline');
    expect(lines[2].trim()).toBe('b.example.com  disabled  online          2      0                0       0');
  });

  it('takes the host name from the URL', () => {
    expect(hostnameOf('https://BBB.example.com:8443/bigbluebutton/api')).toBe('bbb.example.com');
    expect(hostnameOf('not a url')).toBe('');
  });
});
