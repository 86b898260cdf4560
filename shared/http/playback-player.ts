import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { openPlayer, type PlaybackRefusal } from '../app/playback.js';
import type { Deps } from '../app/deps.js';
import type { StoredObject } from '../app/object-storage.js';
import type { Recording } from '../domain/recording.js';
import { contentTypeFor } from '../domain/content-type.js';
import { HTML_CONTENT_TYPE } from '../domain/recording-not-found.js';
import { safeRelativePath } from '../domain/safe-path.js';
import { formatPrefix, isValidRecordId, PLAYER_PATH, playerFileKey } from '../storage/storage-keys.js';
import { grantCookies, logPlayback, rawPathAndQuery, recordingNotFound, redirectKeepingQuery, viewerOf, withCookies } from './playback-request.js';

/** Files the "player not installed" page lists at most. */
const LISTED_FILES = 200;

/**
 * The presentation player at `/playback/presentation/2.3/…`: BBB's bbb-playback web app, which we do not
 * ship; `slctl playback:install DIR` copies a build of it into the bucket under PLAYER_PATH's keys.
 * `/playback/presentation/2.3/<record id>` (one segment, no dot) is the player's page for a recording:
 * `openPlayer`'s checks, then the installed index.html — or, while none is installed, a page of ours
 * (HTTP 200) that says so and links the recording's files. Any other path below PLAYER_PATH is a file of
 * the player, served to anybody (as CloudFront serves `/playback/presentation/2.3/*.*` from the bucket).
 * The player then loads `/presentation/<record id>/…`, which the file route serves to the cookies the
 * play route (or this page) handed out.
 */
export function mountPlayer(app: Hono, deps: Deps): void {
  // Scalelite's nginx/playback/presentation.nginx: the 2.0 player's links open the 2.3 player
  app.get('/playback/presentation/2.0/playback.html', (c) => {
    const id = c.req.query('meetingId') ?? '';
    return isValidRecordId(id) ? redirectKeepingQuery(c, `${PLAYER_PATH}${id}`, 301) : recordingNotFound(c);
  });

  app.get(`${PLAYER_PATH}*`, async (c) => {
    const relative = safeRelativePath(rawPathAndQuery(c).path.slice(PLAYER_PATH.length));
    if (relative === undefined || relative === '') return recordingNotFound(c);
    const single = relative.replace(/\/$/, '');
    if (!single.includes('/') && isValidRecordId(single)) return playerPage(c, deps, single);
    const asset = relative.endsWith('/') ? undefined : await deps.storage?.get(playerFileKey(relative));
    return asset ? send(c, asset, relative) : recordingNotFound(c);
  });
}

/** `/playback/presentation/2.3/<record id>`: the player's index.html for a recording the viewer may play. */
async function playerPage(c: Context, deps: Deps, recordID: string): Promise<Response> {
  const started = performance.now();
  const refuse = (reason: PlaybackRefusal) => {
    logPlayback(deps, c, 'player', started, 404, { recordID, format: 'presentation', reason });
    return recordingNotFound(c);
  };
  const viewer = await viewerOf(c, deps);
  if (!viewer) return refuse('unknownTenant');
  const answer = await openPlayer(deps, recordID, viewer);
  if (answer.kind === 'refused') return refuse(answer.reason);
  logPlayback(deps, c, 'player', started, 200, { recordID, format: 'presentation' });
  // a page that hands out cookies is this viewer's only: no cache may keep it
  const cookies = answer.grant ? grantCookies(c, viewer, answer.grant) : [];
  const cacheControl = cookies.length > 0 ? 'no-store' : 'no-cache';
  const index = await deps.storage?.get(playerFileKey('index.html'));
  if (index) return send(c, index, 'index.html', { cookies, cacheControl });
  const headers = withCookies(new Headers({ 'Content-Type': HTML_CONTENT_TYPE, 'Cache-Control': cacheControl }), cookies);
  return new Response(await notInstalledPage(deps, answer.recording), { status: 200, headers });
}

/** A file of the player from the bucket, typed by its extension; revalidated on every use (a reinstall takes effect at once). */
function send(c: Context, object: StoredObject, path: string, opts: { cookies?: readonly string[]; cacheControl?: string } = {}): Response {
  const headers = new Headers({
    'Content-Type': contentTypeFor(path),
    'Content-Length': String(object.contentLength),
    'Cache-Control': opts.cacheControl ?? 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  withCookies(headers, opts.cookies ?? []);
  if (object.etag) headers.set('ETag', object.etag);
  if (object.lastModified) headers.set('Last-Modified', object.lastModified.toUTCString());
  if (c.req.method === 'HEAD') {
    object.body.destroy();
    return new Response(null, { status: 200, headers });
  }
  return new Response(Readable.toWeb(object.body) as ReadableStream<Uint8Array>, { status: 200, headers });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Our page for a playable presentation while no player is installed: what to do, and the recording's files. */
async function notInstalledPage(deps: Deps, r: Recording): Promise<string> {
  const files: string[] = [];
  let more = false;
  const prefix = formatPrefix(r.recordID, 'presentation');
  for await (const o of deps.storage?.list(prefix) ?? []) {
    if (files.length === LISTED_FILES) {
      more = true;
      break;
    }
    files.push(o.key.slice(prefix.length));
  }
  const id = escapeHtml(r.recordID);
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const others = Object.keys(r.formats)
    .filter((f) => f !== 'presentation')
    .sort()
    .map((f) => `<li>${link(`/recording/${encodeURIComponent(r.recordID)}/${encodeURIComponent(f)}`, f)}</li>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(r.name || r.recordID)}</title></head>`,
    '<body>',
    `<h1>${escapeHtml(r.name || r.recordID)}</h1>`,
    `<p>Recording ${id}. The presentation player (BigBlueButton's bbb-playback) is not installed on this balancer: ` +
      'install a build of it with <code>slctl playback:install DIR</code> (see docs/RECORDINGS.md, "The presentation player") to play this recording here.</p>',
    others.length > 0 ? `<h2>Other formats</h2>\n<ul>\n${others.join('\n')}\n</ul>` : '',
    '<h2>Files of the presentation</h2>',
    '<ul>',
    ...files.map((f) => `<li>${link(`/presentation/${encodeURIComponent(r.recordID)}/${encodePath(f)}`, f)}</li>`),
    more ? `<li>… (the first ${LISTED_FILES} files are listed)</li>` : '',
    '</ul>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
