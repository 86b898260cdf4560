/**
 * The system under test of bench/throughput.ts, run as a forked child process so the load generator
 * (autocannon, in the parent) does not share this event loop. Not meant to be run by hand.
 *
 * In this one process: in-memory dynalite + N fake BBB servers (BENCH_SERVERS, default 3), one existing
 * meeting `bench-existing`, and on their own @hono/node-server ports:
 * - the API as `slctl serve` runs it (REGISTRY_TTL=5): `createApp` with the node adapter, logging at
 *   LOG_LEVEL (default info) through serve's own log (cli/stdout-log.ts: JSON lines on stdout, batched)
 *   — stdout is a pipe to the parent, which reads and discards it, as a process manager or `| tee` would —
 *   and the metrics adapter BENCH_METRICS names (METRICS_ADAPTERS below; default `stack`: serve's own);
 * - the same API with metrics off (noMetrics, as METRICS_ENABLED=false), same log;
 * - a bare Hono route doing one GetItem (lib-dynamodb GetCommand) of that meeting's item on the same
 *   dynalite and table — the local ceiling for a one-read join.
 *
 * IPC protocol: sends {type:'ready', …}; answers {type:'ops'} with the engine's op counters and this
 * process's CPU time so far,
 * {type:'meetings'} with the fakes' meeting counts, {type:'close'} by closing everything and exiting.
 */
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Hono } from 'hono';
import { nodeRawQuery } from '../../cli/local-stack.js';
import { openStdoutLog } from '../../cli/stdout-log.js';
import { createLogger, type LogLevel } from '../../shared/app/logger.js';
import { noMetrics, type MetricDimensions, type MetricName, type Metrics } from '../../shared/app/metrics.js';
import { createApp } from '../../shared/http/create-app.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { keys } from '../../shared/store/keys.js';
import { LB_SECRET, startTestStack } from '../../test/helpers/test-stack.js';

export const EXISTING_MEETING = 'bench-existing';

/**
 * An in-memory aggregate per series (a counter's sum; a timing's count, sum and max), keyed like a
 * Prometheus series — roughly the work a real adapter does per sample, without its export.
 */
class CountingMetrics implements Metrics {
  readonly series = new Map<string, { n: number; sum: number; max: number }>();
  private add(name: MetricName, value: number, dims?: MetricDimensions) {
    let key: string = name;
    if (dims) for (const k in dims) key += `|${k}=${dims[k]}`;
    const s = this.series.get(key);
    if (s) {
      s.n++;
      s.sum += value;
      if (value > s.max) s.max = value;
    } else this.series.set(key, { n: 1, sum: value, max: value });
  }
  count(name: MetricName, value = 1, dims?: MetricDimensions) { this.add(name, value, dims); }
  timing(name: MetricName, ms: number, dims?: MetricDimensions) { this.add(name, ms, dims); }
  gauge(name: MetricName, value: number, dims?: MetricDimensions) { this.add(name, value, dims); }
}

/**
 * BENCH_METRICS → the metrics adapter of the measured API: `stack` (default) the one `slctl serve` wires
 * (cli/local-stack.ts: prom-client behind GET /metrics), `counting` the in-memory aggregate above, `none`.
 */
export const METRICS_ADAPTERS: Record<string, (stackMetrics: Metrics) => Metrics> = {
  stack: (m) => m,
  counting: () => new CountingMetrics(),
  none: () => noMetrics,
};

export type TargetMessage =
  | { type: 'ready'; url: string; urlNoMetrics: string; urlLineLog?: string; bareUrl: string; secret: string; servers: number; metrics: string; logLevel: string }
  | { type: 'ops'; ops: Record<string, number>; cpuMs: number }
  | { type: 'meetings'; perServer: number[] };

const send = (m: TargetMessage) => process.send!(m);

async function main(): Promise<void> {
  const servers = Number(process.env.BENCH_SERVERS ?? 3);
  const logLevel = (process.env.LOG_LEVEL || 'info') as LogLevel;
  const metricsName = process.env.BENCH_METRICS || 'stack';
  const makeMetrics = METRICS_ADAPTERS[metricsName];
  if (!makeMetrics) throw new Error(`BENCH_METRICS=${metricsName}: one of ${Object.keys(METRICS_ADAPTERS).join(', ')}`);
  const out = openStdoutLog(logLevel);
  const t = await startTestStack({ servers, log: out.log, env: { REGISTRY_TTL: '5', LOG_LEVEL: logLevel, DYNAMODB_TABLE: 'bench' } });
  const created = await t.call('create', `name=Bench&meetingID=${EXISTING_MEETING}&moderatorPW=mp&attendeePW=ap`);
  if (!created.body.includes('<returncode>SUCCESS</returncode>')) throw new Error(`setup create failed: ${created.body}`);

  const db = createDocumentClient({ endpoint: t.stack.dynamoEndpoint });
  const table = t.stack.config.dynamodbTable;
  const bare = new Hono();
  bare.get('/bare', async (c) => {
    const res = await db.send(new GetCommand({ TableName: table, Key: keys.meeting(EXISTING_MEETING), ConsistentRead: true }));
    return c.text(res.Item ? 'ok' : 'missing');
  });
  const listen = (fetch: Hono['fetch']) =>
    new Promise<HttpServer>((resolve) => {
      // as cli/local-stack.ts serves the API
      const s = serve({ fetch, port: 0, hostname: '127.0.0.1', serverOptions: { maxHeaderSize: 256 * 1024 } }, () => resolve(s as HttpServer));
    });
  const url = (server: HttpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bareServer = await listen(bare.fetch);
  const apiServer = await listen(createApp({ ...t.stack.deps, metrics: makeMetrics(t.stack.deps.metrics) }, { rawQuery: nodeRawQuery }).fetch);
  const apiNoMetricsServer = await listen(createApp({ ...t.stack.deps, metrics: noMetrics }, { rawQuery: nodeRawQuery }).fetch);
  // BENCH_LINE_LOG=1: also the API as it logged before batching (one process.stdout.write per line), for comparison
  const lineLogServer = process.env.BENCH_LINE_LOG ? await listen(createApp({ ...t.stack.deps, metrics: makeMetrics(t.stack.deps.metrics), log: createLogger(logLevel) }, { rawQuery: nodeRawQuery }).fetch) : undefined;

  const close = async () => {
    for (const server of [bareServer, apiServer, apiNoMetricsServer, ...(lineLogServer ? [lineLogServer] : [])]) {
      await new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    }
    db.destroy();
    await t.close();
    out.close();
  };

  process.on('message', (m: { type: string }) => {
    if (m.type === 'ops') {
      const cpu = process.cpuUsage();
      send({ type: 'ops', ops: Object.fromEntries(t.stack.engineOps), cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    else if (m.type === 'meetings') send({ type: 'meetings', perServer: t.fakes.map((f) => f.meetings.size) });
    else if (m.type === 'close') void close().finally(() => process.exit(0));
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  send({ type: 'ready', url: url(apiServer), urlNoMetrics: url(apiNoMetricsServer), urlLineLog: lineLogServer && url(lineLogServer), bareUrl: `${url(bareServer)}/bare`, secret: LB_SECRET, servers, metrics: metricsName, logLevel });
}

// Only when forked as the entry point (bench/throughput.ts also imports the constants above).
if (process.send && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(e.stack ?? String(e));
    process.exit(1);
  });
}
