/**
 * The media type of a recording file (or a player asset) by its extension, as nginx's `mime.types` would
 * serve it from BBB's published tree — what a browser needs to play, show or parse the file. Unknown
 * extensions are `application/octet-stream`.
 */
const BY_EXTENSION: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip',
  map: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  webm: 'video/webm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  oga: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  pdf: 'application/pdf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
  zip: 'application/zip',
  tar: 'application/x-tar',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The media type for a file name or path (`presentation/<id>/video/webcams.webm` → `video/webm`). */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** A stored object's type, unless it is missing or a generic byte stream: then the one of its name. */
export function servedContentType(storedType: string | undefined, path: string): string {
  const generic = !storedType || /^(?:application|binary)\/octet-stream\b/i.test(storedType);
  return generic ? contentTypeFor(path) : storedType;
}
