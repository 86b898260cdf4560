import type { PlaybackFormat, Recording } from '../domain/recording.js';
import { parseRange, resolveRange } from '../domain/byte-range.js';
import type { CookieSigner, SignedCookie } from '../domain/cloudfront-cookies.js';
import { servedContentType } from '../domain/content-type.js';
import { cookieExpiry, playbackCookiePaths, playbackResource } from '../domain/playback-cookies.js';
import { isValidRecordId, recordingFileKey } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import type { StoredObject } from './object-storage.js';

/**
 * Playback (reference §1.10): access is decided here — by the play route, which hands out CloudFront
 * signed cookies for one recording — and enforced by checking those cookies on every file, as CloudFront
 * does at the edge on AWS (docs/RECORDINGS.md §6). The HTTP routes (shared/http/playback.ts) resolve the
 * viewer and map these answers to responses; every refusal there is the same 404 page, the reason only
 * goes to the log.
 */

/** Why a playback request is refused (logged, never shown: the viewer gets the one "Recording Not Found" page). */
export type PlaybackRefusal =
  | 'unknownTenant'
  | 'badOrigin'
  | 'badRecordId'
  | 'unknownRecording'
  | 'noFormat'
  | 'deleted'
  | 'unpublished'
  | 'otherTenant'
  | 'protected'
  | 'badToken'
  | 'noCookie'
  | 'noSigner'
  | 'badPath'
  | 'noFile'
  | 'badPlaybackUrl';

/** Who asks. */
export interface Viewer {
  /** the host's tenant in multitenant mode; undefined in single-tenant mode */
  tenantId: string | undefined;
  /** `<scheme>://<host>[:port]` the viewer addressed (`requestOrigin`); '' when its host is no host name */
  origin: string;
  /** the play route's `token` query parameter (a protected recording's one-time token from getRecordings) */
  token?: string;
  /** the request's cookies */
  cookies: Readonly<Record<string, string>>;
}

/** `play`: the play route and the player's page; `resource`: a file without access cookies (thumbnails). */
export type Purpose = 'play' | 'resource';

export type PlaybackAccess = { ok: true; recording: Recording; format: PlaybackFormat } | { ok: false; reason: PlaybackRefusal };

/**
 * The recording's own conditions (Scalelite's PlaybackController): it exists, is not deleted, has that
 * format, is published, belongs to the viewer's tenant (none in single-tenant mode: tenants' recordings
 * stay theirs, as their meetings do). For `resource` a protected recording is refused while
 * PROTECTED_RECORDINGS_ENABLED (Scalelite checks its cookie only then); for `play` protection is the
 * caller's (token or cookies). One GetItem.
 */
export async function checkPlayback(deps: Deps, recordID: string, format: string, viewer: Viewer, purpose: Purpose): Promise<PlaybackAccess> {
  if (!isValidRecordId(recordID)) return { ok: false, reason: 'badRecordId' };
  const recording = await deps.store.recordings.get(recordID);
  if (!recording) return { ok: false, reason: 'unknownRecording' };
  if (recording.state === 'deleted') return { ok: false, reason: 'deleted' };
  const playback = Object.hasOwn(recording.formats, format) ? recording.formats[format] : undefined;
  if (!playback) return { ok: false, reason: 'noFormat' };
  if (!recording.published) return { ok: false, reason: 'unpublished' };
  if (recording.tenantId !== viewer.tenantId) return { ok: false, reason: 'otherTenant' };
  if (purpose === 'resource' && recording.protected && deps.config.protectedRecordingsEnabled) return { ok: false, reason: 'protected' };
  return { ok: true, recording, format: playback };
}

/** The access cookies handed to a viewer: set each of `cookies` on each of `paths`. */
export interface PlaybackGrant {
  cookies: SignedCookie[];
  paths: string[];
}

/**
 * Signed cookies opening `recordID`'s files on the viewer's origin until now + PROTECTED_RECORDINGS_TIMEOUT
 * (protected) or PLAYBACK_COOKIE_TIMEOUT minutes, for the paths of `format`.
 */
function grantFor(deps: Deps, signer: CookieSigner, recording: Recording, format: string, origin: string): PlaybackGrant {
  const minutes = recording.protected ? deps.config.protectedRecordingsTimeout : deps.config.playbackCookieTimeout;
  return {
    cookies: signer.sign(playbackResource(origin, recording.recordID), cookieExpiry(deps.clock(), minutes)),
    paths: playbackCookiePaths(recording.recordID, format),
  };
}

