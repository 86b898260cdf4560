import type { Context } from 'hono';
import { ApiError } from '../domain/api-error.js';
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

/**
 * The largest request body the balancer takes: 4 MiB (4,194,304 bytes), the same under `slctl serve` and on
 * AWS. Why this figure: a synchronous Lambda invocation carries at most 6,291,456 bytes (6 MiB) of event, and
 * API Gateway's HTTP API puts the body into that event base64-encoded for every content type but text,
 * JSON and XML — form-urlencoded and multipart included — so n bytes of body take 4·⌈n/3⌉. The rest of the
 * event (the request line and headers, at most 10 KiB on an HTTP API, repeated decoded in
 * `queryStringParameters` and `cookies`, plus `requestContext`) is given 64 KiB. The largest body that then
 * fits is ¾·(6,291,456 − 65,536) = 4,669,440 bytes; 4 MiB base64-encoded is 5,592,408 bytes, which leaves
 * 633,512 bytes to spare. An XML or JSON body arrives as a JSON string instead: its quotes, backslashes and
 * line ends take two bytes each, and at 4 MiB up to 48 % of its bytes may be such characters (a base64
 * document inside XML has almost none). A body between the cap and ≈ 4.6 MB reaches the function and
 * gets the BBB error below; a larger one never reaches it (Lambda refuses the event, API Gateway answers
 * with an error of its own).
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The BBB error for a body over MAX_BODY_BYTES (BBB itself has none: its nginx answers 413 in HTML). */
export const bodyTooLarge = (): ApiError =>
  new ApiError('internalError', `The request body is too large: at most ${MAX_BODY_BYTES} bytes (4 MiB) are accepted.`);

/** A request with its body read: what the BBB API's calls and the admin API's act on. */
export interface RequestInput extends RequestHead {
  /** query and form-body parameters merged as Rails does */
  params: Params;
  /**
   * Every parameter of a form body (urlencoded, or the text fields of a multipart body; files are not
   * parameters and are dropped), repeats included, in order: what the checksum must cover. `[]` for none.
   */
  bodyParams: readonly FormPair[];
  /** raw body text ('' when none, and for a multipart body) */
  body: string;
  hasBody: boolean;
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

/** What is known of a request before its body is read. */
export interface RequestHead {
  method: string;
  rawQuery: string;
  kind: ContentKind;
  /** the host the client addressed, lower-case, without the port (see `requestHost`) */
  host: string;
  /** `<scheme>://<host>[:port]` the client addressed ('' when its Host is not a host name), see `requestOrigin` */
  origin: string;
  /** the Authorization header */
  authorization?: string;
  /** the Content-Length the client declared; undefined without one (a chunked body) */
  declaredLength: number | undefined;
}

/**
 * A request whose body is read only when asked for, at most once, and never past MAX_BODY_BYTES: a
 * pipeline checks what needs no body (route, content type, a checksum in the query) before it reads one.
 * Every reading method rejects with the `bodyTooLarge` ApiError when the body is over the cap.
 */
export interface IncomingRequest extends RequestHead {
  /** POST only: does the body hold anything? A declared length answers without reading. */
  hasBody(): Promise<boolean>;
  /** The parameters of a form body (urlencoded, or the text fields of a multipart body); `[]` for other kinds and non-POST. */
  bodyParams(): Promise<readonly FormPair[]>;
  /** The whole request: reads (and for a form, parses) the body. */
  complete(): Promise<RequestInput>;
}

function declaredLengthOf(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Reads a body, counting bytes as they arrive: a declared length over `max` fails before anything is
 * read, a body that grows past it (chunked, or an adapter's length that lies) fails as soon as it does.
 * The rest is left unread, not cancelled: cancelling node's request stream would close the connection
 * before our answer went out (the node server drains an unread body after the answer).
 */
export async function readBodyCapped(body: ReadableStream<Uint8Array> | null, declared: number | undefined, max = MAX_BODY_BYTES): Promise<Uint8Array> {
  if (declared !== undefined && declared > max) throw bodyTooLarge();
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) throw bodyTooLarge();
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
}

/** The request's head now; its body when a method asks (see IncomingRequest). */
export function openRequest(c: Context, rawQuery: string, host = '', origin = ''): IncomingRequest {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const contentType = c.req.header('content-type') ?? '';
  const kind = contentKind(contentType);
  const declaredLength = declaredLengthOf(c.req.header('content-length'));
  let bytes: Promise<Uint8Array> | undefined;
  const readBytes = () => (bytes ??= method === 'POST' ? readBodyCapped(c.req.raw.body, declaredLength) : Promise.resolve(new Uint8Array(0)));
  let form: Promise<FormPair[]> | undefined;
  const readForm = () =>
    (form ??= (async () => {
      if (method !== 'POST') return [];
      if (kind === 'form') return formPairs(new TextDecoder().decode(await readBytes()));
      if (kind !== 'multipart') return [];
      // the media type lower-cased, as contentKind compared it (the parser would refuse `Multipart/Form-Data`)
      const headers = { 'Content-Type': contentType.replace(/^[^;]+/, (type) => type.trim().toLowerCase()) };
      const pairs: FormPair[] = [];
      (await new Response(await readBytes(), { headers }).formData()).forEach((value, name) => {
        if (typeof value === 'string') pairs.push([name, value]);
      });
      return pairs;
    })());
  const head: RequestHead = { method, rawQuery, kind, host, origin, authorization: c.req.header('authorization'), declaredLength };
  return {
    ...head,
    async hasBody() {
      if (method !== 'POST') return false;
      if (declaredLength !== undefined && declaredLength > 0) return true;
      return (await readBytes()).byteLength > 0;
    },
    bodyParams: readForm,
    async complete() {
      const bodyParams = await readForm();
      const raw = await readBytes();
      // a multipart body is its parameters; its text (files and all) is nobody's business
      const body = kind === 'multipart' ? '' : new TextDecoder().decode(raw);
      const bodyMap: Params = new Map();
      for (const [name, value] of bodyParams) if (name !== '') bodyMap.set(name, value);
      return {
        ...head,
        params: mergeRequestParams(bodyMap, parseQuery(rawQuery)),
        bodyParams,
        body,
        hasBody: raw.byteLength > 0,
      };
    },
  };
}
