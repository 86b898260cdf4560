import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import dynalite from 'dynalite';
import type { Context } from 'hono';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../shared/app/deps.js';
import { importUpload } from '../shared/app/import-recording.js';
import type { Logger } from '../shared/app/logger.js';
import { pollAll } from '../shared/app/poll-servers.js';
import { purgeExpiredRecordings } from '../shared/app/recording-retention.js';
import { deliverDueCallbacks } from '../shared/app/recording-ready.js';
import { parseConfig, type Config } from '../shared/config/parse-config.js';
import type { Env } from '../shared/config/env-names.js';
import { createApp } from '../shared/http/create-app.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createS3Storage, type S3Storage } from '../shared/storage/s3-storage.js';
import { UPLOADS_PREFIX } from '../shared/storage/storage-keys.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { ensureTable } from '../shared/store/ensure-table.js';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION, startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.js';
import { createImportQueue } from './import-queue.js';
import { createLocalInvoke, fetchInvokeRequest } from './local-invoke.js';
import { localSigner } from './local-signing-key.js';
import { localPrometheus } from './prometheus-route.js';
import { openStdoutLog } from './stdout-log.js';
import type { LocalStackInfo } from './target-resolution.js';

export interface LocalStackOptions {
  env: Env;
  /** embedded engine files; undefined = in memory (tests) */
  dataDir?: string;
  /** embedded S3 files (without S3_ENDPOINT); default `<dataDir>/s3`, else a temporary directory removed on close */
  s3Dir?: string;
  /**
   * Import every upload the embedded S3 reports (`uploads/…`), one at a time, as the importer Lambda does
   * on S3 events — and, at start, the uploads a previous run left behind. Default true; tests of the
   * importer turn it off to call it themselves.
   */
  autoImport?: boolean;
  /** what imports one upload (default importUpload of shared/app/import-recording.ts) */
  importer?: (deps: Deps, key: string) => Promise<unknown>;
  /** run the poller every POLL_INTERVAL seconds */
  poll?: boolean;
  /**
   * Run the recording retention job (what the importer Lambda does daily) this long after start, then again
   * this long after each run ends. Default one hour; 0 = never.
   */
  retentionIntervalMs?: number;
  /** what the retention job runs (default purgeExpiredRecordings of shared/app/recording-retention.ts) */
  retentionJob?: (deps: Deps) => Promise<unknown>;
  host?: string;
  /**
   * Announce the stack here while it runs (`slctl serve`: `<DATA_DIR>/slctl-serve.json`): its URL,
   * endpoints, table, bucket and pid, for slctl in another shell to find it (cli/target-resolution.ts).
   * Removed on close.
   */
  serveFile?: string;
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
  /** the recordings' S3: the embedded S3 (`http://127.0.0.1:<port>`) or S3_ENDPOINT */
  s3Endpoint: string;
  /** this process runs the S3 (S3_ENDPOINT unset) */
  s3Embedded: boolean;
  /** the recordings bucket (the same object as deps.storage) */
  storage: S3Storage;
  /** Resolves when every upload import queued so far has finished (imported, or its failure logged). */
  importsSettled(): Promise<void>;
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

/** Default interval of the local retention job. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export interface Repeating {
  /** no further run starts; resolves when the one under way (if any) has ended */
  stop(): Promise<void>;
}

/**
 * Runs `job` `intervalMs` after start, then `intervalMs` after each run has ended: two runs never overlap,
 * however long one takes. A run that throws is reported to `onError` and the schedule goes on. The timer
 * does not keep the process alive.
 */
export function repeatEvery(job: () => Promise<unknown>, intervalMs: number, onError: (e: unknown) => void): Repeating {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (async () => {
        try {
          await job();
        } catch (e) {
          onError(e);
        }
      })().then(schedule);
    }, intervalMs);
    timer.unref?.();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The recordings' S3: S3_ENDPOINT (path-style; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the environment, else
 * the AWS SDK's credential chain), else an embedded S3.
 */
async function startStorage(config: Config, opts: LocalStackOptions): Promise<{ storage: S3Storage; endpoint: string; embedded?: EmbeddedS3 }> {
  if (config.s3Endpoint) {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = opts.env;
    const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;
    const region = opts.env.AWS_REGION || opts.env.AWS_DEFAULT_REGION || EMBEDDED_S3_REGION;
    return { storage: createS3Storage({ bucket: config.s3Bucket, endpoint: config.s3Endpoint, region, credentials, forcePathStyle: true }), endpoint: config.s3Endpoint };
  }
  const embedded = await startEmbeddedS3({ bucket: config.s3Bucket, directory: opts.s3Dir ?? (opts.dataDir ? join(opts.dataDir, 's3') : undefined) });
  const storage = createS3Storage({ bucket: config.s3Bucket, endpoint: embedded.endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS, forcePathStyle: true });
  return { storage, endpoint: embedded.endpoint, embedded };
}

