/**
 * The poller at scale: cycles over 1,000 fake BBB servers, each answering after 100 ms, with 300
 * running meetings. Goals (DESIGN): a cycle in ≤ 2 s; a cycle
 * with nothing changed writes nothing. DynamoDB operations are counted at the engine (dynalite's
 * `request` event), not in our code.
 *
 * For each POLLER_CONCURRENCY in BENCH_POLLER_CONCURRENCY (default 50,100,200), on a fresh table with
 * the 1,000 servers enabled and never polled:
 *   cycle 1 — every server is new: comes online, statistics, version, meeting snapshots;
 *   cycle 2 — nothing changed;
 *   cycle 3 — 100 meetings gained a user and 20 others ended (120 servers, 100 snapshots, 20 records go).
 * Then 20 servers hang (RESPONSE_TIMEOUT=3): the cycle ends at the timeout; when had the others answered?
 *
 * Two set-ups (BENCH_POLLER_SETUP=both|one|split):
 *   one   — fakes, dynalite and the poller in this one process (as the issue asks; the wall time includes
 *           the fakes' and the engine's CPU);
 *   split — fakes and dynalite each in a child process, so this process's CPU is the poller's own, as on
 *           Lambda (2 cores here for 3 processes).
 * "CPU ms" is this process's CPU during the cycle. Asserts nothing; prints figures.
 *
 * Run: npx tsx bench/poller-cycle.ts
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { startLocalStack, type LocalStack } from '../cli/local-stack.js';
import { silentLogger } from '../shared/app/logger.js';
import { pollAll, type PollReport } from '../shared/app/poll-servers.js';
import { parseConfig } from '../shared/config/parse-config.js';
import { startEngine, startFakes, type EngineHandle, type FakesHandle, type Ops, type SeedMeeting } from './poller-rig.js';

const SERVERS = Number(process.env.BENCH_POLLER_SERVERS ?? 1000);
const CONCURRENCIES = (process.env.BENCH_POLLER_CONCURRENCY ?? '50,100,200').split(',').map(Number);
type Setup = 'one' | 'split';
const SETUPS: Setup[] = (process.env.BENCH_POLLER_SETUP ?? 'both') === 'both' ? ['one', 'split'] : [process.env.BENCH_POLLER_SETUP as Setup];
const LATENCY_MS = 100;
const REPORTED_MEETINGS = 300;
const ENDED = 20;
const CHANGED = 100;
const HUNG = 20;
const GOAL_MS = 2_000;

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

function diff(before: Ops, after: Ops): Ops {
  const out: Ops = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) out[op] = n - (before[op] ?? 0);
  return out;
}
const pick = (ops: Ops, set: Set<string>) => Object.fromEntries(Object.entries(ops).filter(([op]) => set.has(op)));
const total = (ops: Ops) => Object.values(ops).reduce((a, b) => a + b, 0);
const fmt = (ops: Ops) => `${total(ops)}${total(ops) ? ` (${Object.entries(ops).sort().map(([op, n]) => `${op} ${n}`).join(', ')})` : ''}`;

const serverId = (i: number) => `bbb-${String(i + 1).padStart(4, '0')}`;

/** 300 meetings (a moderator and 0–5 viewers, every third with a camera) on 300 of the servers. */
function plan(): SeedMeeting[] {
  const createTime = Date.now() - 3_600_000;
  return Array.from({ length: REPORTED_MEETINGS }, (_, k) => ({ server: (k * 7) % SERVERS, meetingID: `bench-${k}`, createTime, viewers: k % 6, video: k % 3 === 0 }));
}

async function seedStack(stack: LocalStack, fakes: FakesHandle, meetings: SeedMeeting[]): Promise<void> {
  const { servers, meetings: records } = stack.deps.store;
  for (let i = 0; i < fakes.servers.length; i += 50) {
    await Promise.all(fakes.servers.slice(i, i + 50).map((f, j) => servers.add({ id: serverId(i + j), url: f.url, secret: f.secret, state: 'enabled' })));
  }
  const now = Date.now();
  const record = (meetingID: string, server: number) =>
    records.create({ meetingID, serverId: serverId(server), moderatorPW: 'mp', voiceBridge: String(70_000 + server), createdAt: now - 3_600_000, expiresAt: Math.floor(now / 1000) + 86_400 }, now);
  await Promise.all(meetings.map((m) => record(m.meetingID, m.server)));
}

interface Measured {
  ms: number;
  cpuMs: number;
  ops: Ops;
  report: PollReport;
}

async function measure(stack: LocalStack, engine: EngineHandle): Promise<Measured> {
  const before = await engine.ops();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await pollAll(stack.deps);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, ops: diff(before, await engine.ops()), report };
}

