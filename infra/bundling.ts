import { fileURLToPath } from 'node:url';

/**
 * How the Lambdas are bundled — one definition for the CDK functions (`NodejsFunction`, esbuild run
 * locally, never Docker) and for `bench/bundle-size.ts`, so the benchmark measures what is deployed.
 */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const LAMBDA_ENTRIES = {
  api: 'functions/api/handler.ts',
  poller: 'functions/poller/handler.ts',
  importer: 'functions/importer/handler.ts',
  admin: 'functions/admin/handler.ts',
} as const;

/** ESM for Node.js 22 (top-level await in `functions/deps.ts`). */
export const BUNDLE_TARGET = 'node22';

/**
 * ESM output has no `require`; a CommonJS dependency calling `require('node:…')` would fail at cold
 * start with "Dynamic require of … is not supported". This gives it one.
 */
export const ESM_REQUIRE_BANNER = "import{createRequire as __cjsRequire}from'node:module';const require=__cjsRequire(import.meta.url);";

/**
 * Modules left to the Lambda runtime. The Node.js 22 runtime ships AWS SDK v3 (`@aws-sdk/*` with its
 * `@smithy/*` internals); using it keeps the bundle small. With `bundleAwsSdk` the SDK is bundled
 * (pinned to our version) and only the clients the secret fetcher imports on demand — which esbuild
 * never sees, since they are imported by a computed specifier — stay external.
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
