/**
 * The system under test of bench/throughput.ts, run as a forked child process so the load generator
 * (autocannon, in the parent) does not share this event loop. Not meant to be run by hand.
 *
 * In this one process: in-memory dynalite + the Hono API (REGISTRY_TTL=5) + N fake BBB servers
 * (BENCH_SERVERS, default 3), one existing meeting `bench-existing`, and a bare Hono route on its
 * own @hono/node-server doing one GetItem (lib-dynamodb GetCommand) of that meeting's item on the
 * same dynalite and table — the local ceiling for a one-read join.
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
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { keys } from '../../shared/store/keys.js';
import { LB_SECRET, startTestStack } from '../../test/helpers/test-stack.js';

export const EXISTING_MEETING = 'bench-existing';

export type TargetMessage =
  | { type: 'ready'; url: string; bareUrl: string; secret: string; servers: number }
  | { type: 'ops'; ops: Record<string, number>; cpuMs: number }
  | { type: 'meetings'; perServer: number[] };

const send = (m: TargetMessage) => process.send!(m);

async function main(): Promise<void> {
  const servers = Number(process.env.BENCH_SERVERS ?? 3);
  const t = await startTestStack({ servers, env: { REGISTRY_TTL: '5', LOG_LEVEL: 'silent', DYNAMODB_TABLE: 'bench' } });
  const created = await t.call('create', `name=Bench&meetingID=${EXISTING_MEETING}&moderatorPW=mp&attendeePW=ap`);
  if (!created.body.includes('<returncode>SUCCESS</returncode>')) throw new Error(`setup create failed: ${created.body}`);

  const db = createDocumentClient({ endpoint: t.stack.dynamoEndpoint });
  const table = t.stack.config.dynamodbTable;
  const bare = new Hono();
  bare.get('/bare', async (c) => {
    const res = await db.send(new GetCommand({ TableName: table, Key: keys.meeting(EXISTING_MEETING), ConsistentRead: true }));
    return c.text(res.Item ? 'ok' : 'missing');
  });
  const bareServer = await new Promise<HttpServer>((resolve) => {
    const s = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as HttpServer));
  });
  const { port } = bareServer.address() as AddressInfo;

  const close = async () => {
    await new Promise<void>((r) => {
      bareServer.close(() => r());
      (bareServer as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    db.destroy();
    await t.close();
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
  send({ type: 'ready', url: t.url, bareUrl: `http://127.0.0.1:${port}/bare`, secret: LB_SECRET, servers });
}

// Only when forked as the entry point (bench/throughput.ts also imports the constants above).
if (process.send && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(e.stack ?? String(e));
    process.exit(1);
  });
}
