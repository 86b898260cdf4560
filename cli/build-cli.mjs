#!/usr/bin/env node
/**
 * Builds slctl for running without tsx: cli/main.ts → dist/cli/main.mjs, one ESM file plus the chunks of
 * its dynamic `import()`s (code splitting), so a task loads only the code it uses. Plain JavaScript, so it
 * runs straight after `npm ci` (the `prepare` script) and before any TypeScript tooling.
 *
 *   node cli/build-cli.mjs                  # npm run build:cli
 *   node cli/build-cli.mjs --if-available --prune   # prepare (npm ci, npm pack): a note instead of a failure
 *       when esbuild is absent (npm ci --omit=dev: the bin then needs tsx or a build); no chunk of earlier builds left
 *
 * The packages are bundled too (measured: faster to start than resolving them from node_modules, see
 * docs/BENCHMARKS.md "slctl start-up"), except those of `slctl serve` that must stay files on disk.
 * dist/cli/inputs.json lists the sources, so a checkout's bin can tell a build older than its sources.
 *
 * The build also knows the task list: it bundles the registration lists (cli/commands/index.ts) on their own,
 * imports them and writes each task's command line, description and aliases into main.mjs
 * (`globalThis.SLCTL_TASK_LIST`, cli/task-list.ts), so `slctl --help` lists the tasks without loading a command
 * module. A task added to those lists is in the next build's help by itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const OUT_DIR = fileURLToPath(new URL('../dist/cli/', import.meta.url));

/**
 * Left to node_modules: dynalite and s3rver (the embedded engines of `slctl serve`, loaded only by it;
 * they read files relative to themselves and pull in native leveldown/classic-level).
 */
export const CLI_EXTERNALS = ['dynalite', 's3rver'];

/** CommonJS packages in an ESM bundle call `require('node:…')`: give them one (as infra/bundling.ts does). */
const REQUIRE_BANNER = "import{createRequire as __slctlRequire}from'node:module';const require=__slctlRequire(import.meta.url);";

/** How long a chunk no longer referenced by the build stays (see buildCli). */
const OLD_CHUNK_MS = 24 * 3600 * 1000;

/**
 * Builds into a fresh directory beside `outdir`, then moves it in: the new chunks first, then main.mjs (one
 * rename). A slctl started meanwhile runs the old build or the new one, never half of one. Chunks are named by
 * their content's hash, and those of earlier builds stay for a day: a long-running slctl (`serve`) still finds
 * the chunks it loads late (the S3 client, the importer) after a rebuild under it (a test run's, say).
 * @param {{ outdir?: string, bundlePackages?: boolean, minify?: boolean, pruneAll?: boolean }} [options]
 *   bundlePackages=false leaves every package to node_modules (kept for the start-up benchmark's comparison);
 *   pruneAll removes every chunk of earlier builds at once (`prepare`: what `npm pack` packs is this build only)
 */
export async function buildCli({ outdir = OUT_DIR, bundlePackages = true, minify = false, pruneAll = false } = {}) {
  const { build } = await import('esbuild');
  const target = resolve(outdir);
  const staging = `${target}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const startedAt = Date.now();
  const taskList = await readTaskList(build, staging, bundlePackages);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'cli/main.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    mainFields: ['module', 'main'],
    ...(bundlePackages ? { external: CLI_EXTERNALS, banner: { js: REQUIRE_BANNER } } : { packages: 'external' }),
    minify,
    // a string (JSON) rather than the array itself: esbuild inlines a string where it is read, while an
    // object define becomes a module of its own that every module of the build initialises
    define: { 'globalThis.SLCTL_TASK_LIST': JSON.stringify(JSON.stringify(taskList)) },
    metafile: true,
    logLevel: 'warning',
  });
  try {
    // what cli/bin/slctl.js compares a checkout's sources with
    const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
    writeFileSync(join(staging, 'inputs.json'), `${JSON.stringify({ startedAt, inputs })}\n`);
    // `slctl --help` as this build prints it 120 columns wide (a pipe, or a terminal that wide): the bin prints
    // the file without loading slctl at all (cli/bin/slctl.js)
    writeFileSync(join(staging, 'help.txt'), execFileSync(process.execPath, [join(staging, 'main.mjs'), '--help'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, COLUMNS: '' } }));
    const chunks = join(target, 'chunks');
    mkdirSync(chunks, { recursive: true });
    const fresh = new Set(readdirSync(join(staging, 'chunks')));
    for (const name of fresh) if (!existsSync(join(chunks, name))) renameSync(join(staging, 'chunks', name), join(chunks, name));
    renameSync(join(staging, 'inputs.json'), join(target, 'inputs.json'));
    renameSync(join(staging, 'help.txt'), join(target, 'help.txt'));
    renameSync(join(staging, 'main.mjs'), join(target, 'main.mjs'));
    for (const name of readdirSync(chunks)) {
      if (!fresh.has(name) && (pruneAll || statSync(join(chunks, name)).mtimeMs < startedAt - OLD_CHUNK_MS)) rmSync(join(chunks, name), { force: true });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return result;
}

/**
 * The tasks as the registration lists hold them (cli/task-list.ts `taskSummaries` of cli/commands/index.ts):
 * bundled as the build bundles them, into `dir`, imported, and removed again.
 * @param {typeof import('esbuild').build} build
 * @param {string} dir
 * @param {boolean} bundlePackages
 * @returns {Promise<unknown[]>}
 */
async function readTaskList(build, dir, bundlePackages) {
  const outfile = join(dir, 'task-list.mjs');
  await build({
    absWorkingDir: ROOT,
    stdin: {
      contents: "import { commands } from './cli/commands/index.ts';\nimport { taskSummaries } from './cli/task-list.ts';\nexport default taskSummaries(commands);\n",
      resolveDir: ROOT,
      sourcefile: 'task-list-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    mainFields: ['module', 'main'],
    ...(bundlePackages ? { external: CLI_EXTERNALS, banner: { js: REQUIRE_BANNER } } : { packages: 'external' }),
    logLevel: 'warning',
  });
  try {
    return (await import(pathToFileURL(outfile).href)).default;
  } finally {
    rmSync(outfile, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifAvailable = process.argv.includes('--if-available');
  const pruneAll = process.argv.includes('--prune');
  const started = performance.now();
  try {
    await buildCli({ pruneAll });
  } catch (e) {
    if (ifAvailable && e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('esbuild')) {
      console.warn('slctl: esbuild is not installed (dev dependencies omitted?): dist/cli not built.');
      process.exit(0);
    }
    throw e;
  }
  console.log(`slctl built into dist/cli in ${Math.round(performance.now() - started)} ms`);
}
