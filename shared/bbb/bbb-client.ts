import http from 'node:http';
import https from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import type { Algorithm } from '../domain/checksum.js';
import type { Params } from '../domain/params.js';
import { signedBbbUrl, type BbbEndpoint } from './bbb-url.js';

/** BBB answered with a returncode other than SUCCESS: its messageKey and message are re-emitted. */
export class BbbFailedError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'BbbFailedError';
  }
}

/** The server could not be reached, timed out, or answered something that is not a BBB document. */
export class BbbTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BbbTransportError';
  }
}

export interface BbbCallOptions {
  /** XML body: the call becomes a POST with Content-Type application/xml */
  body?: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export interface BbbResponse {
  /** the document as the server sent it */
  body: string;
  /** `/response` parsed (text values as strings) */
  response: Record<string, unknown>;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });

/** Parses a BBB answer; throws BbbTransportError / BbbFailedError like Scalelite's get_post_req. */
export function parseBbbResponse(body: string): BbbResponse {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body) as Record<string, unknown>;
  } catch {
    throw new BbbTransportError('Response is not XML');
  }
  const response = doc?.response as Record<string, unknown> | undefined;
  if (!response || typeof response !== 'object' || response.returncode === undefined) {
    throw new BbbTransportError('Response did not include returncode');
  }
  if (String(response.returncode) !== 'SUCCESS') {
    if (response.messageKey === undefined || response.message === undefined) throw new BbbTransportError('Error response without messageKey/message');
    throw new BbbFailedError(String(response.messageKey), String(response.message));
  }
  return { body, response };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64, maxCachedSessions: 2000 }) };
// maxCachedSessions: TLS session resumption for up to 2,000 servers, so the poller's per-cycle reconnects stay cheap

/** One HTTP exchange with separate connect and response deadlines; never hangs past them. */
export function httpExchange(url: string, opts: BbbCallOptions & { method?: string; headers?: Record<string, string> }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
      agent: secure ? agents.https : agents.http,
      headers: { ...(opts.body !== undefined ? { 'Content-Type': 'application/xml' } : {}), ...(opts.headers ?? {}) },
    });
    let timer: NodeJS.Timeout | undefined;
    const fail = (message: string) => {
      clearTimeout(timer);
      req.destroy();
      reject(new BbbTransportError(message));
    };
    const startResponseTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(`no answer within ${opts.responseTimeoutMs} ms`), opts.responseTimeoutMs);
    };
    req.on('socket', (socket) => {
      if ((socket as { connecting?: boolean }).connecting) {
        timer = setTimeout(() => fail(`no connection within ${opts.connectTimeoutMs} ms`), opts.connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', startResponseTimer);
      } else startResponseTimer();
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof BbbTransportError ? e : new BbbTransportError(e.message));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => fail(e.message));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(opts.body);
  });
}

export class BbbClient {
  constructor(private readonly algorithm: Algorithm) {}

  url(server: BbbEndpoint, apiName: string, params: Params): string {
    return signedBbbUrl(server, apiName, params, this.algorithm);
  }

  /** Calls a BBB API; resolves with a SUCCESS document, rejects with BbbFailedError or BbbTransportError. */
  async call(server: BbbEndpoint, apiName: string, params: Params, opts: BbbCallOptions): Promise<BbbResponse> {
    const res = await httpExchange(this.url(server, apiName, params), opts);
    return parseBbbResponse(res.body);
  }
}
