import { isValidRecordId } from '../storage/storage-keys.js';

/** The longest path inside a format we store (S3 keys end at 1,024 bytes; `recordings/<id>/<format>/` takes the rest). */
export const MAX_ENTRY_PATH_BYTES = 800;

/** A format directory's name: what RECORDING_PLAYBACK_FORMATS and the playback routes accept. */
export const isFormatName = (name: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(name);

export type EntryPath =
  | { ok: true; format: string; recordID: string; /** inside `<format>/<record_id>/`, no leading slash */ path: string }
  | { ok: false; reason: string };

/**
 * Where a file of BBB's published tree belongs (pure): `<format>/<record_id>/<path>` as a tar or a
 * directory walk names it (a leading `./` is dropped). Refused: absolute paths, `..`, empty or `.`
 * segments, backslashes and control characters (no request path could name the file), files outside a
 * `<format>/<record_id>/` directory, a format or record id that is no valid name, over-long paths.
 */
export function parseEntryPath(name: string): EntryPath {
  const stripped = name.replace(/^(?:\.\/)+/, '');
  if (stripped.startsWith('/')) return { ok: false, reason: 'absolute path' };
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(stripped)) return { ok: false, reason: 'backslash or control character in the path' };
  const segments = stripped.split('/');
  if (segments.includes('..')) return { ok: false, reason: 'parent directory reference (..)' };
  if (segments.some((s) => s === '' || s === '.')) return { ok: false, reason: 'empty or . path segment' };
  if (segments.length < 3) return { ok: false, reason: 'outside <format>/<record_id>/' };
  const [format, recordID, ...rest] = segments;
  if (!isFormatName(format)) return { ok: false, reason: `"${format}" is not a format name` };
  if (!isValidRecordId(recordID)) return { ok: false, reason: `"${recordID}" is not a record id` };
  const path = rest.join('/');
  if (Buffer.byteLength(path, 'utf8') > MAX_ENTRY_PATH_BYTES) return { ok: false, reason: `path longer than ${MAX_ENTRY_PATH_BYTES} bytes` };
  return { ok: true, format, recordID, path };
}

/** Scalelite serves `.pdf` and `.ogg` files of a recording as downloads (`Content-Disposition: attachment`). */
export const contentDispositionFor = (path: string): string | undefined => (/\.(?:pdf|ogg)$/i.test(path) ? 'attachment' : undefined);
