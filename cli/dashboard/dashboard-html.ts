import type { ClusterOverview, ServerOverview } from '../../shared/app/cluster-overview.js';

/**
 * The dashboard's HTML, rendered on the server (no build step, no client framework): the page, and its
 * content part, which the page's script fetches again every few seconds (`/data.json`) and swaps in.
 * Accessible without colours or script: semantic tables with captions and header cells, every bar
 * with its number beside it as text, states as words; without script the page reloads itself.
 */

export interface DashboardView {
  /** the last overview read (undefined until the first read succeeded) */
  overview?: ClusterOverview;
  /** why the last read failed (the page keeps showing the previous overview) */
  error?: string;
  /** epoch ms of the last read attempt */
  refreshedAt: number;
  refreshSeconds: number;
  /** where the data comes from, in words (`table scalelite at …`, `admin function scalelite-admin`) */
  target: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for HTML content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** `2026-12-01 20:15:03 UTC` in a `<time>` element. */
export function timeHtml(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return '–';
  const iso = d.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}

const num = (v: number | null): string => (v === null ? '–' : String(Math.round(v * 100) / 100));
const cell = (text: string, numeric = false) => `<td${numeric ? ' class="num"' : ''}>${text}</td>`;

/**
 * The load bar: users of the capacity when the server has one, else its load relative to the most loaded
 * server; the `<meter>` is decorative (hidden from assistive technology), its numbers are the text beside it.
 */
function loadHtml(s: ServerOverview, maxLoad: number): string {
  if (s.capacity !== null && s.capacity > 0 && s.users !== null) {
    const pct = Math.round((s.users / s.capacity) * 100);
    return `<meter aria-hidden="true" min="0" max="${s.capacity}" low="${s.capacity * 0.7}" high="${s.capacity * 0.9}" optimum="0" value="${Math.min(s.users, s.capacity)}"></meter> <span>${num(s.load)} (${s.users} of ${s.capacity} users, ${pct}%)</span>`;
  }
  if (s.load === null) return '<span>unavailable</span>';
  return `<meter aria-hidden="true" min="0" max="${maxLoad > 0 ? maxLoad : 1}" value="${s.load}"></meter> <span>${num(s.load)}</span>`;
}

function serversHtml(o: ClusterOverview): string {
  const c = o.counts;
  const summary = `<p id="summary">${c.total} server${c.total === 1 ? '' : 's'}: ${c.online} online, ${c.offline} offline, ${c.cordoned} cordoned, ${c.disabled} disabled.</p>`;
  if (o.servers.length === 0) return `<h2>Servers</h2>${summary}<p>No servers: add one with <code>slctl servers:add</code>.</p>`;
  const maxLoad = Math.max(0, ...o.servers.map((s) => s.load ?? 0));
  const rows = o.servers.map((s) => {
    const status = s.online ? 'online' : 'offline';
    return (
      `<tr data-server="${escapeHtml(s.id)}" data-status="${status}" data-state="${s.state}">` +
      `<th scope="row">${escapeHtml(s.id)}${s.hostname ? `<br><small>${escapeHtml(s.hostname)}</small>` : ''}</th>` +
      cell(s.state) +
      `<td class="status ${status}">${status}</td>` +
      cell(num(s.meetings), true) +
      cell(num(s.users), true) +
      `<td class="load">${loadHtml(s, maxLoad)}</td>` +
      cell(s.capacity === null ? '–' : String(s.capacity), true) +
      cell(escapeHtml(s.bbbVersion ?? '–')) +
      cell(escapeHtml(s.tag ?? '–')) +
      cell(s.pollError ? escapeHtml(s.pollError) : '–') +
      `</tr>`
    );
  });
  return (
    `<h2>Servers</h2>${summary}` +
    `<table id="servers"><caption>Servers, by id: state, status, meetings, users, load, version, tag</caption>` +
    `<thead><tr><th scope="col">Server</th><th scope="col">State</th><th scope="col">Status</th><th scope="col">Meetings</th><th scope="col">Users</th><th scope="col">Load</th><th scope="col">Capacity (users)</th><th scope="col">BBB version</th><th scope="col">Tag</th><th scope="col">Last poll problem</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function tenantsHtml(o: ClusterOverview): string {
  const head = '<h2>Meetings per tenant</h2>';
  if (!o.tenantsCycle) return `${head}<p>No poll cycle recorded yet.</p>`;
  const from = `<p>As the poll cycle started ${timeHtml(o.tenantsCycle.startedAt)} found them (the last that found a change). <code>_</code>: meetings without a tenant.</p>`;
  if (o.tenants.length === 0) return `${head}${from}<p>No meetings.</p>`;
  const rows = o.tenants.map((t) => `<tr><th scope="row">${escapeHtml(t.tenantId)}</th>${cell(String(t.meetings), true)}${cell(String(t.participants), true)}</tr>`);
  return (
    `${head}${from}<table id="tenants"><caption>Meetings and participants per tenant</caption>` +
    `<thead><tr><th scope="col">Tenant</th><th scope="col">Meetings</th><th scope="col">Participants</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function cyclesHtml(o: ClusterOverview): string {
  const head = '<h2>Last poll cycles</h2>';
  if (o.cycles.length === 0) return `${head}<p>No poll cycle recorded yet.</p>`;
  const changes = (online: string[], offline: string[]) =>
    [offline.length ? `offline: ${offline.map(escapeHtml).join(', ')}` : '', online.length ? `online: ${online.map(escapeHtml).join(', ')}` : ''].filter(Boolean).join('; ') || '–';
  const rows = o.cycles.map(
    (c) =>
      `<tr><th scope="row">${timeHtml(c.startedAt)}</th>${cell(`${(c.durationMs / 1000).toFixed(1)} s`, true)}${cell(String(c.servers), true)}${cell(String(c.polled), true)}` +
      `${cell(String(c.failed), true)}${cell(String(c.skipped), true)}${cell(String(c.online), true)}${cell(String(c.offline), true)}${cell(String(c.meetings), true)}${cell(String(c.participants), true)}${cell(changes(c.wentOnline, c.wentOffline))}</tr>`,
  );
  return (
    `${head}<p>The poller runs every ${o.pollInterval} s; a cycle that finds everything as the one before is not recorded (the poller writes only what changed).</p>` +
    `<table id="cycles"><caption>Last poll cycles that found a change, newest first</caption>` +
    `<thead><tr><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Servers</th><th scope="col">Polled</th><th scope="col">Failed</th><th scope="col">Skipped</th><th scope="col">Online</th><th scope="col">Offline</th><th scope="col">Meetings</th><th scope="col">Participants</th><th scope="col">Changes</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** The part of the page the script swaps in at every refresh. */
export function renderContent(v: DashboardView): string {
  const error = v.error ? `<p id="error" role="alert"><strong>Refresh failed:</strong> ${escapeHtml(v.error)}${v.overview ? ' — showing the previous data.' : ''}</p>` : '';
  const refreshed = `<p id="refreshed">Last refresh: ${timeHtml(v.refreshedAt)}${v.overview ? ` (data read ${timeHtml(v.overview.at)})` : ''}; every ${v.refreshSeconds} s.</p>`;
  if (!v.overview) return `${refreshed}${error}`;
  return `${refreshed}${error}<section aria-labelledby="h-servers">${serversHtml(v.overview).replace('<h2>', '<h2 id="h-servers">')}</section>` +
    `<section aria-labelledby="h-tenants">${tenantsHtml(v.overview).replace('<h2>', '<h2 id="h-tenants">')}</section>` +
    `<section aria-labelledby="h-cycles">${cyclesHtml(v.overview).replace('<h2>', '<h2 id="h-cycles">')}</section>`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:1rem 2rem;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.status.offline{font-weight:700;text-decoration:underline}
meter{width:8rem;vertical-align:middle}
#error{border:2px solid;padding:.5rem}
#client-status:empty{display:none}
`;

/** The whole page; `nonce` allows its one inline script and style (Content-Security-Policy). */
export function renderPage(v: DashboardView, nonce: string): string {
  const every = Math.max(1, Math.round(v.refreshSeconds)) * 1000;
  const script = `(()=>{const c=document.getElementById('content'),s=document.getElementById('client-status');` +
    `async function tick(){try{const r=await fetch('data.json',{cache:'no-store'});if(!r.ok)throw new Error('HTTP '+r.status);const d=await r.json();c.innerHTML=d.html;s.textContent='';}` +
    `catch(e){s.textContent='Cannot reach the dashboard ('+e.message+'): is slctl dashboard still running? Trying again.';}finally{setTimeout(tick,${every});}}` +
    `setTimeout(tick,${every});})();`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Scalelite cluster — slctl dashboard</title><noscript><meta http-equiv="refresh" content="${Math.max(1, Math.round(v.refreshSeconds))}"></noscript>` +
    `<style nonce="${nonce}">${STYLE}</style></head><body>` +
    `<header><h1>Scalelite cluster</h1><p>Data from ${escapeHtml(v.target)}.</p><p id="client-status" role="status"></p></header>` +
    `<main id="content">${renderContent(v)}</main>` +
    `<script nonce="${nonce}">${script}</script></body></html>`
  );
}