function row(label: string, m: Measured, checkWrites = false): string {
  const r = m.report;
  const goal = checkWrites ? (total(pick(m.ops, WRITES)) === 0 ? 'zero writes ✔' : 'WRITES') : m.ms <= GOAL_MS ? '≤ 2 s ✔' : '> 2 s';
  return `| ${label} | ${m.ms.toFixed(0)} | ${m.cpuMs.toFixed(0)} | ${r.polled}/${r.servers} | ${r.meetingsEnded} | ${fmt(pick(m.ops, READS))} | ${fmt(pick(m.ops, WRITES))} | ${goal} |`;
}

async function stackOn(engine: EngineHandle, env: Record<string, string>): Promise<LocalStack> {
  return startLocalStack({
    env: { DYNAMODB_ENDPOINT: engine.endpoint, DYNAMODB_TABLE: `bench-${randomUUID().slice(0, 8)}`, PORT: '0', LOADBALANCER_SECRET: 'bench', LOG_LEVEL: 'silent', ...env },
    log: silentLogger,
  });
}

async function runSetup(setup: Setup, concurrencies: number[]): Promise<void> {
  const where = setup === 'one' ? 'here' : 'child';
  console.log(`\n## ${setup === 'one' ? 'fakes, DynamoDB engine and poller in one process' : 'fakes and DynamoDB engine in child processes (CPU ms = the poller’s own)'}\n`);
  const meetings = plan();
  const [fakes, engine] = await Promise.all([startFakes(where, SERVERS, LATENCY_MS, meetings), startEngine(where)]);
  const changed = meetings.slice(0, CHANGED).map((m) => ({ server: m.server, meetingID: m.meetingID }));
  const ended = meetings.slice(-ENDED).map((m) => ({ server: m.server, meetingID: m.meetingID }));
  try {
    console.log('| cycle | wall ms | CPU ms | polled | ended | DynamoDB reads | DynamoDB writes | goal |');
    console.log('|-------|---------|--------|--------|-------|----------------|-----------------|------|');
    for (const concurrency of concurrencies) {
      const stack = await stackOn(engine, { POLLER_CONCURRENCY: String(concurrency) });
      try {
        await seedStack(stack, fakes, meetings);
        await fakes.clearRequests();
        const first = await measure(stack, engine);
        const second = await measure(stack, engine);
        await fakes.addViewer(changed);
        await fakes.hideMeetings(ended, true);
        const third = await measure(stack, engine);
        await fakes.removeViewer(changed);
        await fakes.hideMeetings(ended, false);
        const calls = await fakes.counts();
        console.log(row(`1: all new, concurrency ${concurrency}`, first));
        console.log(row(`2: nothing changed, concurrency ${concurrency}`, second, true));
        console.log(row(`3: ${CHANGED} meetings +1 user, ${ENDED} ended, concurrency ${concurrency}`, third));
        console.log(`| (BBB calls in the 3 cycles: getMeetings ${calls.getMeetings}, version ${calls.version}) | | | | | | | |`);
      } finally {
        await stack.close();
      }
    }

    const concurrency = parseConfig({}).pollerConcurrency;
    const stack = await stackOn(engine, { POLLER_CONCURRENCY: String(concurrency), RESPONSE_TIMEOUT: '3', CONNECT_TIMEOUT: '1' });
    try {
      await seedStack(stack, fakes, meetings);
      await pollAll(stack.deps);
      const hung = Array.from({ length: HUNG }, (_, i) => i * Math.floor(SERVERS / HUNG));
      const healthy = Array.from({ length: SERVERS }, (_, i) => i).filter((i) => !hung.includes(i));
      await fakes.hang(hung, true);
      await fakes.clearRequests();
      const wall0 = Date.now();
      const t0 = performance.now();
      const report = await pollAll(stack.deps);
      const ms = performance.now() - t0;
      const lastAnswer = Math.max(...(await fakes.lastGetMeetingsAt(healthy))) + LATENCY_MS - wall0;
      await fakes.hang(hung, false);
      console.log(
        `\n${HUNG} of ${SERVERS} servers hang (CONNECT_TIMEOUT=1, RESPONSE_TIMEOUT=3, POLLER_CONCURRENCY=${concurrency} — the default): ` +
          `the cycle took ${ms.toFixed(0)} ms (${report.failed} failed, ${report.polled} polled); the ${healthy.length} others had all answered after ${lastAnswer} ms.`,
      );
    } finally {
      await stack.close();
    }
  } finally {
    await Promise.all([fakes.stop(), engine.stop()]);
  }
}

/** `bench/run-all.ts` passes a shorter run (the default concurrency only). */
export async function main(opts: { concurrencies?: number[]; setups?: Setup[] } = {}): Promise<void> {
  console.log(`# Poller: ${SERVERS} fake BBB servers answering after ${LATENCY_MS} ms; ${REPORTED_MEETINGS} running meetings`);
  console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}, load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const setup of opts.setups ?? SETUPS) await runSetup(setup, opts.concurrencies ?? CONCURRENCIES);
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
