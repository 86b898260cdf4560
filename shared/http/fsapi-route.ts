import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { answerDialplan, type DialinScope, type DialplanForm } from '../app/fsapi.js';
import type { Deps } from '../app/deps.js';
import { NOT_FOUND_DOCUMENT } from '../domain/fsapi-dialplan.js';
import { requestHost } from './request-input.js';
import { tenantNameFromHost } from './tenant-host.js';
import { XML_CONTENT_TYPE } from './xml-responses.js';

export const FSAPI_PATH = '/fsapi';
export const FSAPI_USER = 'fsapi';
/** mod_xml_curl sends a few hundred bytes of form fields; a bigger body is not a dial-plan question. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * `POST /fsapi`, FreeSWITCH's mod_xml_curl dial-plan source (reference §1.11): HTTP Basic (`fsapi` /
 * FSAPI_PASSWORD) with Rails' 401, then one of the dial plans of shared/domain/fsapi-dialplan.ts. Every
 * other outcome — a malformed or oversized form, a failing store — still answers FreeSWITCH XML (the
 * not-found result, or the re-prompt), never a 500: a caller hears "bad pin" rather than a dropped call.
 */
export function mountFsapi(app: Hono, deps: Deps): void {
  app.post(FSAPI_PATH, async (c) => {
    const started = performance.now();
    if (!authorized(c.req.header('authorization'), deps.config.fsapiPassword)) {
      deps.log.info('fsapi', { outcome: 'unauthorized', ms: elapsed(started) });
      const realm = (deps.config.urlHost || 'Application').replace(/["\\\r\n]/g, '');
      return c.body('HTTP Basic: Access denied.\n', 401, { 'WWW-Authenticate': `Basic realm="${realm}"`, 'Content-Type': 'text/html; charset=utf-8' });
    }
    let xml: string;
    try {
      const form = await readForm(c);
      xml = form ? await answerDialplan(deps, form, await scopeOf(c, deps)) : NOT_FOUND_DOCUMENT;
    } catch (e) {
      deps.log.error('fsapi failed', { error: (e as Error)?.message ?? String(e) });
      xml = NOT_FOUND_DOCUMENT;
    }
    deps.log.info('fsapi', { outcome: xml.includes('bridge_to_bbb_server') ? 'bridge' : xml.includes('reprompt_for_pin') ? 'reprompt' : xml.includes('prompt_for_pin') ? 'prompt' : 'notFound', ms: elapsed(started) });
    return c.body(xml, 200, { 'Content-Type': XML_CONTENT_TYPE });
  });
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** HTTP Basic with user `fsapi`; '' disables the check; no password at all refuses everyone. Constant time. */
export function authorized(header: string | undefined, password: string | undefined): boolean {
  if (password === '') return true;
  if (password === undefined) return false;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), digest(FSAPI_USER));
  const passOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
  return userOk && passOk;
}

/** The form fields (query parameters too, as Rails merges them; the body's win). Undefined: not a form we read. */
async function readForm(c: Context): Promise<DialplanForm | undefined> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_FORM_BYTES) return undefined;
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.byteLength > MAX_FORM_BYTES) return undefined;
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const fields = new Map<string, string>();
  const add = (params: URLSearchParams) => {
    for (const [k, v] of params) if (!fields.has(k)) fields.set(k, v);
  };
  if (body.byteLength > 0 && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) add(new URLSearchParams(Buffer.from(body).toString('utf8')));
  const url = c.req.url;
  const q = url.indexOf('?');
  if (q !== -1) add(new URLSearchParams(url.slice(q + 1)));
  return fields;
}

/** Multitenant: a tenant's host reaches that tenant's meetings, the apex every meeting (one number for the cluster). */
async function scopeOf(c: Context, deps: Deps): Promise<DialinScope> {
  if (!deps.config.multitenancyEnabled) return { kind: 'any' };
  const name = tenantNameFromHost(requestHost(c, deps.config.trustForwardedHost), deps.config.urlHost);
  if (name === undefined) return { kind: 'any' };
  const tenant = await deps.registry.tenantByName(name);
  return tenant ? { kind: 'tenant', tenantId: tenant.id } : { kind: 'none' };
}
