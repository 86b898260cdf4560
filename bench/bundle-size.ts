/**
 * Lambda bundles: for every function (API, poller, importer, admin), the code a cold start loads (the entry
 * chunk and the chunks it imports statically) and the whole deployed bundle (with the chunks of dynamic
 * imports, e.g. the S3 SDK), and the cold module-init time — built exactly as the CDK stack builds them
 * (`infra/bundling.ts` `bundleLambda`: esbuild, ESM, minified, node22, code-split), with the AWS SDK bundled
 * (the default, `bundleAwsSdk`) and left to the runtime (`-c bundleAwsSdk=false`). A third variant adds
 * what the Powertools integration brings (functions/lambda-logger.ts and functions/lambda-metrics.ts,
 * whole: an upper bound of what the roots will import). The goal is BUNDLE_GOAL_KB per function.
 *
 * Init time: a fresh `node` process with Lambda's Node options (LAMBDA_NODE_FLAGS) imports the bundle —
 * what the Lambda runtime does at a cold start: load + evaluate the module, i.e. parse the config, build the
 * DynamoDB client and the app. No I/O happens at init: DYNAMODB_ENDPOINT points to an unused local port.
 * Reports the median of BENCH_INIT_RUNS runs (default 15), wall and CPU time inside the child. Runs are
 * interleaved across variants, so background load hits them alike. Asserts nothing.
 *
 * Run: npx tsx bench/bundle-size.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { BUNDLE_GOAL_KB, BUNDLE_TARGET, bundleLambda, LAMBDA_ENTRIES, LAMBDA_NODE_FLAGS, type LambdaBundle, type LambdaEntry, REPO_ROOT } from '../infra/bundling.js';

const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 15);
/** Inside the repository, so the externals (`@aws-sdk/*`) resolve from node_modules as they do from the runtime's. */
const OUT_DIR = join(REPO_ROOT, '.bench', 'bundle');

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

type Extra = 'powertools' | undefined;
interface Variant {
  name: string;
  entry: LambdaEntry;
  bundleAwsSdk: boolean;
  extra?: Extra;
}

/** The entry of a variant with Powertools: the handler's module, plus the logger and metrics modules, whole. */
function powertoolsEntry(entry: LambdaEntry): string {
  const file = join(OUT_DIR, 'entries', `${entry}-powertools.ts`);
  mkdirSync(join(OUT_DIR, 'entries'), { recursive: true });
  const from = (path: string) => JSON.stringify(relative(join(OUT_DIR, 'entries'), join(REPO_ROOT, path)).replace(/\.ts$/, '.js'));
  writeFileSync(
    file,
    [
      `import * as lambdaLogger from ${from('functions/lambda-logger.ts')};`,
      `import * as lambdaMetrics from ${from('functions/lambda-metrics.ts')};`,
      `export const powertools = [lambdaLogger, lambdaMetrics];`,
      `export * from ${from(LAMBDA_ENTRIES[entry])};`,
      '',
    ].join('\n'),
  );
  return file;
}

function bundle(v: Variant) {
  const dir = join(OUT_DIR, `${v.entry}${v.bundleAwsSdk ? '-sdk' : ''}${v.extra ? `-${v.extra}` : ''}`);
  const b = bundleLambda(v.entry, v.bundleAwsSdk, dir, v.extra === 'powertools' ? powertoolsEntry(v.entry) : undefined);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(b.metafile));
  const gzip = (files: Iterable<string>) => [...files].reduce((n, f) => n + gzipSync(readFileSync(join(REPO_ROOT, f)), { level: 9 }).length, 0);
  return { ...b, outfile: join(dir, 'index.mjs'), entryGzip: gzip(b.atStart), totalGzip: gzip(b.files.keys()) };
}