/**
 * API + (embedded DynamoDB unless DYNAMODB_ENDPOINT is set) + (embedded S3 unless S3_ENDPOINT is set, its
 * uploads imported as they land) + optional poller timer + the hourly recording retention job, in this process.
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const config = parseConfig(opts.env);
  const engineOps = new Map<string, number>();
  const started = config.dynamodbEndpoint ? undefined : await startEngine(opts.dataDir, engineOps);
  const endpoint = config.dynamodbEndpoint || started!.endpoint;
  const db = createDocumentClient({ endpoint, region: opts.env.AWS_REGION });
  let s3: Awaited<ReturnType<typeof startStorage>> | undefined;
  try {
    await ensureTable(db, config.dynamodbTable);
    s3 = await startStorage(config, opts);
  } catch (e) {
    db.destroy();
    if (started) await new Promise<void>((r) => started.engine.close(() => r()));
    throw e;
  }
  const { storage, endpoint: s3Endpoint, embedded: embeddedS3 } = s3;
  const signer = config.cfKeyPairId ? undefined : localSigner(opts.dataDir);
  // without a logger of the caller's: JSON lines on stdout, written in batches, flushed by close() and at exit
  const stdoutLog = opts.log ? undefined : openStdoutLog(config.logLevel);
  // GET /metrics (Prometheus, cli/prometheus-route.ts): the adapter the use cases count into, and the cluster gauges
  const prometheus = localPrometheus(config.metricsEnabled);
  const deps = assemble(config, { db, log: opts.log ?? stdoutLog!.log, clock: opts.clock, random: opts.random, storage, signer, metrics: prometheus?.metrics });
  prometheus?.attach(deps);
  const app = createApp(deps, { rawQuery: nodeRawQuery });
  // the admin function's Lambda Invoke endpoint (cli/local-invoke.ts), before the app
  const invoke = createLocalInvoke({ getDeps: () => deps, log: deps.log });
  const fetch = async (req: Request, env: { incoming: Pick<IncomingMessage, 'socket'> }): Promise<Response> => {
    const scraped = await prometheus?.handle(req);
    if (scraped) return scraped;
    if (req.method === 'POST' && req.url.includes('/2015-03-31/functions/')) {
      const answer = await invoke(fetchInvokeRequest(req, env.incoming.socket.remoteAddress));
      if (answer) return new Response(answer.body === '' ? null : answer.body, { status: answer.status, headers: answer.headers });
    }
    return app.fetch(req, env);
  };
  const server = await new Promise<HttpServer>((resolve) => {
    // Long BBB queries (metadata, pre-signed URLs) must reach the app and get an XML answer, not a bare 431.
    const s = serve({ fetch, port: config.port, hostname: opts.host ?? config.bindHost, serverOptions: { maxHeaderSize: 256 * 1024 } }, () => resolve(s as HttpServer));
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
        .then(() => deliverDueCallbacks(deps)) // recording-ready callbacks due (never throws)
        .finally(() => schedule(Math.max(0, config.pollInterval * 1000 - (Date.now() - began))));
    }, delayMs);
  };
  if (opts.poll) schedule(0);

  // The importer Lambda's daily retention job, locally once an hour (purgeExpiredRecordings logs its report
  // and never throws for a recording it could not delete).
  const retentionJob = opts.retentionJob ?? ((d: Deps) => purgeExpiredRecordings(d));
  const retentionInterval = opts.retentionIntervalMs ?? RETENTION_INTERVAL_MS;
  const retention =
    retentionInterval > 0 ? repeatEvery(() => retentionJob(deps), retentionInterval, (e) => deps.log.error('recording retention job failed', { error: e instanceof Error ? e.message : String(e) })) : undefined;

  // The importer Lambda's trigger, locally: the embedded S3 reports each object created, before it answers
  // the PUT; uploads are imported one at a time. (With S3_ENDPOINT nothing reports uploads: import them
  // with `slctl recordings:import`.)
  const importer = opts.importer ?? importUpload;
  const imports = createImportQueue((key) => importer(deps, key), deps.log);
  if (embeddedS3 && opts.autoImport !== false) {
    embeddedS3.onObjectCreated((key, bucket) => {
      if (bucket === config.s3Bucket && key.startsWith(UPLOADS_PREFIX)) imports.add(key);
    });
    // uploads a previous run did not import (stopped, or failed): retried now, as S3 events would be
    try {
      let left = 0;
      for await (const o of storage.list(UPLOADS_PREFIX)) {
        imports.add(o.key);
        left++;
      }
      if (left > 0) deps.log.info('importing uploads left from an earlier run', { uploads: left });
    } catch (e) {
      deps.log.error('could not list earlier uploads', { error: (e as Error).message });
    }
  }

  const url = `http://${(opts.host ?? config.bindHost) === '0.0.0.0' ? '127.0.0.1' : (opts.host ?? config.bindHost)}:${port}`;
  const serveFile = opts.serveFile;
  if (serveFile) {
    const info: LocalStackInfo = { url, dynamoEndpoint: endpoint, s3Endpoint, table: config.dynamodbTable, bucket: config.s3Bucket, pid: process.pid };
    mkdirSync(dirname(serveFile), { recursive: true });
    writeFileSync(serveFile, `${JSON.stringify(info, null, 2)}\n`);
  }
  /** removes the announcement, unless another stack has written its own meanwhile */
  const unannounce = () => {
    if (!serveFile) return;
    try {
      if ((JSON.parse(readFileSync(serveFile, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(serveFile, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    dynamoEndpoint: endpoint,
    embedded: Boolean(started),
    config,
    deps,
    db,
    engineOps,
    s3Endpoint,
    s3Embedded: Boolean(embeddedS3),
    storage,
    importsSettled: () => imports.settled(),
    close() {
      // idempotent: a second close (a test's afterEach after the test closed it) waits for the first
      closing ??= (async () => {
        stopped = true;
        unannounce();
        clearTimeout(timer);
        await cycle;
        await retention?.stop();
        await new Promise<void>((r) => {
          server.close(() => r());
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await imports.stop();
        storage.destroy();
        await embeddedS3?.close();
        db.destroy();
        if (started) await new Promise<void>((r) => started.engine.close(() => r()));
        stdoutLog?.close();
      })();
      return closing;
    },
  };
}
