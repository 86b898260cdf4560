/** A front-end's recording-ready endpoint for the tests: answers the statuses queued (then 200) and keeps what it got. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';

export interface ReadyPost {
  path: string;
  contentType?: string;
  /** the form's `signed_parameters` */
  token: string;
  /** the whole form, parsed */
  form: Record<string, string>;
  /** the test clock when it arrived */
  at: number;
}

export interface ReadyReceiver {
  url: string;
  posts: ReadyPost[];
  /** statuses to answer, in order (0: drop the connection without an answer); 200 once they are used up */
  statuses: number[];
  reset(): void;
  close(): Promise<void>;
}

export async function startReadyReceiver(clock: () => number = Date.now, path = '/recording-ready'): Promise<ReadyReceiver> {
  const posts: ReadyPost[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], token: form.signed_parameters ?? '', form, at: clock() });
      const status = statuses.shift() ?? 200;
      if (status === 0) req.socket.destroy();
      else res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    posts,
    statuses,
    reset: () => {
      posts.length = 0;
      statuses.length = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The token's header and payload when it verifies with `secret` and `alg`; undefined otherwise. */
export async function verifiedToken(token: string, secret: string, alg: 'HS256' | 'HS512'): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> } | undefined> {
  try {
    await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: [alg] });
    return { header: decodeProtectedHeader(token) as Record<string, unknown>, payload: decodeJwt(token) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