/** Bytes in the outputs by package (node_modules/<pkg>) or by our top-level folder (the cold start's files, or all). */
function contributors(b: LambdaBundle, which: 'atStart' | 'all', top = 8) {
  const meta: Metafile = b.metafile;
  const by = new Map<string, number>();
  const outputs = Object.entries(meta.outputs).filter(([f]) => which === 'all' || b.atStart.has(f));
  for (const [file, input] of outputs.flatMap(([, o]) => Object.entries(o.inputs))) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1] : file.split('/')[0];
    by.set(key, (by.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

const INIT_ENV = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  DYNAMODB_TABLE: 'scalelite',
  LOADBALANCER_SECRET: 'bench-secret',
  LOG_LEVEL: 'silent',
};

/** One cold import of `file` in a fresh process: [wall ms, CPU ms] of the import, measured inside the child. */
function initOnce(file: string): [number, number] {
  const script = [
    'const c0 = process.cpuUsage(); const t0 = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const ms = performance.now() - t0; const c = process.cpuUsage(c0);',
    'process.stdout.write(JSON.stringify([ms, (c.user + c.system) / 1000]));',
  ].join(' ');
  const out = execFileSync(process.execPath, [...LAMBDA_NODE_FLAGS, '--input-type=module', '-e', script], { env: INIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as [number, number];
}

interface InitTimes {
  init: number;
  initMin: number;
  initMax: number;
  cpu: number;
}

/** Cold imports of every file, RUNS each, interleaved (one warm-up round first, not recorded). */
function initTimes(files: string[]): Map<string, InitTimes | Error> {
  const samples = new Map<string, [number, number][] | Error>(files.map((f) => [f, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const f of files) {
      const got = samples.get(f);
      if (got instanceof Error) continue;
      try {
        const s = initOnce(f);
        if (round > 0) got!.push(s);
      } catch (e) {
        samples.set(f, new Error(((e as { stderr?: string }).stderr || (e as Error).message).trim().split('\n').slice(-1)[0]));
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return new Map<string, InitTimes | Error>(
    [...samples].map(([f, s]): [string, InitTimes | Error] => {
      if (s instanceof Error) return [f, s];
      const inits = s.map(([ms]) => ms);
      return [f, { init: median(inits), initMin: Math.min(...inits), initMax: Math.max(...inits), cpu: median(s.map(([, c]) => c)) }];
    }),
  );
}

/** A module of the given source, for a baseline. */
function moduleFile(name: string, source: string) {
  const dir = join(OUT_DIR, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.mjs'), source);
  return join(dir, 'index.mjs');
}

export async function main() {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} cores\n`);
  console.log(
    `## Lambda bundles (esbuild ${(await import('esbuild')).version}, target ${BUNDLE_TARGET}, ESM, minified, code-split; Node ${process.versions.node} here, ${LAMBDA_NODE_FLAGS.join(' ')}; ${RUNS} cold imports each)\n`,
  );
  const entries = Object.keys(LAMBDA_ENTRIES) as LambdaEntry[];
  const variants: Variant[] = entries.flatMap((entry) => [
    { name: `${entry}, SDK bundled (deployed default)`, entry, bundleAwsSdk: true },
    { name: `${entry}, SDK bundled, + Powertools logger and metrics`, entry, bundleAwsSdk: true, extra: 'powertools' as const },
    { name: `${entry}, SDK from the runtime (bundleAwsSdk=false)`, entry, bundleAwsSdk: false },
  ]);
  const bundles = variants.map((v) => ({ v, b: bundle(v) }));
  const baseline = moduleFile('empty', 'export const handler = async () => ({});\n');
  const sdkOnly = moduleFile('sdk-only', "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\n");
  const times = initTimes([baseline, sdkOnly, ...bundles.map(({ b }) => b.outfile)]);

  const cell = (t: InitTimes | Error | undefined) =>
    !t ? '– | –' : t instanceof Error ? `failed: ${t.message} | –` : `${t.init.toFixed(1)} ms (${t.initMin.toFixed(1)}–${t.initMax.toFixed(1)}) | ${t.cpu.toFixed(1)} ms`;
  console.log('| function, variant | at cold start (entry + its static chunks) | gzip | whole bundle | gzip | files | init median (min–max) | init CPU median |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| empty module (baseline) | – | – | – | – | – | ${cell(times.get(baseline))} |`);
  console.log(`| @aws-sdk/client-dynamodb + lib-dynamodb from node_modules, alone | – | – | – | – | – | ${cell(times.get(sdkOnly))} |`);
  const details: string[] = [];
  const over: string[] = [];
  for (const { v, b } of bundles) {
    console.log(`| ${v.name} | ${kb(b.entryBytes)} | ${kb(b.entryGzip)} | ${kb(b.totalBytes)} | ${kb(b.totalGzip)} | ${b.files.size} | ${cell(times.get(b.outfile))} |`);
    if (b.entryBytes > BUNDLE_GOAL_KB * 1024) over.push(`${v.name}: ${kb(b.entryBytes)} at cold start`);
    if (v.bundleAwsSdk && !v.extra) {
      details.push(`${v.name}, at cold start: ${contributors(b, 'atStart').map(([k, n]) => `${k} ${kb(n)}`).join(', ')}`);
      details.push(`${v.name}, loaded later: ${contributors(b, 'all').map(([k, n]) => [k, n - (contributors(b, 'atStart', 1000).find(([k2]) => k2 === k)?.[1] ?? 0)] as const).filter(([, n]) => n > 0).sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k, n]) => `${k} ${kb(n)}`).join(', ') || 'nothing'}`);
    }
  }
  console.log('\nLargest contributors (bytes in the minified output):');
  for (const d of details) console.log(`- ${d}`);
  console.log(over.length === 0 ? `\nEvery cold start within the goal of ${BUNDLE_GOAL_KB} KB.` : `\nOver the goal of ${BUNDLE_GOAL_KB} KB:\n${over.map((o) => `- ${o}`).join('\n')}`);
  console.log(`\nBundles and esbuild metafiles: ${OUT_DIR}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
