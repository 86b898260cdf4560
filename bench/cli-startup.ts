/**
 * slctl start-up (issue 12 item 5): process wall time of `slctl --help` and of `slctl servers` against a
 * local stack holding 50 servers, from spawn to exit, BENCH_CLI_RUNS runs each (default 10) after one
 * unrecorded warm-up; min / median / max. Goals (median, built CLI): --help ≤ 150 ms, servers ≤ 400 ms.
 *
 * Variants, run interleaved (run i of every variant, then run i + 1) so background load hits them alike:
 * - `node -e 0`: Node's own start-up, the floor under every figure;
 * - before: the TypeScript sources through tsx, as the bin ran them until the build (bench/lib/slctl-tsx.mjs);
 * - after: the built slctl (`npm run build:cli`, packages bundled) laid out as `npm i -g` installs it —
 *   cli/bin/slctl.js beside dist/cli, without the sources — under .bench/cli-startup/bundled. (In a checkout the
 *   bin also compares the sources' times with the build's — ~150 stat calls, 1–4 ms — and runs the sources through
 *   tsx when one is newer: other sessions editing files during a run would otherwise turn "after" into "before".)
 * - the same build with the packages left to node_modules (info: the bundling decision);
 * - `--via lambda --function scalelite-admin --endpoint-url <stack>`: the task sent to the local stack's
 *   invoke endpoint (the admin function) instead of the table — run only when this slctl has the option.
 * The child's CPU time (user + system, from /usr/bin/time when present) is printed too: on a shared machine
 * it moves much less with other load than wall time does. The stack (in-memory dynalite) runs in this
 * process, idle between spawns. Asserts nothing; prints goal misses.
 *
 * Run: npx tsx bench/cli-startup.ts   (BENCH_CLI_RUNS=10, BENCH_CLI_SERVERS=50; ~1 min)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli } from '../cli/build-cli.mjs';
import { startLocalStack } from '../cli/local-stack.js';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const SERVERS = Number(process.env.BENCH_CLI_SERVERS ?? 50);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const LAYOUTS = join(REPO, '.bench', 'cli-startup');
const TABLE = 'bench-cli-startup';
const GOALS: Record<string, number> = { '--help': 150, servers: 400 };
const TIME = '/usr/bin/time';

interface Variant {
  name: string;
  /** node's arguments before the task's */
  args: string[];
  /** extra arguments after the task name (the lambda target) */
  taskArgs?: (task: string[]) => string[];
  tasks: string[];
}

