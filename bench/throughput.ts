/**
 * Requests per second and latency of the BBB API under load (autocannon), against the local ceiling.
 *
 * The system under test runs in a forked child (bench/lib/throughput-target.ts): in-memory dynalite,
 * the Hono API (REGISTRY_TTL=5, warm snapshot) logging at info as `slctl serve` does (JSON lines on
 * its stdout, a pipe this process reads and discards) with metrics on (BENCH_METRICS, default the
 * adapter slctl serve wires), the same API with metrics off, 3 fake BBB servers, one existing
 * meeting, and a bare Hono route on @hono/node-server doing one GetItem on the same dynalite and
 * table. autocannon runs in this process (so on 2 cores: one for the load generator, one for the
 * target). Scenarios: bare GetItem route, `join` of the existing meeting (302 = success), the same
 * join on the API with metrics off, `create` of the existing meeting, `create` of a new meeting per
 * request (each signed in setupRequest). After an unrecorded
 * warm-up of each, the scenarios run interleaved in BENCH_SLICES rounds, so background load on a shared
 * machine hits them alike. Reports req/s, p50/p99 latency, failures, the target's CPU ms per request,
 * DynamoDB ops per request (counted at the engine) and the join/bare ratio (goal >= 0.8).
 * Asserts nothing about time.
 *
 * Run: npx tsx bench/throughput.ts
 * Env: BENCH_SECONDS (default 10) per scenario, BENCH_SLICES (5), BENCH_CONNECTIONS (50),
 *      BENCH_WARMUP_SECONDS (2), BENCH_SERVERS (3 fake BBB servers), LOG_LEVEL (info) and
 *      BENCH_METRICS (stack | counting | none) of the target, BENCH_CPU_PROF (a directory: CPU-profile the target),
 *      BENCH_LINE_LOG=1 (also a join on an API that writes its log line by line, as before batching).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import { signQuery } from '../test/helpers/test-stack.js';
import { EXISTING_MEETING, type TargetMessage } from './lib/throughput-target.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? 5));

type Ready = Extract<TargetMessage, { type: 'ready' }>;

/** The forked system under test, driven over IPC. */
class Target {
  /** what the target wrote to its stdout (its log), read and discarded */
  readonly log = { bytes: 0, lines: 0 };

  private constructor(
    private readonly child: ChildProcess,
    readonly info: Ready,
  ) {
    // the log goes to a pipe, as under a process manager: read as it comes, counted, thrown away
    child.stdout!.on('data', (chunk: Buffer) => {
      this.log.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.log.lines++;
    });
  }

  static async start(): Promise<Target> {
    const child = fork(fileURLToPath(new URL('./lib/throughput-target.ts', import.meta.url)), [], {
      // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the target (open it in Chrome DevTools or speedscope)
      execArgv: ['--import', 'tsx', '--no-warnings', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const info = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (m: TargetMessage) => (m.type === 'ready' ? resolve(m) : reject(new Error(`unexpected ${m.type}`))));
      child.once('exit', (code) => reject(new Error(`target exited with ${code} before it was ready`)));
    });
    return new Target(child, info);
  }

  private ask<T extends TargetMessage['type']>(type: T): Promise<Extract<TargetMessage, { type: T }>> {
    return new Promise((resolve) => {
      const on = (m: TargetMessage) => {
        if (m.type !== type) return;
        this.child.off('message', on);
        resolve(m as Extract<TargetMessage, { type: T }>);
      };
      this.child.on('message', on);
      this.child.send({ type });
    });
  }

