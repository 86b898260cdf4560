import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { silentLogger, type Logger } from '../../shared/app/logger.js';
import type { Env } from '../../shared/config/env-names.js';
import type { Server } from '../../shared/domain/entities.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';

export const LB_SECRET = 'test-lb-secret-0123456789';

export type ClientAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** What a front-end sends: `query&checksum=H(call + query + secret)`. */
export function signQuery(call: string, query: string, secret = LB_SECRET, algorithm: ClientAlgorithm = 'sha1'): string {
  const checksum = createHash(algorithm).update(call + query + secret).digest('hex');
  return query === '' ? `checksum=${checksum}` : `${query}&checksum=${checksum}`;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const GUARDED = new WeakSet<object>();

/** An HTTP request whose path and query go on the wire exactly as given (fetch would re-encode `'`). */
export function rawRequest(baseUrl: string, pathAndQuery: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method: opts.method ?? 'GET', path: pathAndQuery, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // a server that answers before reading a big body closes the connection while we still write: that
    // write's error arrives after the answer, when the request no longer listens on its socket
    req.on('socket', (socket) => {
      if (!GUARDED.has(socket)) {
        GUARDED.add(socket);
        socket.on('error', () => {});
      }
    });
    req.end(opts.body);
  });
}

export interface TestStack {
  stack: LocalStack;
  url: string;
  fakes: FakeBbb[];
  /** GET /bigbluebutton/api/<call>?<query signed with the LB secret> */
  call(call: string, query?: string, opts?: { secret?: string; algorithm?: ClientAlgorithm }): Promise<RawResponse>;
  /** Adds a fake as a server (enabled, then polled so it is online). */
  addServer(fake: FakeBbb, opts?: { id?: string; tag?: string; loadMultiplier?: number; enable?: boolean }): Promise<Server>;
  poll(): ReturnType<LocalStack['deps']['registry']['listServers']>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  env?: Env;
  /** fake BBB servers to start and add (enabled and polled) */
  servers?: number;
  log?: Logger;
  clock?: () => number;
  random?: () => number;
  /** import uploads as the embedded S3 reports them (default true; see LocalStackOptions.autoImport) */
  autoImport?: boolean;
}

/**
 * A whole local stack (in-memory dynalite, embedded S3 in a temporary directory as `stack.storage`, API on
 * a loopback port) plus fake BBB servers.
 */
export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const stack = await startLocalStack({
    env: {
      LOADBALANCER_SECRET: LB_SECRET,
      DYNAMODB_TABLE: `t-${randomUUID().slice(0, 8)}`,
      REGISTRY_TTL: '0',
      PORT: '0',
      URL_HOST: 'sl.example.com',
      ...opts.env,
    },
    log: opts.log ?? silentLogger,
    clock: opts.clock,
    random: opts.random,
    autoImport: opts.autoImport,
  });
  const fakes: FakeBbb[] = [];
  const t: TestStack = {
    stack,
    url: stack.url,
    fakes,
    call: (call, query = '', o = {}) => rawRequest(stack.url, `/bigbluebutton/api/${call}?${signQuery(call, query, o.secret, o.algorithm)}`),
    async addServer(fake, o = {}) {
      const id = o.id ?? `bbb-${fakes.indexOf(fake) >= 0 ? fakes.indexOf(fake) + 1 : randomUUID().slice(0, 6)}`;
      await stack.deps.store.servers.add({ id, url: fake.url, secret: fake.secret, state: o.enable === false ? 'disabled' : 'enabled', loadMultiplier: o.loadMultiplier, tag: o.tag });
      await t.poll();
      return (await stack.deps.store.servers.get(id))!;
    },
    async poll() {
      const { pollAll } = await import('../../shared/app/poll-servers.js');
      await pollAll(stack.deps);
      return stack.deps.registry.listServers();
    },
    async close() {
      await stack.close();
      await Promise.all(fakes.map((f) => f.stop()));
    },
  };
  for (let i = 0; i < (opts.servers ?? 0); i++) {
    const fake = await FakeBbb.start();
    fakes.push(fake);
    await t.addServer(fake, { id: `bbb-${i + 1}` });
  }
  return t;
}

/** The text of the first `<name>` element of an XML document. */
export function xmlValue(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1] : undefined;
}