/** The signer, or undefined after logging why nothing can play. */
function signerOf(deps: Deps): CookieSigner | undefined {
  if (!deps.signer) deps.log.error('playback refused: no cookie signing key; set CF_KEY_PAIR_ID and CF_PRIVATE_KEY_B64 (docs/RECORDINGS.md §6)');
  return deps.signer;
}

const nowSeconds = (deps: Deps) => Math.floor(deps.clock() / 1000);

/** Protected recordings' tokens: 64 lowercase hex characters (Scalelite's format). */
const TOKEN = /^[0-9a-f]{64}$/;

export type PlayAnswer = { kind: 'redirect'; location: string; grant: PlaybackGrant } | { kind: 'refused'; reason: PlaybackRefusal };

/**
 * `GET /recording/<record id>/<format>`: after `checkPlayback` — and, for a protected recording, after
 * using up its one-time token (one conditional DeleteItem: of two requests with one token exactly one
 * passes) — the access cookies and a 307 to the format's stored playback path.
 */
export async function playRecording(deps: Deps, recordID: string, format: string, viewer: Viewer): Promise<PlayAnswer> {
  const signer = signerOf(deps);
  if (!signer) return { kind: 'refused', reason: 'noSigner' };
  if (!viewer.origin) return { kind: 'refused', reason: 'badOrigin' };
  const access = await checkPlayback(deps, recordID, format, viewer, 'play');
  if (!access.ok) return { kind: 'refused', reason: access.reason };
  const location = access.format.url;
  // the stored link is a path on this host (BBB's host dropped at import); never send a viewer elsewhere
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) {
    deps.log.warn('playback URL of a recording is not a path', { recordID, format });
    return { kind: 'refused', reason: 'badPlaybackUrl' };
  }
  if (access.recording.protected) {
    const token = viewer.token;
    if (token === undefined || !TOKEN.test(token)) return { kind: 'refused', reason: 'badToken' };
    const held = await deps.store.playbackTokens.consume(token, deps.clock());
    if (!held || held.recordID !== recordID || held.format !== format) return { kind: 'refused', reason: 'badToken' };
  }
  return { kind: 'redirect', location, grant: grantFor(deps, signer, access.recording, format, viewer.origin) };
}

export type PlayerAnswer = { kind: 'player'; recording: Recording; grant?: PlaybackGrant } | { kind: 'refused'; reason: PlaybackRefusal };

/**
 * `GET /playback/presentation/2.3/<record id>`, the presentation player's page: the play route's checks
 * for format `presentation`; a protected recording also needs the viewer's signed cookies for it (set by
 * the play route, which consumed the token), an unprotected one gets fresh cookies (old links that skip
 * the play route still play).
 */
export async function openPlayer(deps: Deps, recordID: string, viewer: Viewer): Promise<PlayerAnswer> {
  const signer = signerOf(deps);
  if (!signer) return { kind: 'refused', reason: 'noSigner' };
  if (!viewer.origin) return { kind: 'refused', reason: 'badOrigin' };
  const access = await checkPlayback(deps, recordID, 'presentation', viewer, 'play');
  if (!access.ok) return { kind: 'refused', reason: access.reason };
  if (access.recording.protected) {
    // the first file the player loads: the cookies must open it
    const opens = signer.verify(`${viewer.origin}/presentation/${recordID}/metadata.xml`, viewer.cookies, nowSeconds(deps));
    return opens ? { kind: 'player', recording: access.recording } : { kind: 'refused', reason: 'noCookie' };
  }
  return { kind: 'player', recording: access.recording, grant: grantFor(deps, signer, access.recording, 'presentation', viewer.origin) };
}

/** What the file route asked for, besides the recording and format. */
export interface FileRequest {
  /** what CloudFront checks the cookies against: `<origin><path as sent>[?<query>]` */
  url: string;
  /**
   * decoded path inside the format's directory (`safeRelativePath`): '' or a trailing `/` = a directory;
   * undefined = nothing after the record id, not even a `/`
   */
  path: string | undefined;
  /** the query string after `?` ('' when none), kept on redirects */
  query: string;
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
}

export type FileAnswer =
  | { kind: 'refused'; reason: PlaybackRefusal }
  /** `/<format>/<id>`: to the directory, so an index.html's relative links resolve (the directory is checked when asked for) */
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; status: 200 | 206; object: StoredObject; headers: Record<string, string> }
  | { kind: 'notModified'; headers: Record<string, string> }
  | { kind: 'unsatisfiable'; size: number };

/** A slide thumbnail inside the presentation format (`presentation/<slides>/thumbnails/<file>`): shown by front-ends without cookies. */
const isThumbnail = (format: string, path: string) => format === 'presentation' && /^presentation\/[^/]+\/thumbnails\/[^/]+$/.test(path);

