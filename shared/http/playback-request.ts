import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { PlaybackGrant, PlaybackRefusal, Viewer } from '../app/playback.js';
import type { Deps } from '../app/deps.js';
import { setCookieHeaders } from '../domain/playback-cookies.js';
import { HTML_CONTENT_TYPE, RECORDING_NOT_FOUND_HTML } from '../domain/recording-not-found.js';
import { sameSiteFor } from '../domain/same-site.js';
import { requestHost, requestOrigin } from './request-input.js';
import { tenantNameFromHost } from './tenant-host.js';

/** What the playback routes share: the raw path, the viewer, the not-found page, redirects, the log line. */

/** The path of a request as the client sent it (percent-encoded), and its query without `?`. */
export function rawPathAndQuery(c: Context): { path: string; query: string } {
  const url = c.req.url;
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const rest = start === -1 ? '/' : url.slice(start);
  const hash = rest.indexOf('#');
  const noHash = hash === -1 ? rest : rest.slice(0, hash);
  const q = noHash.indexOf('?');
  return q === -1 ? { path: noHash, query: '' } : { path: noHash.slice(0, q), query: noHash.slice(q + 1) };
}

/** HTTP 404 with Scalelite's "Recording Not Found" page. */
export const recordingNotFound = (c: Context): Response => c.body(RECORDING_NOT_FOUND_HTML, 404, { 'Content-Type': HTML_CONTENT_TYPE });

/** A redirect to `target` with the request's query string. */
export function redirectKeepingQuery(c: Context, target: string, status: 301 | 307): Response {
  const { query } = rawPathAndQuery(c);
  return c.redirect(query ? `${target}?${query}` : target, status);
}

/**
 * The viewer of a playback request: in multitenant mode the tenant its host names — undefined when the
 * host names no tenant (the routes then answer the not-found page; Scalelite answers XML checksumError) —
 * plus the origin it addressed, the `token` query parameter and the cookies.
 */
export async function viewerOf(c: Context, deps: Deps): Promise<Viewer | undefined> {
  const proof = { origin: requestOrigin(c, deps.config.trustForwardedHost), token: c.req.query('token'), cookies: getCookie(c) };
  if (!deps.config.multitenancyEnabled) return { tenantId: undefined, ...proof };
  const name = tenantNameFromHost(requestHost(c, deps.config.trustForwardedHost), deps.config.urlHost);
  const tenant = name === undefined ? undefined : await deps.registry.tenantByName(name);
  return tenant ? { tenantId: tenant.id, ...proof } : undefined;
}

/** One log line per playback request (identifiers and outcome only; a refusal's reason is only here). */
export function logPlayback(deps: Deps, c: Context, route: string, started: number, status: number, fields: { recordID?: string; format?: string; reason?: PlaybackRefusal } = {}): void {
  deps.log.info('playback', { route, method: c.req.method, ...fields, status, ms: Math.round((performance.now() - started) * 10) / 10 });
}

/**
 * The `Set-Cookie` values of a grant for this request: `Secure; SameSite=None` over https (left out for
 * browsers that mishandle `None`), `SameSite=Lax` over plain http (`npm start`).
 */
export function grantCookies(c: Context, viewer: Viewer, grant: PlaybackGrant): string[] {
  const secure = viewer.origin.startsWith('https:');
  return setCookieHeaders(grant.cookies, grant.paths, { secure, sameSite: sameSiteFor(secure, c.req.header('user-agent')) });
}

/** Adds `Set-Cookie` headers to `headers`. */
export function withCookies(headers: Headers, cookies: readonly string[]): Headers {
  for (const cookie of cookies) headers.append('Set-Cookie', cookie);
  return headers;
}