  ops = () => this.ask('ops');
  meetingsPerServer = async () => (await this.ask('meetings')).perServer;

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface Scenario {
  name: string;
  /** run only when this holds (default: always) */
  when?: (target: Ready) => boolean;
  options: (target: Ready) => Omit<Options, 'connections' | 'duration'>;
}

const success = (body: string) => body.includes('<returncode>SUCCESS</returncode>');
const path = (call: string, query: string, secret: string) => `/bigbluebutton/api/${call}?${signQuery(call, query, secret)}`;

let newMeetings = 0;
const SCENARIOS: Scenario[] = [
  { name: 'bare GetItem route', options: (t) => ({ url: t.bareUrl, verifyBody: (b) => b === 'ok' }) },
  {
    name: 'join (existing meeting)',
    options: (t) => ({ url: t.url + path('join', `fullName=Bench+User&meetingID=${EXISTING_MEETING}&password=mp&role=MODERATOR`, t.secret) }),
  },
  {
    name: 'join, metrics off',
    options: (t) => ({ url: t.urlNoMetrics + path('join', `fullName=Bench+User&meetingID=${EXISTING_MEETING}&password=mp&role=MODERATOR`, t.secret) }),
  },
  {
    name: 'create (existing meeting)',
    options: (t) => ({ url: t.url + path('create', `name=Bench&meetingID=${EXISTING_MEETING}&moderatorPW=mp&attendeePW=ap`, t.secret), verifyBody: success }),
  },
  {
    name: 'create (new meeting each)',
    options: (t) => ({
      url: t.url,
      verifyBody: success,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path('create', `name=Bench&meetingID=new-${++newMeetings}&moderatorPW=mp&attendeePW=ap`, t.secret) }) }],
    }),
  },
  {
    name: 'join, log line by line',
    when: (t) => t.urlLineLog !== undefined,
    options: (t) => ({ url: t.urlLineLog + path('join', `fullName=Bench+User&meetingID=${EXISTING_MEETING}&password=mp&role=MODERATOR`, t.secret) }),
  },
];

export interface ThroughputRow {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  /** CPU time of the target process per request (much less sensitive to other load on the machine than req/s) */
  cpuMsPerRequest: number;
  opsPerRequest: Record<string, number>;
}

interface Tally {
  results: Result[];
  /** requests autocannon sent (answered or still in flight when a slice stopped): they all ran on the target */
  sent: number;
  seconds: number;
  cpuMs: number;
  ops: Record<string, number>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const total = (ops: Record<string, number>) => Object.values(ops).reduce((a, b) => a + b, 0);

/** Waits until the engine has served no operation for 250 ms (at most 15 s); returns the counters then. */
async function settle(target: Target): Promise<Extract<TargetMessage, { type: 'ops' }>> {
  let last = await target.ops();
  for (let i = 0; i < 60; i++) {
    await pause(250);
    const now = await target.ops();
    if (total(now.ops) === total(last.ops)) return now;
    last = now;
  }
  return last;
}

function addOps(into: Record<string, number>, before: Record<string, number>, after: Record<string, number>): void {
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) into[op] = (into[op] ?? 0) + d;
  }
}

/** One slice of one scenario: autocannon for `seconds`, engine ops and target CPU diffed around it. */
async function slice(target: Target, opts: Omit<Options, 'connections' | 'duration'>, seconds: number, tally?: Tally): Promise<void> {
  const before = await target.ops();
  const started = performance.now();
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: seconds, skipAggregateResult: true });
  const elapsed = (performance.now() - started) / 1000;
  const after = await settle(target); // requests in flight when autocannon stopped still run on the target
  if (!tally) return;
  tally.results.push(r);
  tally.sent += r.totalRequests;
  tally.seconds += elapsed;
  tally.cpuMs += after.cpuMs - before.cpuMs;
  addOps(tally.ops, before.ops, after.ops);
}

function summarise(name: string, t: Tally, opts: Options): ThroughputRow {
  const r = autocannon.aggregateResult(t.results, opts);
  const ok = r['2xx'] + r['3xx'];
  const answered = ok + r['1xx'] + r['4xx'] + r['5xx'];
  const round = (n: number) => Math.round(n * 100) / 100;
  const sent = Math.max(1, t.sent);
  return {
    name,
    rps: answered / t.seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: answered,
    failed: answered - ok + r.mismatches + r.errors,
    cpuMsPerRequest: Math.round((t.cpuMs / sent) * 1000) / 1000,
    opsPerRequest: Object.fromEntries(Object.entries(t.ops).map(([op, n]) => [op, Math.round((n / sent) * 1000) / 1000])),
  };
}