/** Scalelite's `deliver_resource`: these formats play in the browser, every other one is a download. */
const INLINE_FORMATS = new Set(['presentation', 'video', 'screenshare']);

/**
 * `GET /<format>/<record id>/<path>`: the file from object storage (`recordings/<id>/<format>/<path>`)
 * when the request's cookies pass CloudFront's check for its URL — no DynamoDB read, so what a viewer
 * may open is decided once, by the play route. Without such cookies only a slide thumbnail of a
 * recording `checkPlayback(…, 'resource')` allows (front-ends show getRecordings' thumbnails in `<img>`).
 * Streamed, with its type, length, ETag and Last-Modified, one byte range (206, or 416 past the end),
 * `If-None-Match` (304) and `If-Range`. A directory path serves its index.html; nothing after the record
 * id redirects to the directory (checked there). The caller owns `object.body` (destroy it for HEAD).
 */
export async function openRecordingFile(deps: Deps, recordID: string, format: string, viewer: Viewer, req: FileRequest): Promise<FileAnswer> {
  const storage = deps.storage;
  if (!storage) throw new Error('playback needs the recordings bucket, and this runtime has no object storage');
  if (!isValidRecordId(recordID)) return { kind: 'refused', reason: 'badRecordId' };
  // only the path: the directory it names is checked when asked for
  if (req.path === undefined) return { kind: 'redirect', location: `/${format}/${recordID}/${req.query ? `?${req.query}` : ''}` };

  const signed = viewer.origin !== '' && deps.signer !== undefined && deps.signer.verify(req.url, viewer.cookies, nowSeconds(deps));
  if (!signed) {
    if (!isThumbnail(format, req.path)) return { kind: 'refused', reason: deps.signer ? 'noCookie' : 'noSigner' };
    const access = await checkPlayback(deps, recordID, format, viewer, 'resource');
    if (!access.ok) return { kind: 'refused', reason: access.reason };
  }

  const path = req.path === '' || req.path.endsWith('/') ? `${req.path}index.html` : req.path;
  const key = recordingFileKey(recordID, format, path);

  const asked = parseRange(req.range);
  let object: StoredObject | undefined;
  let status: 200 | 206 = 200;
  if (asked) {
    let span: { start: number; end?: number } | undefined;
    if ('suffix' in asked) {
      const head = await storage.head(key);
      if (!head) return { kind: 'refused', reason: 'noFile' };
      span = resolveRange(asked, head.size);
      if (!span) return { kind: 'unsatisfiable', size: head.size };
    } else {
      span = asked;
    }
    try {
      object = await storage.get(key, span);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      const head = await storage.head(key);
      if (!head) return { kind: 'refused', reason: 'noFile' };
      return { kind: 'unsatisfiable', size: head.size };
    }
    if (object && req.ifRange !== undefined && !ifRangeHolds(req.ifRange, object)) {
      object.body.destroy();
      object = await storage.get(key);
    } else if (object) {
      status = 206;
    }
  } else {
    object = await storage.get(key);
  }
  if (!object) return { kind: 'refused', reason: 'noFile' };

  const headers: Record<string, string> = {
    'Content-Type': servedContentType(object.contentType, path),
    'Accept-Ranges': 'bytes',
    // revalidated on every use (a 304 is cheap): an unpublished or deleted recording stops playing at once
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (object.etag) headers.ETag = object.etag;
  if (object.lastModified) headers['Last-Modified'] = object.lastModified.toUTCString();
  if (!INLINE_FORMATS.has(format)) headers['Content-Disposition'] = 'attachment';

  if (req.ifNoneMatch !== undefined && object.etag && etagListMatches(req.ifNoneMatch, object.etag)) {
    object.body.destroy();
    return { kind: 'notModified', headers };
  }
  headers['Content-Length'] = String(object.contentLength);
  if (status === 206) headers['Content-Range'] = object.contentRange ?? `bytes */${object.size}`;
  return { kind: 'file', status, object, headers };
}

/** `If-Range`: a strong ETag equal to the object's, or an HTTP date not before its Last-Modified. */
function ifRangeHolds(value: string, object: StoredObject): boolean {
  const v = value.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return !v.startsWith('W/') && v === object.etag;
  const date = Date.parse(v);
  return object.lastModified !== undefined && !Number.isNaN(date) && Math.floor(object.lastModified.getTime() / 1000) * 1000 <= date;
}

/** `If-None-Match`: `*` or a list of (weak or strong) ETags, compared weakly. */
function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === bare(etag));
}
