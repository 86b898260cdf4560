import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { callTimeouts } from '../app/deadline.js';
import { noMetrics, type Metrics } from '../app/metrics.js';
import type { Algorithm } from '../domain/checksum.js';
import type { Params } from '../domain/params.js';
import { signedBbbUrl, type BbbEndpoint } from './bbb-url.js';
import { evictIdleSockets, isStaleSocketFailure, keepAliveAgents } from './keep-alive.js';
import { parseXmlDocument, plainObject, type XmlNode } from './parse-bbb-xml.js';

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
  constructor(
    message: string,
    /** the request went out on a pooled socket the other end had dropped, and got no answer (keep-alive.ts) */
    readonly staleSocket = false,
  ) {
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

/**
 * Parses a BBB answer; throws BbbTransportError / BbbFailedError like Scalelite's get_post_req.
 * `response` is built on null-prototype objects: no tag name BBB echoes (`<__proto__>`) can fail it.
 */
export function parseBbbResponse(body: string): BbbResponse {
  let root: XmlNode;
  try {
    root = parseXmlDocument(body);
  } catch {
    throw new BbbTransportError('Response is not XML');
  }
  const response = root.name === 'response' ? (plainObject(root) as Record<string, unknown>) : undefined;
  if (!response || typeof response !== 'object' || response.returncode === undefined) {
    throw new BbbTransportError('Response did not include returncode');
  }
  // an element with elements inside is a null-prototype object, which String() cannot convert
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (text(response.returncode) !== 'SUCCESS') {
    if (response.messageKey === undefined || response.message === undefined) throw new BbbTransportError('Error response without messageKey/message');
    throw new BbbFailedError(text(response.messageKey), text(response.message));
  }
  return { body, response };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The BBB client's connection pools: kept alive, idle sockets closed after KEEP_ALIVE_IDLE_MS (keep-alive.ts). */
export const BBB_AGENTS = keepAliveAgents();

/** A retry goes out on a connection of its own, never one from the pool, and closes it after the answer. */
const freshAgents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

/**
 * The BBB calls that only read, so that sending one twice changes nothing: the ones retried once when a
 * pooled socket turns out dropped. Never create, end, insertDocument (a body, a state change; BBB's create
 * is idempotent by meetingID only while the meeting runs, and a lost answer may have been a success) —
 * those fail as before, and the front-end decides.
 */
export const RETRIABLE_CALLS: ReadonlySet<string> = new Set(['', 'isMeetingRunning', 'getMeetingInfo', 'getMeetings', 'getRecordings']);

/**
 * The largest answer a BBB server may send: getMeetings of a busy server is a few MB (about 1–2 KB per
 * attendee), so 20 MiB leaves room while a runaway or hostile answer cannot exhaust the Lambda's memory.
 */
export const BBB_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

export interface ExchangeOptions extends BbbCallOptions {
  method?: string;
  headers?: Record<string, string>;
  /** a longer answer (declared or received) destroys the socket and rejects with BbbTransportError; default BBB_MAX_RESPONSE_BYTES */
  maxResponseBytes?: number;
  /** resolves the host at connect time (see shared/net/safe-http.ts: refuses non-public addresses) */
  lookup?: LookupFunction;
  /** connection pool; default: the shared keep-alive agents of the BBB client */
  agent?: http.Agent;
  /**
   * The call may be sent twice (a GET that only reads): when it went out on a pooled socket the other end
   * had dropped, and failed before any answer, it is sent once more on a fresh connection — with what is
   * left of its connect + response time, so it still ends when the first attempt would have at the latest.
   */
  retryStaleSocket?: boolean;
}

const guarded = new WeakSet<object>();

/**
 * A server that answers before it has read our whole body (slides, a big form) and closes makes our
 * pending write fail after the answer — when the request no longer listens on its (pooled) socket, so
 * the error would be uncaught and end the process. Every socket gets one listener that drops it: errors
 * during a request still reach the request.
 */
function guardSocket(socket: object & { on(event: 'error', fn: () => void): unknown }): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  socket.on('error', () => {});
}

/**
 * One HTTP exchange with separate connect and response deadlines and a response-size cap; never hangs past
 * the deadlines, never buffers past the cap, and always settles with the answer or a BbbTransportError.
 * Pooled sockets idle past their limit are closed first; with `retryStaleSocket`, a request lost on a
 * dropped pooled socket is sent once more on a fresh connection, within the same connect + response time.
 */
export async function httpExchange(url: string, opts: ExchangeOptions): Promise<RawResponse> {
  const started = performance.now();
  const target = new URL(url);
  const agent = opts.agent ?? (target.protocol === 'https:' ? BBB_AGENTS.https : BBB_AGENTS.http);
  evictIdleSockets(agent);
  try {
    return await exchangeOnce(target, opts, agent);
  } catch (e) {
    if (!opts.retryStaleSocket || !(e instanceof BbbTransportError) || !e.staleSocket) throw e;
    // the first attempt could have lasted connect + response: the retry ends by then too (the caller fit that into the request's deadline)
    const budget = { connectTimeoutMs: opts.connectTimeoutMs, responseTimeoutMs: opts.responseTimeoutMs };
    const t = callTimeouts(budget, performance.now(), started + budget.connectTimeoutMs + budget.responseTimeoutMs);
    if (!t) throw e;
    const fresh = target.protocol === 'https:' ? freshAgents.https : freshAgents.http;
    return exchangeOnce(target, { ...opts, connectTimeoutMs: t.connectTimeoutMs, responseTimeoutMs: t.responseTimeoutMs }, fresh);
  }
}

function exchangeOnce(target: URL, opts: ExchangeOptions, agent: http.Agent): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const secure = target.protocol === 'https:';
    const maxBytes = opts.maxResponseBytes ?? BBB_MAX_RESPONSE_BYTES;
    let answered = false;
    const req = (secure ? https : http).request(target, {
      method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
      agent,
      headers: { ...(opts.body !== undefined ? { 'Content-Type': 'application/xml' } : {}), ...(opts.headers ?? {}) },
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const fail = (message: string) => {
      clearTimeout(timer);
      req.destroy();
      settled = true;
      reject(new BbbTransportError(message));
    };
    const startResponseTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(`no answer within ${opts.responseTimeoutMs} ms`), opts.responseTimeoutMs);
    };
    req.on('socket', (socket) => {
      guardSocket(socket);
      if ((socket as { connecting?: boolean }).connecting) {
        timer = setTimeout(() => fail(`no connection within ${opts.connectTimeoutMs} ms`), opts.connectTimeoutMs);
        socket.once(secure ? 'secureConnect' : 'connect', startResponseTimer);
      } else startResponseTimer();
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      settled = true;
      reject(e instanceof BbbTransportError ? e : new BbbTransportError(e.message, isStaleSocketFailure(e, req.reusedSocket, answered)));
    });
    req.on('response', (res) => {
      answered = true;
      const tooLarge = `answer larger than ${maxBytes} bytes`;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) return fail(tooLarge);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (settled) return;
        size += c.length;
        if (size > maxBytes) return fail(tooLarge);
        chunks.push(c);
      });
      res.on('error', (e) => fail(e.message));
      res.on('end', () => {
        if (settled) return;
        clearTimeout(timer);
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(opts.body);
  });
}