/** All scenarios, interleaved in SLICES rounds so background load on the machine hits each alike. */
async function runAll(target: Target): Promise<ThroughputRow[]> {
  const scenarios = SCENARIOS.filter((s) => s.when?.(target.info) ?? true);
  const opts = scenarios.map((s) => s.options(target.info));
  if (WARMUP > 0) for (const o of opts) await slice(target, o, WARMUP);
  const logBefore = { ...target.log };
  const tallies: Tally[] = scenarios.map(() => ({ results: [], sent: 0, seconds: 0, cpuMs: 0, ops: {} }));
  for (let round = 0; round < SLICES; round++) {
    for (let i = 0; i < scenarios.length; i++) await slice(target, opts[i], SECONDS / SLICES, tallies[i]);
  }
  const sent = tallies.slice(1).reduce((n, t) => n + t.sent, 0); // the API's requests (not the bare route's)
  console.log(`target log: ${target.log.lines - logBefore.lines} lines, ${((target.log.bytes - logBefore.bytes) / 1e6).toFixed(1)} MB over a pipe for ${sent} API requests measured\n`);
  return scenarios.map((s, i) => summarise(s.name, tallies[i], { ...opts[i], connections: CONNECTIONS }));
}

function printRows(rows: ThroughputRow[]): void {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'failed', 'target CPU ms/req', 'DynamoDB ops/request'];
  const lines = rows.map((r) => [
    r.name,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    String(r.requests),
    String(r.failed),
    r.cpuMsPerRequest.toFixed(3),
    Object.entries(r.opsPerRequest).map(([op, n]) => `${op} ${n}`).join(', ') || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

export async function main(): Promise<ThroughputRow[]> {
  console.log(`# Throughput: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per scenario in ${SLICES} interleaved slices (+${WARMUP} s warm-up each), target in a child process`);
  console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const guard = setTimeout(() => {
    console.error('throughput bench: overall time limit reached, aborting');
    process.exit(1);
  }, (SECONDS + WARMUP + SLICES) * SCENARIOS.length * 2000 + 60_000);
  guard.unref();
  const target = await Target.start();
  const rows: ThroughputRow[] = [];
  try {
    console.log(`target: ${target.info.servers} fake BBB servers, API ${target.info.url} (log ${target.info.logLevel} to a pipe, metrics ${target.info.metrics}), API ${target.info.urlNoMetrics} (metrics off), bare route ${target.info.bareUrl}\n`);
    rows.push(...(await runAll(target)));
    const spread = await target.meetingsPerServer();
    printRows(rows);
    const bare = rows[0].rps;
    const join = rows[1].rps;
    const ratio = join / bare;
    console.log(`\njoin/bare ratio: ${ratio.toFixed(2)} (goal >= 0.8)${ratio < 0.8 ? ' — BELOW GOAL' : ''}`);
    console.log(`join/bare target CPU per request: ${(rows[1].cpuMsPerRequest / rows[0].cpuMsPerRequest).toFixed(2)}x`);
    const lineLog = rows.find((r) => r.name === 'join, log line by line');
    if (lineLog) console.log(`join/bare with the log written line by line: ${(lineLog.rps / bare).toFixed(2)}; target CPU ${lineLog.cpuMsPerRequest.toFixed(3)} ms per request`);
    console.log(`join with metrics on/off: ${(rows[1].rps / rows[2].rps).toFixed(2)}x req/s, target CPU ${rows[1].cpuMsPerRequest.toFixed(3)} vs ${rows[2].cpuMsPerRequest.toFixed(3)} ms per request`);
    console.log(`meetings per fake BBB server after the run: ${spread.join(', ')}`);
    console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await target.close();
    clearTimeout(guard);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
