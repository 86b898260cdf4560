/**
 * Object keys of the recordings bucket (pure). Uploads land under `uploads/`; an import writes every file
 * of a format to `recordings/<recordID>/<format>/<path inside the format>` and never moves it (publish,
 * protect and tenancy live in DynamoDB), so a CDN can serve the files by path (issue 11).
 */
export const UPLOADS_PREFIX = 'uploads/';
export const RECORDINGS_PREFIX = 'recordings/';

/** A BBB server's upload of one recording: unique per upload, so a re-upload never overwrites one being imported. */
export const uploadKey = (serverId: string, recordID: string, uploadId: string) => `${UPLOADS_PREFIX}${encodeURIComponent(serverId)}/${recordID}/${uploadId}.tar`;

/** The server id and record id an upload key names; undefined for any other key. */
export function parseUploadKey(key: string): { serverId: string; recordID: string; uploadId: string } | undefined {
  const m = /^uploads\/([^/]+)\/([^/]+)\/([^/]+)\.tar$/.exec(key);
  if (!m) return undefined;
  try {
    return { serverId: decodeURIComponent(m[1]), recordID: m[2], uploadId: m[3] };
  } catch {
    return undefined;
  }
}

/**
 * The presentation player (BBB's bbb-playback) is served at PLAYER_PATH, from the bucket keys of the same
 * path (`slctl playback:install` writes them; CloudFront serves them as they are, no rewrite).
 */
export const PLAYER_PATH = '/playback/presentation/2.3/';
export const PLAYER_PREFIX = 'playback/presentation/2.3/';
/** `path` relative to the player's directory (`index.html`, `static/js/main.js`, …). */
export const playerFileKey = (path: string) => `${PLAYER_PREFIX}${path}`;

export const recordingPrefix = (recordID: string) => `${RECORDINGS_PREFIX}${recordID}/`;
export const formatPrefix = (recordID: string, format: string) => `${RECORDINGS_PREFIX}${recordID}/${format}/`;
/** `path` is relative to the format's directory (`<format>/<recordID>/` in BBB's published tree), without a leading slash. */
export const recordingFileKey = (recordID: string, format: string, path: string) => `${formatPrefix(recordID, format)}${path}`;

/** BBB record ids: `<40 or 64 hex>-<13-digit ms timestamp>`; anything we accept as a path segment. */
export const isValidRecordId = (id: string): boolean => /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id) && !id.includes('..');
