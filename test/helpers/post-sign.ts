import { createHash } from 'node:crypto';
import { LB_SECRET } from './test-stack.js';

/** Java's URLEncoder, from encodeURIComponent (which also keeps `!'()~`); space is `+`. */
export const javaEncode = (v: string) =>
  encodeURIComponent(v)
    .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/** What BBB's PostChecksum expects: H(call + sorted name=URLEncoder(value) joined by & + secret). */
export function postChecksum(call: string, params: [string, string][], algorithm: 'sha1' | 'sha256' = 'sha1', secret = LB_SECRET): string {
  const text = [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, v]) => `${n}=${javaEncode(v)}`)
    .join('&');
  return createHash(algorithm).update(call + text + secret).digest('hex');
}

/** A form body signed as BBB's PostChecksum expects (the checksum in the body). */
export function signedForm(call: string, params: [string, string][], algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  return `${params.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&')}&checksum=${postChecksum(call, params, algorithm)}`;
}
