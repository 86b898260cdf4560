/**
 * Herd-safe placement (DESIGN §4.5): how a burst of creates spreads over equal servers.
 *
 * Each run starts a fresh local stack (in-memory dynalite + Hono API on loopback, REGISTRY_TTL=5) with
 * 20 fake BBB servers, all enabled, polled online with load 0; warms the server snapshot with one
 * getMeetings (which places nothing); then sends 200 creates of distinct meetings at once through the
 * HTTP API and counts meetings per server from the fakes' `meetings` maps (cross-checked with the
 * store). Reports max/min per server and the histogram; goal: max <= 12 (the mean is 10).
 *
 * A second variant sends the same burst through 10 API instances sharing the table (each its own
 * snapshot, as 10 warm Lambdas would be), driven with app.request(): the case where no instance sees
 * the others' reservations until they reach its snapshot.
 *
 * A third scenario (issue 16): the servers get capacities (alternately 60 and 140 users, 2,000 in all) and
 * CAPACITY_CREATES (80) creates hinted `meta_expected-participants=20` (1,600 users) arrive at once, in one
 * process and through the 10 instances; reports the servers over their capacity (goal: none) and the
 * fullest server's users / capacity.
 *
 * Run: npx tsx bench/placement-spread.ts   (env: SPREAD_RUNS=5, SPREAD_CREATES=200, SPREAD_SERVERS=20, CAPACITY_CREATES=80;
 *      SPREAD_ONLY=capacity runs the third scenario alone)
 */
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../shared/app/logger.js';
import { createApp } from '../shared/http/create-app.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { rawRequest, signQuery, startTestStack, type TestStack } from '../test/helpers/test-stack.js';

const RUNS = Number(process.env.SPREAD_RUNS ?? 5);
const CREATES = Number(process.env.SPREAD_CREATES ?? 200);
const SERVERS = Number(process.env.SPREAD_SERVERS ?? 20);
const INSTANCES = 10;
const GOAL_MAX = 12;

export interface SpreadRun {
  perServer: number[];
  ok: number;
  failed: string[];
  ms: number;
  storeMatches: boolean;
}

const CAPACITY_CREATES = Number(process.env.CAPACITY_CREATES ?? 80);
const HINT = 20;
/** capacities of the third scenario: alternately 60 and 140 users */
const capacityOf = (i: number) => (i % 2 === 0 ? 60 : 140);

const createPath = (id: string, extra = '') => `/bigbluebutton/api/create?${signQuery('create', `name=Spread&meetingID=${id}&moderatorPW=mp&attendeePW=ap${extra}`)}`;
const isSuccess = (body: string) => body.includes('<returncode>SUCCESS</returncode>');

/** Meetings per server as the fakes hold them, checked against the store's meeting records. */
async function count(t: TestStack): Promise<{ perServer: number[]; storeMatches: boolean }> {
  const perServer = t.fakes.map((f) => f.meetings.size);
  const now = Date.now();
  const stored = await Promise.all(t.fakes.map((_, i) => t.stack.deps.store.meetings.listByServer(`bbb-${i + 1}`, now)));
  return { perServer, storeMatches: stored.every((list, i) => list.length === perServer[i]) };
}

/** One burst of `CREATES` concurrent creates; `send` delivers one request and returns the body. */
async function burst(label: string, send: (t: TestStack, path: string) => Promise<string>, viaInstances: boolean, hinted = false): Promise<SpreadRun> {
  const t = await startTestStack({ servers: SERVERS, env: { REGISTRY_TTL: '5', LOG_LEVEL: 'silent' } });
  try {
    if (hinted) {
      for (let i = 0; i < SERVERS; i++) await t.stack.deps.store.servers.updateConfig(`bbb-${i + 1}`, { capacity: capacityOf(i) });
      t.stack.deps.registry.invalidate(); // the stack's snapshot was loaded by its last poll, before the capacities
    }
    const sender = viaInstances ? instancesOf(t) : (path: string) => send(t, path);
    // warm the snapshot(s): getMeetings reads the server list and places nothing
    const warm = `/bigbluebutton/api/getMeetings?${signQuery('getMeetings', '')}`;
    if (viaInstances) await Promise.all(Array.from({ length: INSTANCES }, (_, i) => (sender as InstanceSender)(warm, i)));
    else await sender(warm, 0);
    const started = performance.now();
    const n = hinted ? CAPACITY_CREATES : CREATES;
    const extra = hinted ? `&meta_expected-participants=${HINT}` : '';
    const bodies = await Promise.all(Array.from({ length: n }, (_, i) => sender(createPath(`${label}-${i}`, extra), i)));
    const ms = performance.now() - started;
    const failed = bodies.filter((b) => !isSuccess(b)).map((b) => /<messageKey>([^<]*)</.exec(b)?.[1] ?? b.slice(0, 80));
    return { ...(await count(t)), ok: bodies.length - failed.length, failed, ms };
  } finally {
    await t.close();
  }
}

