import type { Context } from 'hono';
import { mergeRequestParams, parseQuery, type Params } from '../domain/params.js';

export type ContentKind = 'none' | 'form' | 'multipart' | 'xml' | 'other';

const XML_TYPES = ['application/xml', 'text/xml', 'application/x-xml'];

export function contentKind(contentType: string | undefined): ContentKind {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === '') return 'none';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (XML_TYPES.includes(type)) return 'xml';
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
}

/** Reads what the BBB API needs from a request: raw query, merged params, body and its kind. */
export async function readRequest(c: Context, rawQuery: string): Promise<RequestInput> {
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
  return { method, rawQuery, params: mergeRequestParams(bodyParams, parseQuery(rawQuery)), kind, body: kind === 'multipart' ? '' : body, hasBody: body.length > 0 };
}
