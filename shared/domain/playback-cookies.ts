import type { SignedCookie } from './cloudfront-cookies.js';
import { PLAYER_PATH } from '../storage/storage-keys.js';

/**
 * The playback access cookies (pure parts): CloudFront signed cookies whose policy opens one recording's
 * files on the origin the viewer used, set on paths of that recording only.
 */

/**
 * The policy `Resource` of a recording's cookies: every URL on `origin` with the record id as a whole
 * path segment. It matches the viewer's URL (`/presentation/<id>/shapes.svg`) and the bucket key
 * CloudFront may check after rewriting the path to its origin (`/recordings/<id>/presentation/shapes.svg`),
 * and every format of the recording: a viewer let in for one format may fetch the recording's other
 * files too (it is one recording; getRecordings lists all its formats to whoever may list it).
 */
export const playbackResource = (origin: string, recordID: string): string => `${origin}/*/${recordID}/*`;

/**
 * Where the browser sends the cookies: the format's file directory and, for presentation, the player's
 * page of this recording (which checks them for a protected recording). Per-recording paths: two
 * recordings open in one browser keep their own cookies, and no cookie travels with unrelated requests.
 */
export function playbackCookiePaths(recordID: string, format: string): string[] {
  const paths = [`/${format}/${recordID}/`];
  if (format === 'presentation') paths.push(`${PLAYER_PATH}${recordID}`);
  return paths;
}

/** Epoch seconds at which cookies issued at `nowMs` for `minutes` stop opening anything. */
export const cookieExpiry = (nowMs: number, minutes: number): number => Math.floor(nowMs / 1000) + minutes * 60;

export interface CookieAttributes {
  /** the viewer came over https */
  secure: boolean;
  /** `SameSite` value, or undefined to leave the attribute out (see same-site.ts) */
  sameSite: 'None' | 'Lax' | undefined;
}

/**
 * `Set-Cookie` values: each cookie on each path, HttpOnly, host-only (no `Domain`: one tenant's cookies
 * never go to another tenant's host) and session cookies (no `Expires`/`Max-Age`: the signed policy
 * carries the expiry, as AWS recommends), `Secure` over https.
 */
export function setCookieHeaders(cookies: readonly SignedCookie[], paths: readonly string[], attrs: CookieAttributes): string[] {
  const tail = [attrs.secure && 'Secure', 'HttpOnly', attrs.sameSite && `SameSite=${attrs.sameSite}`].filter(Boolean).join('; ');
  return paths.flatMap((path) => cookies.map((c) => `${c.name}=${c.value}; Path=${path}; ${tail}`));
}