type InstanceSender = (path: string, i: number) => Promise<string>;

/** INSTANCES extra API instances on the same table, each with its own snapshot; request i goes to i % INSTANCES. */
function instancesOf(t: TestStack): InstanceSender {
  const apps = Array.from({ length: INSTANCES }, () =>
    createApp(assemble(t.stack.config, { db: createDocumentClient({ endpoint: t.stack.dynamoEndpoint }), log: silentLogger })),
  );
  return async (path, i) => (await apps[i % INSTANCES].request(`http://127.0.0.1${path}`)).text();
}

function histogram(perServer: number[]): string {
  const h = new Map<number, number>();
  for (const n of perServer) h.set(n, (h.get(n) ?? 0) + 1);
  return [...h].sort((a, b) => a[0] - b[0]).map(([n, servers]) => `${n}:${'#'.repeat(servers)}`).join(' ');
}

function report(title: string, runs: SpreadRun[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| run | max | min | ok | failed | ms | store = fakes | histogram (meetings:servers) |');
  console.log('|-----|-----|-----|----|--------|----|---------------|------------------------------|');
  runs.forEach((r, i) => {
    const max = Math.max(...r.perServer);
    const min = Math.min(...r.perServer);
    const flag = max > GOAL_MAX ? ' ABOVE GOAL' : '';
    const failed = r.failed.length ? `${r.failed.length} (${[...new Set(r.failed)].join(', ')})` : '0';
    console.log(`| ${i + 1} | ${max}${flag} | ${min} | ${r.ok} | ${failed} | ${r.ms.toFixed(0)} | ${r.storeMatches ? 'yes' : 'NO'} | ${histogram(r.perServer)} |`);
  });
  const maxes = runs.map((r) => Math.max(...r.perServer));
  console.log(`\nmax per server over ${runs.length} runs: ${maxes.join(', ')} (goal <= ${GOAL_MAX}; mean ${CREATES / SERVERS})`);
}

function reportCapacity(title: string, runs: SpreadRun[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| run | servers over capacity | fullest (users / capacity) | ok | failed | ms | store = fakes |');
  console.log('|-----|-----------------------|----------------------------|----|--------|----|---------------|');
  runs.forEach((r, i) => {
    const users = r.perServer.map((n) => n * HINT);
    const over = users.filter((u, j) => u > capacityOf(j)).length;
    const fullest = Math.max(...users.map((u, j) => u / capacityOf(j)));
    const j = users.findIndex((u, k) => u / capacityOf(k) === fullest);
    console.log(`| ${i + 1} | ${over} | ${users[j]} / ${capacityOf(j)} (${(fullest * 100).toFixed(0)} %) | ${r.ok} | ${r.failed.length} | ${r.ms.toFixed(0)} | ${r.storeMatches ? 'yes' : 'NO'} |`);
  });
}

/** The first two scenarios: equal servers, no capacities, unhinted creates. */
async function equalServers(): Promise<void> {
  const oneApi: SpreadRun[] = [];
  for (let run = 0; run < RUNS; run++) oneApi.push(await burst(`one-${run}`, async (t, path) => (await rawRequest(t.url, path)).body, false));
  report('one API process, over HTTP (loopback)', oneApi);
  const many: SpreadRun[] = [];
  for (let run = 0; run < RUNS; run++) many.push(await burst(`many-${run}`, async () => '', true));
  report(`${INSTANCES} API instances sharing the table (Lambda-like), app.request()`, many);
}

export async function main(): Promise<void> {
  console.log(`# Placement spread: ${CREATES} concurrent creates of distinct meetings over ${SERVERS} equal fake BBB servers, ${RUNS} runs`);
  if (process.env.SPREAD_ONLY !== 'capacity') await equalServers();
  const capOne: SpreadRun[] = [];
  for (let run = 0; run < RUNS; run++) capOne.push(await burst(`cap-one-${run}`, async (t, path) => (await rawRequest(t.url, path)).body, false, true));
  reportCapacity(`capacities (60/140 users) and ${CAPACITY_CREATES} creates hinted ${HINT}: one API process`, capOne);
  const capMany: SpreadRun[] = [];
  for (let run = 0; run < RUNS; run++) capMany.push(await burst(`cap-many-${run}`, async () => '', true, true));
  reportCapacity(`capacities (60/140 users) and ${CAPACITY_CREATES} creates hinted ${HINT}: ${INSTANCES} API instances`, capMany);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
