/** The longest relative path we look up (S3 keys end at 1,024 bytes; the prefix takes the rest). */
export const MAX_RELATIVE_PATH_BYTES = 800;

/**
 * The relative path of a file request, decoded — or undefined when it could leave its directory or name
 * something no published tree holds. `raw` is the request path after `/<format>/<record id>/` exactly as
 * the client sent it (percent-encoded). Each `/`-separated segment is decoded once and must not be empty
 * (no `//`, no leading `/`: no absolute path), `.` or `..`, nor contain `/` or `\` (so `%2F`, `%5C`,
 * `..%2F` are refused), NUL or another control character. A trailing `/` is kept: it names a directory.
 * `''` (nothing after the record id) stays `''`.
 */
export function safeRelativePath(raw: string): string | undefined {
  if (raw === '') return '';
  const parts = raw.split('/');
  const directory = parts[parts.length - 1] === '';
  if (directory) parts.pop();
  const decoded: string[] = [];
  for (const part of parts) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (segment === '' || segment === '.' || segment === '..') return undefined;
    // eslint-disable-next-line no-control-regex
    if (/[/\\\u0000-\u001f\u007f]/.test(segment)) return undefined;
    decoded.push(segment);
  }
  const path = decoded.join('/') + (directory ? '/' : '');
  return Buffer.byteLength(path, 'utf8') <= MAX_RELATIVE_PATH_BYTES ? path : undefined;
}
