import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import dynalite from 'dynalite';
import type { Context } from 'hono';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../shared/app/deps.js';
import type { Logger } from '../shared/app/logger.js';
import { pollAll } from '../shared/app/poll-servers.js';
import { parseConfig, type Config } from '../shared/config/parse-config.js';
import type { Env } from '../shared/config/env-names.js';
import { createApp } from '../shared/http/create-app.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { ensureTable } from '../shared/store/ensure-table.js';

export interface LocalStackOptions {
  env: Env;
  /** embedded engine files; undefined = in memory (tests) */
  dataDir?: string;
  /** run the poller every POLL_INTERVAL seconds */
  poll?: boolean;
  host?: string;
  log?: Logger;
  clock?: () => number;
  random?: () => number;
}

export interface LocalStack {
  url: string;
  port: number;
  dynamoEndpoint: string;
  embedded: boolean;
  config: Config;
  deps: Deps;
  /** the document client behind deps.store (tests add fault-injecting middleware to it) */
  db: DynamoDBDocumentClient;
  /** DynamoDB operations the embedded engine served, by name (e.g. GetItem) */
  engineOps: Map<string, number>;
  close(): Promise<void>;
}

/** node-server keeps the request line as sent: the raw query is `incoming.url` after `?`. */
export const nodeRawQuery = (c: Context): string => {
  const url = (c.env as { incoming?: { url?: string } } | undefined)?.incoming?.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
};

async function startEngine(dataDir: string | undefined, ops: Map<string, number>) {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const engine = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: dataDir } : {}) });
  engine.on('request', (req: { headers: Record<string, string | undefined> }) => {
    const op = (req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    ops.set(op, (ops.get(op) ?? 0) + 1);
  });
  await new Promise<void>((resolve, reject) => {
    engine.once('error', reject);
    engine.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = engine.address() as AddressInfo;
  return { engine, endpoint: `http://127.0.0.1:${port}` };
}

/** API + (embedded DynamoDB unless DYNAMODB_ENDPOINT is set) + optional poller timer, in this process. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const config = parseConfig(opts.env);
  const engineOps = new Map<string, number>();
  const started = config.dynamodbEndpoint ? undefined : await startEngine(opts.dataDir, engineOps);
  const endpoint = config.dynamodbEndpoint || started!.endpoint;
  const db = createDocumentClient({ endpoint, region: opts.env.AWS_REGION });
  await ensureTable(db, config.dynamodbTable);
  const deps = assemble(config, { db, log: opts.log, clock: opts.clock, random: opts.random });
  const app = createApp(deps, { rawQuery: nodeRawQuery });
  const server = await new Promise<HttpServer>((resolve) => {
    // Long BBB queries (metadata, pre-signed URLs) must reach the app and get an XML answer, not a bare 431.
    const s = serve({ fetch: app.fetch, port: config.port, hostname: opts.host ?? config.bindHost, serverOptions: { maxHeaderSize: 256 * 1024 } }, () => resolve(s as HttpServer));
  });
  const { port } = server.address() as AddressInfo;

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let cycle: Promise<unknown> = Promise.resolve();
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      const began = Date.now();
      cycle = pollAll(deps)
        .catch((e: Error) => deps.log.error('poll cycle failed', { error: e.message }))
        .finally(() => schedule(Math.max(0, config.pollInterval * 1000 - (Date.now() - began))));
    }, delayMs);
  };
  if (opts.poll) schedule(0);

  return {
    url: `http://${(opts.host ?? config.bindHost) === '0.0.0.0' ? '127.0.0.1' : (opts.host ?? config.bindHost)}:${port}`,
    port,
    dynamoEndpoint: endpoint,
    embedded: Boolean(started),
    config,
    deps,
    db,
    engineOps,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await cycle;
      await new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      db.destroy();
      if (started) await new Promise<void>((r) => started.engine.close(() => r()));
    },
  };
}
