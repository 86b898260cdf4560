import { rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/**
 * How the Lambdas are bundled — one definition for the CDK functions (infra/functions.ts: esbuild run
 * locally at synth, never Docker) and for `bench/bundle-size.ts`, so the benchmark measures what is deployed.
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const LAMBDA_ENTRIES = {
  api: 'functions/api/handler.ts',
  poller: 'functions/poller/handler.ts',
  importer: 'functions/importer/handler.ts',
  admin: 'functions/admin/handler.ts',
} as const;
export type LambdaEntry = keyof typeof LAMBDA_ENTRIES;

/** ESM for Node.js 22 (top-level await in the composition roots). */
export const BUNDLE_TARGET = 'node22';

/** The size goal of one function's code that a cold start loads (its entry chunk, minified, before zip). */
export const BUNDLE_GOAL_KB = 500;

/** The entry module of every bundle: the functions' handler is `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';
/** Where the chunks of a bundle's dynamic imports go, beside the entry. */
export const BUNDLE_CHUNK_DIR = 'chunks';

/**
 * ESM output has no `require`; a CommonJS dependency calling `require('node:…')` would fail at cold
 * start with "Dynamic require of … is not supported". This gives it one (in every chunk).
 */
export const ESM_REQUIRE_BANNER = "import{createRequire as __cjsRequire}from'node:module';const require=__cjsRequire(import.meta.url);";

/**
 * Modules left to the Lambda runtime. The Node.js 22 runtime ships AWS SDK v3 (`@aws-sdk/*` with its
 * `@smithy/*` internals). With `bundleAwsSdk` (the default) the SDK is bundled (pinned to the version
 * the tests ran) and only the clients the secret fetcher imports on demand — which esbuild never sees,
 * since they are imported by a computed specifier — stay external.
 */
export function externalModules(bundleAwsSdk: boolean): string[] {
  return bundleAwsSdk ? ['@aws-sdk/client-secrets-manager', '@aws-sdk/client-ssm'] : ['@aws-sdk/*', '@smithy/*'];
}

/**
 * Module replacements (esbuild `alias`, paths relative to the repository root). With the SDK bundled,
 * its default credential chain is replaced by the environment credentials Lambda always provides
 * (`functions/lambda-credentials.ts`): about 120 KB less to load at every cold start.
 */
export function moduleAliases(bundleAwsSdk: boolean): Record<string, string> {
  return bundleAwsSdk ? { '@aws-sdk/credential-provider-node': './functions/lambda-credentials.ts' } : {};
}

/**
 * The esbuild options of one function's bundle, written to `outdir`: ESM, minified, `node22`, code-split.
 * The entry, `index.mjs`, holds what a cold start runs; every dynamic `import()` of our code becomes a chunk
 * of its own under `chunks/`, read only when first called — the S3 SDK (`shared/storage/s3-sdk.ts`: presigned
 * upload URLs, deletions, the importer's reads and writes), and whatever else is imported that way. Entry
 * and chunks are deployed together (`Code.fromAsset` of this output, infra/functions.ts).
 */
export function lambdaBuildOptions(entry: LambdaEntry, bundleAwsSdk: boolean, outdir: string): BuildOptions {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: { index: LAMBDA_ENTRIES[entry] },
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'esm',
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: `${BUNDLE_CHUNK_DIR}/[name]-[hash]`,
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: externalModules(bundleAwsSdk),
    alias: Object.fromEntries(Object.entries(moduleAliases(bundleAwsSdk)).map(([from, to]) => [from, join(REPO_ROOT, to)])),
    logLevel: 'warning',
  };
}

/** The files of a bundle as written: the entry, the chunks, and which of them a cold start reads. */
export interface LambdaBundle {
  outdir: string;
  metafile: Metafile;
  /** output file (relative to the repository root) → bytes */
  files: Map<string, number>;
  /** the entry and the chunks it imports statically, transitively: what a cold start loads */
  atStart: Set<string>;
  entryBytes: number;
  totalBytes: number;
}

/**
 * Bundles one function into `outdir` (emptied first) and removes the chunks no other output imports:
 * esbuild emits a chunk for every dynamic `import()` it saw, also one in code it then dropped as unused
 * (the AWS SDK's browser user-agent parser, `bowser`, ~34 KB, and the like). Synchronous: the CDK runs it
 * inside `tryBundle` (infra/functions.ts). `entryFile` replaces the function's entry (the benchmark's variants).
 */
export function bundleLambda(entry: LambdaEntry, bundleAwsSdk: boolean, outdir: string, entryFile?: string): LambdaBundle {
  rmSync(outdir, { recursive: true, force: true });
  const options = lambdaBuildOptions(entry, bundleAwsSdk, outdir);
  const { metafile } = buildSync({ ...options, ...(entryFile ? { entryPoints: { index: entryFile } } : {}), metafile: true });
  const outputs = metafile.outputs;
  // output paths are relative to absWorkingDir (chunks of dynamic imports have an `entryPoint` too)
  const entryOut = relative(REPO_ROOT, join(outdir, BUNDLE_ENTRY_FILE)).split(sep).join('/');
  if (!outputs[entryOut]) throw new Error(`esbuild wrote no ${entryOut} for ${entry}`);
  const reach = (kinds: ReadonlySet<string>) => {
    const seen = new Set<string>();
    const todo = [entryOut];
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      if (seen.has(f)) continue;
      seen.add(f);
      for (const i of outputs[f].imports) if (!i.external && kinds.has(i.kind)) todo.push(i.path);
    }
    return seen;
  };
  const used = reach(new Set(['import-statement', 'dynamic-import']));
  for (const f of Object.keys(outputs)) {
    if (!used.has(f)) {
      rmSync(join(REPO_ROOT, f), { force: true });
      delete outputs[f];
    }
  }
  const atStart = reach(new Set(['import-statement']));
  const files = new Map(Object.entries(outputs).map(([f, o]) => [f, o.bytes]));
  const sum = (fs: Iterable<string>) => [...fs].reduce((n, f) => n + (files.get(f) ?? 0), 0);
  return { outdir, metafile, files, atStart, entryBytes: sum(atStart), totalBytes: sum(files.keys()) };
}

/**
 * The Node options the Lambda runtime starts a Node.js function with (its bootstrap; heap limits for a
 * function of 1,024 MB): what the benchmark and the bundle-and-run test start a bundle with.
 */
export const LAMBDA_NODE_FLAGS: readonly string[] = ['--expose-gc', '--max-http-header-size=81920', '--max-semi-space-size=32', '--max-old-space-size=921'];
