import { Readable } from 'node:stream';
import type { Context, Hono, Next } from 'hono';
import { openRecordingFile, playRecording, type PlaybackRefusal } from '../app/playback.js';
import type { Deps } from '../app/deps.js';
import { HTML_CONTENT_TYPE, RECORDING_NOT_FOUND_HTML, RECORDING_NOT_FOUND_PATH } from '../domain/recording-not-found.js';
import { safeRelativePath } from '../domain/safe-path.js';
import { mountPlayer } from './playback-player.js';
import { grantCookies, logPlayback, rawPathAndQuery, recordingNotFound, redirectKeepingQuery, viewerOf, withCookies } from './playback-request.js';

/**
 * Playback (reference §1.10, docs/RECORDINGS.md §6): the play route (access cookies + 307), the file route
 * of every RECORDING_PLAYBACK_FORMATS format (checks the cookies as CloudFront does), the redirects of
 * Scalelite's nginx and the presentation player. Not mounted while RECORDING_DISABLED (the catch-all
 * answers, as in Scalelite) — except the not-found page CloudFront's error responses point at. Mounted
 * before the catch-all.
 */
export function mountPlayback(app: Hono, deps: Deps): void {
  app.get(RECORDING_NOT_FOUND_PATH, (c) => c.body(RECORDING_NOT_FOUND_HTML, 200, { 'Content-Type': HTML_CONTENT_TYPE, 'Cache-Control': 'public, max-age=300' }));
  if (deps.config.recordingDisabled) return;

  // Scalelite's nginx/playback/*.nginx: the video and screenshare players are their formats' files
  app.get('/playback/video/*', (c) => redirectKeepingQuery(c, `/video/${rawPathAndQuery(c).path.slice('/playback/video/'.length)}`, 307));
  app.get('/recording/screenshare/*', (c) => redirectKeepingQuery(c, `/screenshare/${rawPathAndQuery(c).path.slice('/recording/screenshare/'.length)}`, 307));

  app.get('/recording/*', (c, next) => play(c, next, deps));
  for (const format of deps.config.recordingPlaybackFormats) {
    app.get(`/${format}/*`, (c, next) => file(c, next, deps, format));
  }
  mountPlayer(app, deps);
}

/** `GET /recording/<record id>/<format>`: the access cookies and a 307 to the format's playback URL, or the not-found page. */
async function play(c: Context, next: Next, deps: Deps): Promise<Response | void> {
  const started = performance.now();
  const parts = rawPathAndQuery(c).path.slice('/recording/'.length).replace(/\/$/, '').split('/');
  if (parts.length !== 2) return next();
  const [recordID, format] = parts.map((p) => safeRelativePath(p) ?? '');
  const refuse = (reason: PlaybackRefusal) => {
    logPlayback(deps, c, 'play', started, 404, { recordID, format, reason });
    return recordingNotFound(c);
  };
  const viewer = await viewerOf(c, deps);
  if (!viewer) return refuse('unknownTenant');
  const answer = await playRecording(deps, recordID, format, viewer);
  if (answer.kind === 'refused') return refuse(answer.reason);
  logPlayback(deps, c, 'play', started, 307, { recordID, format });
  // the answer carries cookies for this viewer: no cache may keep it
  const headers = withCookies(new Headers({ Location: answer.location, 'Cache-Control': 'no-store' }), grantCookies(c, viewer, answer.grant));
  return new Response(null, { status: 307, headers });
}

/** `GET|HEAD /<format>/<record id>[/<path>]`: the file, streamed from object storage. */
async function file(c: Context, next: Next, deps: Deps, format: string): Promise<Response | void> {
  const started = performance.now();
  const { path, query } = rawPathAndQuery(c);
  const rest = path.slice(format.length + 2);
  const slash = rest.indexOf('/');
  const recordID = slash === -1 ? rest : rest.slice(0, slash);
  if (recordID === '') return next();
  const refuse = (reason: PlaybackRefusal) => {
    logPlayback(deps, c, 'file', started, 404, { recordID, format, reason });
    return recordingNotFound(c);
  };
  const relative = slash === -1 ? null : safeRelativePath(rest.slice(slash + 1));
  if (relative === undefined) return refuse('badPath');
  const viewer = await viewerOf(c, deps);
  if (!viewer) return refuse('unknownTenant');
  const answer = await openRecordingFile(deps, recordID, format, viewer, {
    url: `${viewer.origin}${path}${query ? `?${query}` : ''}`,
    path: relative ?? undefined,
    query,
    range: c.req.header('range'),
    ifRange: c.req.header('if-range'),
    ifNoneMatch: c.req.header('if-none-match'),
  });
  const done = (status: number) => logPlayback(deps, c, 'file', started, status, { recordID, format });
  switch (answer.kind) {
    case 'refused':
      return refuse(answer.reason);
    case 'redirect':
      done(301);
      return c.redirect(answer.location, 301);
    case 'notModified':
      done(304);
      return new Response(null, { status: 304, headers: answer.headers });
    case 'unsatisfiable':
      done(416);
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${answer.size}`, 'Accept-Ranges': 'bytes' } });
    case 'file':
      done(answer.status);
      if (c.req.method === 'HEAD') {
        answer.object.body.destroy();
        return new Response(null, { status: answer.status, headers: answer.headers });
      }
      return new Response(Readable.toWeb(answer.object.body) as ReadableStream<Uint8Array>, { status: answer.status, headers: answer.headers });
  }
}