interface Sample {
  ms: number;
  cpuMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One slctl process: wall time from spawn to exit (and its CPU time when /usr/bin/time is there). */
function runOnce(args: string[], env: NodeJS.ProcessEnv, timeFile?: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = timeFile ? [TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args]] : [process.execPath, args];
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let cpuMs: number | undefined;
      if (timeFile) {
        const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        cpuMs = (user + sys) * 1000;
      }
      resolve({ ms, cpuMs, code, stdout, stderr });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export interface StartupRow {
  task: string;
  variant: string;
  min: number;
  median: number;
  max: number;
  cpuMedian?: number;
  failed: number;
}

export async function main(): Promise<StartupRow[]> {
  console.log(`## slctl start-up — ${RUNS} runs each after a warm-up, ${SERVERS} servers in the table`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} cores, Node ${process.versions.node}\n`);

  const bins: Record<string, string> = {};
  const buildMs: string[] = [];
  for (const [layout, bundlePackages] of [['bundled', true], ['external', false]] as const) {
    const dir = join(LAYOUTS, layout);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'cli', 'bin'), { recursive: true });
    copyFileSync(join(REPO, 'cli', 'bin', 'slctl.js'), join(dir, 'cli', 'bin', 'slctl.js'));
    const t0 = performance.now();
    await buildCli({ outdir: join(dir, 'dist', 'cli'), bundlePackages });
    buildMs.push(`${(performance.now() - t0).toFixed(0)} ms packages ${layout}`);
    bins[layout] = join(dir, 'cli', 'bin', 'slctl.js');
  }
  console.log(`build (esbuild): ${buildMs.join(', ')}\n`);

  const stack = await startLocalStack({
    env: { DYNAMODB_TABLE: TABLE, PORT: '0', LOADBALANCER_SECRET: 'bench-lb', ADMIN_SECRET: 'bench-admin', LOG_LEVEL: 'silent' },
    poll: false,
  });
  const timeDir = mkdtempSync(join(tmpdir(), 'cli-startup-'));
  try {
    const { servers } = stack.deps.store;
    await Promise.all(
      Array.from({ length: SERVERS }, async (_, i) => {
        const id = `bbb-${String(i).padStart(2, '0')}`;
        await servers.add({ id, url: `https://${id}.example.com/bigbluebutton/api`, secret: `secret-${i}`, state: i % 5 === 0 ? 'disabled' : 'enabled', loadMultiplier: 1 + (i % 3), ...(i % 4 === 0 ? { tag: 'big' } : {}) });
        if (i % 2 === 0) await servers.updatePoll(id, { online: true, load: i, bbbVersion: '3.0.4' });
      }),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
      DYNAMODB_TABLE: TABLE,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const bin = bins.bundled;
    const help = await runOnce([bin, '--help'], env);
    const viaLambda = help.stdout.includes('--via');

    const variants: Variant[] = [
      { name: 'node -e 0 (Node alone)', args: ['-e', '0'], tasks: ['--help', 'servers'] },
      { name: 'before: sources through tsx', args: [join(REPO, 'bench', 'lib', 'slctl-tsx.mjs')], tasks: ['--help', 'servers'] },
      { name: '**after: built, packages bundled**', args: [bin], tasks: ['--help', 'servers'] },
      { name: 'built, packages from node_modules (info)', args: [bins.external], tasks: ['--help', 'servers'] },
      ...(viaLambda
        ? [{ name: 'built, `--via lambda` (local invoke endpoint)', args: [bin], taskArgs: (t: string[]) => ['--via', 'lambda', '--function', 'scalelite-admin', '--endpoint-url', stack.url, ...t], tasks: ['servers'] }]
        : []),
    ];
    const withTime = existsSync(TIME);
    const samples = new Map<string, Sample[]>();
    const key = (v: Variant, task: string) => `${task}\u0000${v.name}`;
    for (let i = 0; i <= RUNS; i++) {
      for (const task of ['--help', 'servers']) {
        for (const v of variants) {
          if (!v.tasks.includes(task)) continue;
          const taskArgs = v.taskArgs ? v.taskArgs([task]) : [task];
          const s = await runOnce([...v.args, ...(v.args[0] === '-e' ? [] : taskArgs)], env, withTime ? join(timeDir, 'time') : undefined);
          if (i === 0) continue; // warm-up: file cache, esbuild's and tsx's caches
          const list = samples.get(key(v, task)) ?? [];
          list.push(s);
          samples.set(key(v, task), list);
        }
      }
    }

    const rows: StartupRow[] = [];
    const reference = new Map<string, string>();
    console.log('| task | variant | min ms | median ms | max ms | CPU median ms | goal (median) |');
    console.log('|---|---|---:|---:|---:|---:|---|');
    for (const task of ['--help', 'servers']) {
      for (const v of variants) {
        const list = samples.get(key(v, task));
        if (!list) continue;
        const ms = list.map((s) => s.ms);
        const cpu = list.every((s) => s.cpuMs !== undefined) ? median(list.map((s) => s.cpuMs!)) : undefined;
        const failed = list.filter((s) => s.code !== 0).length;
        const row: StartupRow = { task, variant: v.name, min: Math.min(...ms), median: median(ms), max: Math.max(...ms), cpuMedian: cpu, failed };
        rows.push(row);
        // every slctl variant must print what the built CLI prints
        const out = list[list.length - 1].stdout;
        if (v.args[0] !== '-e') {
          if (!reference.has(task)) reference.set(task, out);
          if (reference.get(task) !== out || failed) console.error(`${v.name} ${task}: ${failed} failed runs or output differs: ${list[list.length - 1].stderr.slice(0, 300)}`);
        }
        const goal = v.name.startsWith('**after') ? (row.median <= GOALS[task] ? `≤ ${GOALS[task]}: met` : `≤ ${GOALS[task]}: **missed**`) : '';
        console.log(`| \`slctl ${task}\` | ${v.name} | ${row.min.toFixed(0)} | ${row.median.toFixed(0)} | ${row.max.toFixed(0)} | ${cpu === undefined ? '–' : cpu.toFixed(0)} | ${goal} |`);
      }
    }
    const byName = (task: string, prefix: string) => rows.find((r) => r.task === task && r.variant.startsWith(prefix));
    const direct = byName('servers', '**after');
    const lambda = byName('servers', 'built, `--via lambda`');
    console.log('');
    if (lambda?.failed) console.log('--via lambda: the runs failed (see above): no overhead figure');
    else if (lambda && direct) console.log(`--via lambda overhead on \`servers\` (median): ${(lambda.median - direct.median).toFixed(0)} ms (${lambda.median.toFixed(0)} vs ${direct.median.toFixed(0)} direct)`);
    else console.log('--via lambda: not measured (this slctl has no --via option yet)');
    for (const task of ['--help', 'servers']) {
      const before = byName(task, 'before');
      const after = byName(task, '**after');
      const floor = byName(task, 'node -e 0');
      if (before && after) {
        const above = floor ? `; ${(after.median - floor.median).toFixed(0)} ms above Node's own start-up, against ${(before.median - floor.median).toFixed(0)} before` : '';
        console.log(`\`slctl ${task}\`: ${before.median.toFixed(0)} → ${after.median.toFixed(0)} ms median (${(before.median / after.median).toFixed(1)}× faster${above})`);
      }
    }
    return rows;
  } finally {
    rmSync(timeDir, { recursive: true, force: true });
    await stack.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
