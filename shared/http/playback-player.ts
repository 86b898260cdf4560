import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { checkPlayback } from '../app/playback.js';
import type { Deps } from '../app/deps.js';
import type { Recording } from '../domain/recording.js';
import { contentTypeFor } from '../domain/content-type.js';
import { HTML_CONTENT_TYPE } from '../domain/recording-not-found.js';
import { safeRelativePath } from '../domain/safe-path.js';
import { formatPrefix, isValidRecordId } from '../storage/storage-keys.js';
import { logPlayback, rawPathAndQuery, recordingNotFound, redirectKeepingQuery, viewerOf } from './playback-request.js';

/** Where BBB (and Scalelite's nginx) serve the presentation player, bbb-playback: its `homepage`. */
export const PLAYER_PATH = '/playback/presentation/2.3/';
/** Files the "player not installed" page lists at most. */
const LISTED_FILES = 200;

/**
 * The presentation player at `/playback/presentation/2.3/…`. The player is BBB's bbb-playback web app,
 * which we do not ship: with PLAYBACK_PLAYER_DIR (a build of it) its files are served from there, and
 * `/playback/presentation/2.3/<record id>` serves its index.html after the play route's checks (issue 11:
 * old links pass through the play route); without it that URL answers a page of ours (HTTP 200) that says
 * so and links the recording's files. The player then loads `/presentation/<record id>/…` from the file
 * route, which checks every file again.
 */
export function mountPlayer(app: Hono, deps: Deps): void {
  const dir = deps.config.playbackPlayerDir ? resolve(deps.config.playbackPlayerDir) : undefined;
  if (dir && !existsSync(join(dir, 'index.html'))) {
    deps.log.warn('PLAYBACK_PLAYER_DIR has no index.html: is it a build of bbb-playback? (docs/RECORDINGS.md)', { dir });
  }

  // Scalelite's nginx/playback/presentation.nginx: the 2.0 player's links open the 2.3 player
  app.get('/playback/presentation/2.0/playback.html', (c) => {
    const id = c.req.query('meetingId') ?? '';
    return isValidRecordId(id) ? redirectKeepingQuery(c, `${PLAYER_PATH}${id}`, 301) : recordingNotFound(c);
  });

  app.get(`${PLAYER_PATH}*`, async (c) => {
    const started = performance.now();
    const relative = safeRelativePath(rawPathAndQuery(c).path.slice(PLAYER_PATH.length));
    if (relative === undefined) return recordingNotFound(c);
    const segments = relative.replace(/\/$/, '').split('/');
    const asset = dir && relative !== '' ? await playerFile(dir, relative) : undefined;
    if (asset || segments.length !== 1 || !isValidRecordId(segments[0])) {
      return asset ? sendFile(c, asset) : recordingNotFound(c);
    }

    const recordID = segments[0];
    const viewer = await viewerOf(c, deps);
    const access = viewer ? await checkPlayback(deps, recordID, 'presentation', viewer, 'play') : ({ ok: false, reason: 'unknownTenant' } as const);
    if (!access.ok) {
      logPlayback(deps, c, 'player', started, 404, { recordID, format: 'presentation', reason: access.reason });
      return recordingNotFound(c);
    }
    logPlayback(deps, c, 'player', started, 200, { recordID, format: 'presentation' });
    const index = dir ? await playerFile(dir, 'index.html') : undefined;
    if (index) return sendFile(c, index);
    return c.body(await notInstalledPage(deps, access.recording), 200, { 'Content-Type': HTML_CONTENT_TYPE, 'Cache-Control': 'no-cache' });
  });
}

interface PlayerFile {
  path: string;
  size: number;
  modified: Date;
}

/** A regular file inside the player's directory (never outside it), or undefined. */
async function playerFile(dir: string, relative: string): Promise<PlayerFile | undefined> {
  const path = resolve(dir, relative.endsWith('/') ? `${relative}index.html` : relative);
  if (!path.startsWith(dir + sep)) return undefined;
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size, modified: s.mtime } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(c: Context, f: PlayerFile): Response {
  const headers = {
    'Content-Type': contentTypeFor(f.path),
    'Content-Length': String(f.size),
    'Last-Modified': f.modified.toUTCString(),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(Readable.toWeb(createReadStream(f.path)) as ReadableStream<Uint8Array>, { status: 200, headers });
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
      'set <code>PLAYBACK_PLAYER_DIR</code> to a build of it (see docs/RECORDINGS.md, "Playback") to play this recording here.</p>',
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
