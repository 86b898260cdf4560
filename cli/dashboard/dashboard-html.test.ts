import { describe, expect, it } from 'vitest';
import type { ClusterOverview, ServerOverview } from '../../shared/app/cluster-overview.js';
import { escapeHtml, renderContent, renderPage, timeHtml } from './dashboard-html.js';
import { openerFor } from './open-browser.js';

const server = (id: string, extra: Partial<ServerOverview> = {}): ServerOverview => ({
  id,
  hostname: 'bbb.example.org',
  state: 'enabled',
  online: true,
  meetings: 1,
  users: 50,
  largestMeeting: 50,
  videos: 0,
  load: 50,
  loadMultiplier: 1,
  capacity: null,
  bbbVersion: '3.0.4',
  tag: null,
  pollError: null,
  polledAt: 1,
  ...extra,
});

const overview = (servers: ServerOverview[], extra: Partial<ClusterOverview> = {}): ClusterOverview => ({
  at: Date.UTC(2026, 11, 1, 20, 0, 0),
  pollInterval: 60,
  servers,
  counts: { total: servers.length, online: servers.length, offline: 0, cordoned: 0, disabled: 0 },
  tenants: [],
  tenantsCycle: null,
  cycles: [],
  ...extra,
});

const view = (o?: ClusterOverview, error?: string) => ({ overview: o, error, refreshedAt: Date.UTC(2026, 11, 1, 20, 0, 1), refreshSeconds: 5, target: 'table t at <x>' });

describe('dashboard HTML', () => {
  it('escapes every text that comes from the table (ids, tags, versions, poll errors, tenants)', () => {
    const evil = '<script>alert("x")</script>&\'';
    const html = renderContent(
      view(
        overview([server(evil, { tag: evil, bbbVersion: evil, pollError: evil })], {
          tenants: [{ tenantId: evil, meetings: 1, participants: 2 }],
          tenantsCycle: { cycle: 1, startedAt: 0 },
          cycles: [{ cycle: 1, startedAt: 0, durationMs: 1, servers: 1, polled: 1, failed: 0, skipped: 0, errors: 0, online: 1, offline: 0, meetings: 0, participants: 0, wentOnline: [evil], wentOffline: [], tenants: [], tenantsOmitted: 0 }],
        }),
      ),
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(escapeHtml('a<b>"c"&\'d')).toBe('a&lt;b&gt;&quot;c&quot;&amp;&#39;d');
  });

  it('a load bar has its figures as text beside it: relative to the most loaded server, or users of the capacity', () => {
    const html = renderContent(view(overview([server('a', { load: 20 }), server('b', { load: 50, capacity: 200 }), server('c', { load: null, online: false })])));
    expect(html).toContain('<meter aria-hidden="true" min="0" max="50" value="20"></meter> <span>20</span>');
    expect(html).toContain('max="200"');
    expect(html).toContain('<span>50 (50 of 200 users, 25%)</span>');
    expect(html).toContain('<td class="load"><span>unavailable</span></td>');
  });

  it('states and statuses are words, not colours; the tenants say which cycle they come from', () => {
    const html = renderContent(view(overview([server('a', { online: false, state: 'cordoned' })], { tenantsCycle: { cycle: 1, startedAt: 0 } })));
    expect(html).toContain('<td>cordoned</td><td class="status offline">offline</td>');
    expect(html).toContain('As the poll cycle started <time datetime="1970-01-01T00:00:00.000Z">1970-01-01 00:00:00 UTC</time> found them (the last that found a change).');
  });

  it('a failed read: an alert, and the previous data stays', () => {
    const html = renderContent(view(overview([server('a')]), 'cannot reach the admin function'));
    expect(html).toContain('<p id="error" role="alert"><strong>Refresh failed:</strong> cannot reach the admin function — showing the previous data.</p>');
    expect(html).toContain('data-server="a"');
  });

  it('the page: its script and style carry the nonce, it reloads itself without script, times are UTC', () => {
    const page = renderPage(view(overview([])), 'N0nce');
    expect(page).toContain('<script nonce="N0nce">');
    expect(page).toContain('<style nonce="N0nce">');
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(page).toContain('Data from table t at &lt;x&gt;.');
    expect(page).toContain('setTimeout(tick,5000)');
    expect(timeHtml(Date.UTC(2026, 11, 1, 20, 15, 3))).toBe('<time datetime="2026-12-01T20:15:03.000Z">2026-12-01 20:15:03 UTC</time>');
  });
});

describe('opening the browser', () => {
  it('xdg-open, open or start, with the URL as one argument', () => {
    expect(openerFor('linux', 'http://127.0.0.1:1/')).toEqual({ command: 'xdg-open', args: ['http://127.0.0.1:1/'] });
    expect(openerFor('darwin', 'http://127.0.0.1:1/')).toEqual({ command: 'open', args: ['http://127.0.0.1:1/'] });
    expect(openerFor('win32', 'http://127.0.0.1:1/')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', 'http://127.0.0.1:1/'] });
  });
});
