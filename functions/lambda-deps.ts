import type { Deps } from '../shared/app/deps.js';
import type { ObjectStorage } from '../shared/app/object-storage.js';
import { type Config, parseConfig } from '../shared/config/parse-config.js';
import { resolveSecretEnv } from '../shared/config/secret-env.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { awsSecretFetcher } from './aws-secret-fetcher.js';
import { createLambdaLogger, LAMBDA_SERVICES, type LambdaLogger } from './lambda-logger.js';
import { lambdaMetrics, METRIC_SERVICE } from './lambda-metrics.js';

export type LambdaFunction = keyof typeof LAMBDA_SERVICES;

/**
 * What every Lambda's composition root shares: configuration from the environment, read once per
 * container; secrets deployed as `<NAME>_ARN` (Secrets Manager / SSM) fetched here, once, at cold start;
 * the DynamoDB client (the SDK bundled, infra/bundling.ts; no connection before its first call); the
 * function's Powertools logger (service `scalelite-<fn>`) and its EMF metrics (namespace METRICS_NAMESPACE,
 * dimension `service=<fn>`), written when each invocation ends (the handler is wrapped by `withMetrics`).
 * Each function's root (`functions/deps.ts`, `functions/poller/deps.ts`) says which adapters it adds beyond
 * that — the recordings bucket only where a use case touches it, so the poller's bundle carries no S3
 * client (docs/DEPLOY.md "Bundle sizes").
 */
export async function lambdaDeps(fn: LambdaFunction, storage?: (config: Config) => ObjectStorage): Promise<{ deps: Deps; log: LambdaLogger }> {
  const config = parseConfig(await resolveSecretEnv(process.env, awsSecretFetcher()));
  const log = createLambdaLogger({ service: LAMBDA_SERVICES[fn], level: config.logLevel });
  lambdaMetrics.namespace = config.metricsNamespace;
  lambdaMetrics.service = METRIC_SERVICE[fn];
  const deps = assemble(config, {
    db: createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    storage: storage?.(config),
    log,
    metrics: lambdaMetrics,
  });
  return { deps, log };
}
