import type { Context } from 'hono';
import { mergeRequestParams, parseQuery, type Params } from '../domain/params.js';

export type ContentKind = 'none' | 'form' | 'multipart' | 'xml' | 'json' | 'other';

const XML_TYPES = ['application/xml', 'text/xml', 'application/x-xml'];

export function contentKind(contentType: string | undefined): ContentKind {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === '') return 'none';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (XML_TYPES.includes(type)) return 'xml';
  if (type === 'application/json') return 'json';
  return 'other';
}

export interface RequestInput {
  method: string;
  rawQuery: string;
  /** query and form-body parameters merged as Rails does */
  params: Params;
  kind: ContentKind;
  /** raw body text ('' when none) */
  body: string;
  hasBody: boolean;
  /** the host the client addressed, lower-case, without the port (see `requestHost`) */
  host: string;
  /** the Authorization header */
  authorization?: string;
}

/**
 * The host the client addressed: the `Host` header — on Lambda behind API Gateway, the custom domain the
 * client used. `X-Forwarded-Host` (first value) only when `trustForwarded` (TRUST_FORWARDED_HOST), for a
 * proxy in front that rewrites Host. Lower-cased, port and trailing dot removed.
 */
export function requestHost(c: Context, trustForwarded: boolean): string {
  const forwarded = trustForwarded ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  let host = forwarded || c.req.header('host');
  if (!host) {
    try {
      host = new URL(c.req.url).host;
    } catch {
      host = '';
    }
  }
  return host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

/** Reads what the BBB API needs from a request: raw query, merged params, body and its kind. */
export async function readRequest(c: Context, rawQuery: string, host = ''): Promise<RequestInput> {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const kind = contentKind(c.req.header('content-type'));
  let body = '';
  let bodyParams: Params = new Map();
  if (method === 'POST') {
    if (kind === 'multipart') {
      const form = await c.req.parseBody({ all: false });
      for (const [k, v] of Object.entries(form)) if (typeof v === 'string') bodyParams.set(k, v);
      body = '[multipart]';
    } else {
      body = await c.req.text();
      if (kind === 'form') bodyParams = parseQuery(body);
    }
  }
  return {
    method,
    rawQuery,
    params: mergeRequestParams(bodyParams, parseQuery(rawQuery)),
    kind,
    body: kind === 'multipart' ? '' : body,
    hasBody: body.length > 0,
    host,
    authorization: c.req.header('authorization'),
  };
}
