import type { PlaybackFormat, Recording } from '../domain/recording.js';
import { parseRange, resolveRange } from '../domain/byte-range.js';
import { servedContentType } from '../domain/content-type.js';
import { isValidRecordId, recordingFileKey } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import type { StoredObject } from './object-storage.js';

/**
 * Playback (reference §1.10): who may see which recording's files, and the files themselves. The HTTP
 * routes (shared/http/playback.ts) resolve the viewer's tenant and map these answers to responses; every
 * refusal there is the same 404 page, the reason only goes to the log.
 */

/** Why a playback request is refused (logged, never shown: the viewer gets the one "Recording Not Found" page). */
export type PlaybackRefusal =
  | 'unknownTenant'
  | 'badRecordId'
  | 'unknownRecording'
  | 'noFormat'
  | 'deleted'
  | 'unpublished'
  | 'otherTenant'
  | 'protected'
  | 'badPath'
  | 'noFile'
  | 'badPlaybackUrl';

/** Who asks: the tenant of the request's host, and (issue 11) what proves access to a protected recording. */
export interface Viewer {
  /** the host's tenant in multitenant mode; undefined in single-tenant mode */
  tenantId: string | undefined;
  /** the play route's `token` query parameter (issue 11: a one-time token minted by getRecordings) */
  token?: string;
  /** the request's cookies (issue 11: the per-recording access cookie of the resource route) */
  cookies?: Readonly<Record<string, string>>;
}

export type Purpose = 'play' | 'resource';

export type PlaybackAccess = { ok: true; recording: Recording; format: PlaybackFormat } | { ok: false; reason: PlaybackRefusal };

/**
 * The seam for protected recordings (issue 11): whether `viewer` may see `format` of a protected
 * recording. `play` will consume the one-time token and hand out an access cookie (signed CloudFront
 * cookies on AWS), `resource` will check that cookie. Until then nobody may: a protected recording plays
 * for no one (Scalelite's answer to a viewer without token or cookie).
 */
export async function mayViewProtected(_deps: Deps, _recording: Recording, _format: string, _viewer: Viewer, _purpose: Purpose): Promise<boolean> {
  return false;
}

/**
 * Whether `viewer` may play `format` of recording `recordID` (Scalelite's PlaybackController): the
 * recording exists, is not deleted, has that format, is published, belongs to the viewer's tenant (none in
 * single-tenant mode: tenants' recordings stay theirs, as their meetings do), and — when protected — the
 * viewer proves access. The resource route checks protection only while PROTECTED_RECORDINGS_ENABLED,
 * the play route always (as Scalelite). One GetItem.
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
  const checkProtection = purpose === 'play' || deps.config.protectedRecordingsEnabled;
  if (recording.protected && checkProtection && !(await mayViewProtected(deps, recording, format, viewer, purpose))) return { ok: false, reason: 'protected' };
  return { ok: true, recording, format: playback };
}

export type PlayAnswer = { kind: 'redirect'; location: string } | { kind: 'refused'; reason: PlaybackRefusal };

/** `GET /recording/<record id>/<format>`: after the checks, a 307 to the format's stored playback path. */
export async function playRecording(deps: Deps, recordID: string, format: string, viewer: Viewer): Promise<PlayAnswer> {
  const access = await checkPlayback(deps, recordID, format, viewer, 'play');
  if (!access.ok) return { kind: 'refused', reason: access.reason };
  const location = access.format.url;
  // the stored link is a path on this host (BBB's host dropped at import); never send a viewer elsewhere
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) {
    deps.log.warn('playback URL of a recording is not a path', { recordID, format });
    return { kind: 'refused', reason: 'badPlaybackUrl' };
  }
  return { kind: 'redirect', location };
}

/** What the file route asked for, besides the recording and format. */
export interface FileRequest {
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
  /** `/<format>/<id>` of a format with an index.html: to the directory, so the page's relative links resolve */
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; status: 200 | 206; object: StoredObject; headers: Record<string, string> }
  | { kind: 'notModified'; headers: Record<string, string> }
  | { kind: 'unsatisfiable'; size: number };

/** Scalelite's `deliver_resource`: these formats play in the browser, every other one is a download. */
const INLINE_FORMATS = new Set(['presentation', 'video', 'screenshare']);

/**
 * `GET /<format>/<record id>/<path>`: after `checkPlayback`, the file from object storage
 * (`recordings/<id>/<format>/<path>`), streamed, with its type, length, ETag and Last-Modified, one
 * byte range (206, or 416 past the end), `If-None-Match` (304) and `If-Range`. A directory path serves
 * its index.html. The caller owns `object.body` (destroy it for HEAD).
 */
export async function openRecordingFile(deps: Deps, recordID: string, format: string, viewer: Viewer, req: FileRequest): Promise<FileAnswer> {
  const storage = deps.storage;
  if (!storage) throw new Error('playback needs the recordings bucket, and this runtime has no object storage');
  const access = await checkPlayback(deps, recordID, format, viewer, 'resource');
  if (!access.ok) return { kind: 'refused', reason: access.reason };

  if (req.path === undefined) {
    const index = await storage.head(recordingFileKey(recordID, format, 'index.html'));
    if (!index) return { kind: 'refused', reason: 'noFile' };
    return { kind: 'redirect', location: `/${format}/${recordID}/${req.query ? `?${req.query}` : ''}` };
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
