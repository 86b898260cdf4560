import type { Context } from 'hono';
import { mergeRequestParams, parseQuery, type Params } from '../domain/params.js';
import { formPairs, type FormPair } from '../domain/post-checksum.js';

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
  /**
   * Every parameter of a form body (urlencoded, or the text fields of a multipart body; files are not
   * parameters and are dropped), repeats included, in order: what the checksum must cover. `[]` for none.
   */
  bodyParams: readonly FormPair[];
  kind: ContentKind;
  /** raw body text ('' when none) */
  body: string;
  hasBody: boolean;
  /** the host the client addressed, lower-case, without the port (see `requestHost`) */
  host: string;
  /** `<scheme>://<host>[:port]` the client addressed ('' when its Host is not a host name), see `requestOrigin` */
  origin: string;
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

const firstValue = (v: string | undefined) => v?.split(',')[0]?.trim() || undefined;
const HOST_AND_PORT = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The scheme, host and port the client addressed: the request URL's scheme (https on Lambda, where API
 * Gateway terminates TLS) and the `Host` header with its port — or, with `trustForwarded`, the proxy's
 * `X-Forwarded-Proto` / `X-Forwarded-Host`. '' when the host is not a plain host name (with a port).
 */
export function requestOrigin(c: Context, trustForwarded: boolean): string {
  let url: URL | undefined;
  try {
    url = new URL(c.req.url);
  } catch {
    url = undefined;
  }
  const host = ((trustForwarded ? firstValue(c.req.header('x-forwarded-host')) : undefined) || c.req.header('host') || url?.host || '').toLowerCase();
  const proto = trustForwarded ? firstValue(c.req.header('x-forwarded-proto'))?.toLowerCase() : undefined;
  const scheme = proto === 'http' || proto === 'https' ? proto : url?.protocol === 'http:' ? 'http' : 'https';
  return HOST_AND_PORT.test(host) ? `${scheme}://${host}` : '';
}

/** Reads what the BBB API needs from a request: raw query, merged params, body and its kind. */
export async function readRequest(c: Context, rawQuery: string, host = '', origin = ''): Promise<RequestInput> {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const contentType = c.req.header('content-type') ?? '';
  const kind = contentKind(contentType);
  let body = '';
  let bodyParams: FormPair[] = [];
  if (method === 'POST') {
    if (kind === 'multipart') {
      // the media type lower-cased, as contentKind compared it (the parser would refuse `Multipart/Form-Data`)
      const headers = { 'Content-Type': contentType.replace(/^[^;]+/, (type) => type.trim().toLowerCase()) };
      const form = await new Response(await c.req.arrayBuffer(), { headers }).formData();
      form.forEach((value, name) => {
        if (typeof value === 'string') bodyParams.push([name, value]);
      });
      body = '[multipart]';
    } else {
      body = await c.req.text();
      if (kind === 'form') bodyParams = formPairs(body);
    }
  }
  const bodyMap: Params = new Map();
  for (const [name, value] of bodyParams) if (name !== '') bodyMap.set(name, value);
  return {
    method,
    rawQuery,
    params: mergeRequestParams(bodyMap, parseQuery(rawQuery)),
    bodyParams,
    kind,
    body: kind === 'multipart' ? '' : body,
    hasBody: body.length > 0,
    host,
    origin,
    authorization: c.req.header('authorization'),
  };
}
