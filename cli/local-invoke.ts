import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deps } from '../shared/app/deps.js';
import type { Logger } from '../shared/app/logger.js';
import { LAMBDA_PAYLOAD_LIMIT, LOCAL_ADMIN_FUNCTION, type AdminResponse } from '../shared/admin/admin-contract.js';

/**
 * The admin function on this machine: the local stack answers Lambda's Invoke API
 * (`POST /2015-03-31/functions/<name>/invocations`) for `scalelite-admin`, so that
 * `slctl --via lambda --function scalelite-admin --endpoint-url http://127.0.0.1:<PORT>` takes the real
 * @aws-sdk/client-lambda path. Loopback callers only (the endpoint checks no signature); answers as Lambda
 * does: the function's JSON (200), a crash as `X-Amz-Function-Error: Unhandled`, errors of the API itself
 * with `x-amzn-ErrorType` and Lambda's JSON shape.
 */

export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export type AdminHandler = (payload: unknown) => Promise<AdminResponse>;

export interface InvokeRequest {
  method: string;
  /** the path, without the query */
  path: string;
  header(name: string): string | undefined;
  /** the body, or undefined when it is longer than `limit` bytes */
  body(limit: number): Promise<Uint8Array | undefined>;
  remoteAddress?: string;
}

export interface InvokeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The function a path names: its name, or the name in its ARN (`arn:aws:lambda:…:function:NAME[:qualifier]`). */
function functionOf(segment: string): string {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return segment;
  }
  const arn = /^arn:aws[\w-]*:lambda:[\w-]*:\d*:function:([^:]+)(?::[^:]+)?$/.exec(name);
  return arn ? arn[1] : name;
}

const apiError = (status: number, type: string, message: string): InvokeAnswer => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': type },
  body: JSON.stringify({ Type: 'User', Message: message }),
});


export interface LocalInvokeOptions {
  /** the deps the tasks run with: the stack's */
  getDeps: () => Deps;
  log: Logger;
  /** default: functions/admin's handler over slctl's tasks, loaded on the first invocation */
  handler?: AdminHandler;
}

/** Answers a Lambda Invoke request; undefined when `req` is not one (the app answers it). */
export function createLocalInvoke(opts: LocalInvokeOptions): (req: InvokeRequest) => Promise<InvokeAnswer | undefined> {
  let handler: Promise<AdminHandler> | undefined = opts.handler ? Promise.resolve(opts.handler) : undefined;
  const admin = () =>
    (handler ??= (async () => {
      const [{ createAdminHandler }, { allRemoteCommands }] = await Promise.all([import('../functions/admin/admin-handler.js'), import('./commands/remote-commands.js')]);
      return createAdminHandler(opts.getDeps, allRemoteCommands);
    })());

  return async (req) => {
    const match = req.method === 'POST' ? INVOKE_PATH.exec(req.path) : null;
    if (!match) return undefined;
    if (!isLoopback(req.remoteAddress)) return apiError(403, 'AccessDeniedException', 'The local admin function answers loopback callers only');
    const name = functionOf(match[1]);
    if (name !== LOCAL_ADMIN_FUNCTION) return apiError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}`);
    const type = req.header('x-amz-invocation-type') ?? 'RequestResponse';
    if (type === 'DryRun') return { status: 204, headers: {}, body: '' };
    if (type !== 'RequestResponse' && type !== 'Event') return apiError(400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`);
    const bytes = await req.body(LAMBDA_PAYLOAD_LIMIT);
    if (!bytes) return apiError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${LAMBDA_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
    let payload: unknown;
    try {
      payload = bytes.length === 0 ? {} : JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (e) {
      return apiError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(e as Error).message}`);
    }
    const run = async (): Promise<InvokeAnswer> => {
      const started = Date.now();
      const { logCrash, logInvocation } = await import('../functions/admin/admin-handler.js');
      try {
        const result = await (await admin())(payload);
        logInvocation(opts.log, payload, result, Date.now() - started);
        return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }, body: JSON.stringify(result) };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        logCrash(opts.log, payload, err, Date.now() - started);
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' },
          body: JSON.stringify({ errorType: err.name, errorMessage: err.message }),
        };
      }
    };
    if (type === 'Event') {
      void run();
      return { status: 202, headers: {}, body: '' };
    }
    return run();
  };
}

/** Reads a stream up to `limit` bytes; undefined past it. */
async function readCapped(chunks: AsyncIterable<Uint8Array | string>, limit: number): Promise<Uint8Array | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += b.length;
    if (size > limit) return undefined;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** A fetch-API request (the local stack's Hono server) as an InvokeRequest. */
export function fetchInvokeRequest(req: Request, remoteAddress: string | undefined): InvokeRequest {
  return {
    method: req.method,
    path: new URL(req.url).pathname,
    header: (name) => req.headers.get(name) ?? undefined,
    body: async (limit) => {
      if (Number(req.headers.get('content-length') ?? 0) > limit) return undefined;
      return req.body ? readCapped(req.body as unknown as AsyncIterable<Uint8Array>, limit) : new Uint8Array();
    },
    remoteAddress,
  };
}

function nodeInvokeRequest(req: IncomingMessage): InvokeRequest {
  return {
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0],
    header: (name) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    body: (limit) => (Number(req.headers['content-length'] ?? 0) > limit ? Promise.resolve(undefined) : readCapped(req, limit)),
    remoteAddress: req.socket.remoteAddress,
  };
}

export interface LocalInvokeServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The Invoke endpoint alone, on a loopback port of its own: an admin function with other deps than the
 * stack's (tests: a deployment whose configuration differs, over the same table).
 */
export async function startLocalInvoke(opts: LocalInvokeOptions & { port?: number }): Promise<LocalInvokeServer> {
  const invoke = createLocalInvoke(opts);
  const server = createServer((req, res) => {
    invoke(nodeInvokeRequest(req))
      .then((answer) => {
        const a = answer ?? apiError(404, 'ResourceNotFoundException', 'Not the Lambda Invoke API');
        res.writeHead(a.status, a.headers).end(a.body);
      })
      .catch((e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
