/**
 * The usage ledger's cost per poll cycle (issue 16 item 4): 1,000 fake BBB servers, 5 running meetings
 * each (5,000 meetings) across BENCH_USAGE_TENANTS tenants (default 50, then 1,000). The ledger must write
 * once per tenant-day the cycle touched, never once per meeting.
 *
 * For each tenant count, on a fresh table (MULTITENANCY_ENABLED, POLL_INTERVAL 60; the clock moved by hand
 * to the next cycle, so cycle numbers are exact):
 *   cycle 1 — first of the day for every tenant (the meetings started the day before);
 *   cycle 2 — the next interval, nothing changed;
 *   cycle 2 again — a second poller in the same interval (`slctl poll:all`): every write is refused by
 *                   its condition, nothing counted twice;
 *   cycle 3 — one viewer more in one meeting of every fifth tenant: those tenants' peaks rise (one extra
 *             conditional write each).
 * DynamoDB operations of the whole cycle are counted at the engine (dynalite's `request` event); the
 * ledger's own UpdateItems with a client middleware (by key `USAGE#…`). "hook ms" is the accrual alone
 * (the ledger's entry of POLL_CYCLE_HOOKS, wrapped here to time it and read its result). Asserts nothing.
 *
 * Run: npx tsx bench/usage-accrual.ts
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { startLocalStack, type LocalStack } from '../cli/local-stack.js';
import { silentLogger } from '../shared/app/logger.js';
import { pollAll, type PollReport } from '../shared/app/poll-servers.js';
import { POLL_CYCLE_HOOKS } from '../shared/app/poll-cycle-hooks.js';
import { accrueUsage, type AccrualResult } from '../shared/app/usage-accrual.js';
import { injectDynamoFaults } from '../test/helpers/dynamo-faults.js';
import { startEngine, startFakes, type EngineHandle, type FakesHandle, type Ops, type SeedMeeting } from './poller-rig.js';

const SERVERS = Number(process.env.BENCH_USAGE_SERVERS ?? 1000);
const PER_SERVER = 5;
const TENANT_COUNTS = (process.env.BENCH_USAGE_TENANTS ?? '50,1000').split(',').map(Number);
const LATENCY_MS = 20;
const INTERVAL_MS = 60_000;
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

const diff = (before: Ops, after: Ops): Ops => Object.fromEntries(Object.entries(after).flatMap(([op, n]) => (n - (before[op] ?? 0) > 0 ? [[op, n - (before[op] ?? 0)]] : [])));
const writesOf = (ops: Ops) => Object.entries(ops).reduce((n, [op, k]) => n + (WRITES.has(op) ? k : 0), 0);
const fmt = (ops: Ops) => Object.entries(ops).filter(([op]) => WRITES.has(op)).sort().map(([op, n]) => `${op} ${n}`).join(', ') || '0';

function plan(tenants: number): SeedMeeting[] {
  const yesterday = Date.now() - 86_400_000;
  return Array.from({ length: SERVERS * PER_SERVER }, (_, k) => ({ server: k % SERVERS, meetingID: `tenant-${String(k % tenants).padStart(4, '0')}~m${k}`, createTime: yesterday, viewers: k % 6, video: false }));
}

interface Cycle {
  label: string;
  ms: number;
  engineWrites: Ops;
  ledgerWrites: number;
  hookMs: number;
  result?: AccrualResult;
  report: PollReport;
}

async function runFor(tenants: number, engine: EngineHandle): Promise<void> {
  const meetings = plan(tenants);
  const fakes: FakesHandle = await startFakes('here', SERVERS, LATENCY_MS, meetings);
  // the poller's clock stands still and is moved by hand to a second into the next cycle: every cycle
  // number below is exact, however long a cycle takes on a loaded machine
  let now = Date.now();
  const toNextCycle = () => void (now += INTERVAL_MS - (now % INTERVAL_MS) + 1_000);
  const stack: LocalStack = await startLocalStack({
    env: { DYNAMODB_ENDPOINT: engine.endpoint, DYNAMODB_TABLE: `bench-${randomUUID().slice(0, 8)}`, PORT: '0', LOADBALANCER_SECRET: 'bench', LOG_LEVEL: 'silent', MULTITENANCY_ENABLED: 'true', POLL_INTERVAL: '60' },
    log: silentLogger,
    clock: () => now,
  });
  let ledger = 0;
  let hook: { ms?: number; result?: AccrualResult } = {};
  const entry = POLL_CYCLE_HOOKS.find((h) => h.name === 'usageLedger')!;
  entry.run = async (deps, report, c) => {
    const h0 = performance.now();
    hook.result = await accrueUsage(deps, report.meetings, c);
    hook.ms = performance.now() - h0;
  };
  const stopCounting = injectDynamoFaults(stack.db, (call) => {
    if (call.command === 'UpdateItemCommand' && call.pk?.startsWith('USAGE#')) ledger++;
    return undefined;
  });
  try {
    for (let i = 0; i < fakes.servers.length; i += 50) {
      await Promise.all(fakes.servers.slice(i, i + 50).map((f, j) => stack.deps.store.servers.add({ id: `bbb-${String(i + j + 1).padStart(4, '0')}`, url: f.url, secret: f.secret, state: 'enabled' })));
    }
    const cycle = async (label: string): Promise<Cycle> => {
      const before = await engine.ops();
      ledger = 0;
      hook = {};
      const t0 = performance.now();
      const report = await pollAll(stack.deps);
      const ms = performance.now() - t0;
      return { label, ms, engineWrites: diff(before, await engine.ops()), ledgerWrites: ledger, hookMs: hook.ms ?? NaN, result: hook.result, report };
    };
    const rows: Cycle[] = [];
    toNextCycle();
    rows.push(await cycle('1: first of the day'));
    toNextCycle();
    rows.push(await cycle('2: nothing changed'));
    rows.push(await cycle('2 again: a second poller, same cycle'));
    toNextCycle();
    // one meeting of every fifth tenant gains a viewer
    const firstOfTenant = new Map<string, SeedMeeting>();
    for (const m of meetings) if (!firstOfTenant.has(m.meetingID.split('~')[0])) firstOfTenant.set(m.meetingID.split('~')[0], m);
    await fakes.addViewer([...firstOfTenant.values()].filter((_, i) => i % 5 === 0));
    rows.push(await cycle('3: peaks rise in 1/5 of the tenants'));
    console.log(`\n## ${SERVERS} servers × ${PER_SERVER} meetings = ${meetings.length} meetings, ${tenants} tenants\n`);
    console.log('| cycle | meetings reported | tenant-days touched | counted | ledger UpdateItems | DynamoDB writes of the whole cycle (engine) | cycle wall ms | accrual ms |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.label} | ${r.report.meetings.length} | ${r.result?.tenantDays} | ${r.result?.counted} | ${r.ledgerWrites} | ${writesOf(r.engineWrites)} (${fmt(r.engineWrites)}) | ${r.ms.toFixed(0)} | ${r.hookMs.toFixed(0)} |`);
    }
  } finally {
    stopCounting();
    await stack.close();
    await fakes.stop();
  }
}

export async function main(): Promise<void> {
  console.log(`# Usage ledger: accrual cost per poll cycle`);
  console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}, load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const engine = await startEngine('here');
  try {
    for (const tenants of TENANT_COUNTS) await runFor(tenants, engine);
  } finally {
    await engine.stop();
  }
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
