/**
 * Lambda bundles: size of every function's bundle and cold module-init time, bundled exactly as the CDK
 * stack bundles them (`infra/bundling.ts`: esbuild, ESM, minified, node22) — with the AWS SDK bundled in
 * (the default, `bundleAwsSdk`) and, for comparison, left to the runtime (`-c bundleAwsSdk=false`).
 * The goal is at most BUNDLE_GOAL_KB per function.
 *
 * Init time: a fresh `node` process imports the bundle (what the Lambda runtime does at a cold start:
 * load + evaluate the module, i.e. parse the config, build the DynamoDB client and the Hono app). No
 * I/O happens at init: DYNAMODB_ENDPOINT points to an unused local port. Reports the median of
 * BENCH_INIT_RUNS runs (default 15). Asserts nothing.
 *
 * Run: npx tsx bench/bundle-size.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, externalModules, LAMBDA_ENTRIES, moduleAliases, REPO_ROOT } from '../infra/bundling.js';

const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 15);
/** Inside the repository, so the externals (`@aws-sdk/*`) resolve from node_modules as they do from the runtime's. */
const OUT_DIR = join(REPO_ROOT, '.bench', 'bundle');

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
/** The size goal of one function's bundle (minified, before zip). */
const BUNDLE_GOAL_KB = 500;

interface Variant {
  name: string;
  entry: keyof typeof LAMBDA_ENTRIES;
  bundleAwsSdk: boolean;
}

async function bundle(v: Variant) {
  const dir = join(OUT_DIR, `${v.entry}${v.bundleAwsSdk ? '-sdk' : ''}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const result = await build({
    entryPoints: [join(REPO_ROOT, LAMBDA_ENTRIES[v.entry])],
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: externalModules(v.bundleAwsSdk),
    alias: Object.fromEntries(Object.entries(moduleAliases(v.bundleAwsSdk)).map(([from, to]) => [from, join(REPO_ROOT, to)])),
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(result.metafile));
  const code = readFileSync(outfile);
  return { outfile, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

/** Bytes in the output by package (node_modules/<pkg>) or by our top-level folder. */
function contributors(meta: Metafile, top = 8) {
  const output = Object.values(meta.outputs)[0];
  const by = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : file.split('/')[0];
    by.set(key, (by.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

/**
 * ms to import the bundle in a fresh process, measured inside it (wall and the process' CPU time, which
 * other load on a shared machine disturbs much less); and the whole process' wall time.
 */
function initTimes(outfile: string) {
  const script = [
    'const c0 = process.cpuUsage(); const t0 = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(outfile).href)});`,
    'const ms = performance.now() - t0; const c = process.cpuUsage(c0);',
    'process.stdout.write(JSON.stringify([ms, (c.user + c.system) / 1000]));',
  ].join(' ');
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_SESSION_TOKEN: 'bench',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    DYNAMODB_TABLE: 'scalelite',
    LOADBALANCER_SECRET: 'bench-secret',
    LOG_LEVEL: 'silent',
  };
  const inits: number[] = [];
  const cpuTimes: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    const wall = performance.now() - t0;
    if (i === 0) continue; // warm the file-system cache
    const [ms, cpu] = JSON.parse(out) as [number, number];
    inits.push(ms);
    cpuTimes.push(cpu);
    walls.push(wall);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { init: median(inits), initMin: Math.min(...inits), initMax: Math.max(...inits), cpu: median(cpuTimes), wall: median(walls) };
}

/** The same measure for a module of the given source: a baseline, or the externals alone. */
function moduleInit(name: string, source: string) {
  const dir = join(OUT_DIR, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), source);
  return initTimes(join(dir, 'index.mjs'));
}

export async function main() {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} cores\n`);
  console.log(`## Lambda bundle (esbuild ${(await import('esbuild')).version}, target ${BUNDLE_TARGET}, ESM, minified; Node ${process.versions.node} here; ${RUNS} cold imports each)\n`);
  const entries = Object.keys(LAMBDA_ENTRIES) as (keyof typeof LAMBDA_ENTRIES)[];
  const variants: Variant[] = [
    ...entries.map((entry) => ({ name: `${entry}, AWS SDK bundled, Lambda env credentials (deployed default)`, entry, bundleAwsSdk: true })),
    ...entries.map((entry) => ({ name: `${entry}, @aws-sdk from the runtime (bundleAwsSdk=false)`, entry, bundleAwsSdk: false })),
  ];
  const row = (name: string, t: ReturnType<typeof initTimes>, size = '– | –') =>
    console.log(`| ${name} | ${size} | ${t.init.toFixed(1)} ms (${t.initMin.toFixed(1)}–${t.initMax.toFixed(1)}) | ${t.cpu.toFixed(1)} ms | ${t.wall.toFixed(0)} ms |`);
  console.log('| module | minified | gzip | init median (min–max) | init CPU median | process wall median |');
  console.log('|---|---:|---:|---:|---:|---:|');
  row('empty module (baseline)', moduleInit('empty', 'export const handler = async () => ({});\n'));
  row(
    'the externals alone: @aws-sdk/client-dynamodb + lib-dynamodb from node_modules',
    moduleInit('sdk-only', "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\n"),
  );
  const details: string[] = [];
  const over: string[] = [];
  for (const v of variants) {
    const b = await bundle(v);
    // the admin bundle starts the local stack only on demand: an init failure there is reported, not fatal
    let times: ReturnType<typeof initTimes> | undefined;
    try {
      times = initTimes(b.outfile);
    } catch (e) {
      details.push(`${v.name}: init not measured (${(e as Error).message.split('\n')[0]})`);
    }
    if (times) row(v.name, times, `${kb(b.bytes)} | ${kb(b.gzip)}`);
    else console.log(`| ${v.name} | ${kb(b.bytes)} | ${kb(b.gzip)} | – | – | – |`);
    if (b.bytes > BUNDLE_GOAL_KB * 1024) over.push(`${v.name}: ${kb(b.bytes)}`);
    details.push(`${v.name}: ${contributors(b.metafile).map(([k, n]) => `${k} ${kb(n)}`).join(', ')}`);
  }
  console.log('\nLargest contributors (bytes in the minified output):');
  for (const d of details) console.log(`- ${d}`);
  console.log(over.length === 0 ? `\nEvery bundle within the goal of ${BUNDLE_GOAL_KB} KB.` : `\nOver the goal of ${BUNDLE_GOAL_KB} KB:\n${over.map((o) => `- ${o}`).join('\n')}`);
  console.log(`\nBundles and esbuild metafiles: ${OUT_DIR}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