/** How a call to a BBB server ended (the `outcome` of the BbbCalls metric). */
export type BbbCallOutcome =
  /** a SUCCESS document */
  | 'ok'
  /** BBB answered FAILED (its messageKey: notFound, checksumError, …) */
  | 'failed'
  /** no connection or no answer within the call's timeouts */
  | 'timeout'
  /** anything else: refused, reset, TLS, not a BBB document, too large */
  | 'error';

/** The outcome of a call that threw `e`. */
export function bbbCallOutcome(e: unknown): BbbCallOutcome {
  if (e instanceof BbbFailedError) return 'failed';
  const text = e instanceof Error ? e.message : String(e);
  return /^no (connection|answer) within|ETIMEDOUT/.test(text) ? 'timeout' : 'error';
}

/** The `call` dimension of a BBB API name: the root document (`/bigbluebutton/api`, BBB's version) is `version`. */
export const bbbCallName = (apiName: string): string => apiName || 'version';

export class BbbClient {
  constructor(
    private readonly algorithm: Algorithm,
    /** where every call is counted and timed (BbbCalls, BbbCallLatency) */
    private readonly metrics: Metrics = noMetrics,
  ) {}

  url(server: BbbEndpoint, apiName: string, params: Params): string {
    return signedBbbUrl(server, apiName, params, this.algorithm);
  }

  /**
   * Calls a BBB API; resolves with a SUCCESS document, rejects with BbbFailedError or BbbTransportError.
   * A reading call (RETRIABLE_CALLS, no body) lost on a dropped pooled socket is sent once more (one call
   * for the metrics).
   */
  async call(server: BbbEndpoint, apiName: string, params: Params, opts: BbbCallOptions): Promise<BbbResponse> {
    const retryStaleSocket = opts.body === undefined && RETRIABLE_CALLS.has(apiName);
    return this.measured(apiName, async () => parseBbbResponse((await httpExchange(this.url(server, apiName, params), { ...opts, retryStaleSocket })).body));
  }

  /**
   * Runs one call to a BBB server made elsewhere (the poller's own connections) and counts it like `call`:
   * `run` must parse the answer, so that BBB's FAILED counts as `failed` and garbage as `error`.
   */
  async measured<T>(apiName: string, run: () => Promise<T>): Promise<T> {
    const call = bbbCallName(apiName);
    const started = performance.now();
    let outcome: BbbCallOutcome = 'ok';
    try {
      return await run();
    } catch (e) {
      outcome = bbbCallOutcome(e);
      throw e;
    } finally {
      this.metrics.count('BbbCalls', 1, { call, outcome });
      this.metrics.timing('BbbCallLatency', performance.now() - started, { call });
    }
  }
}
