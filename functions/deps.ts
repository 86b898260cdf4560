import { parseConfig } from '../shared/config/parse-config.js';
import { resolveSecretEnv } from '../shared/config/secret-env.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { awsSecretFetcher } from './aws-secret-fetcher.js';

/**
 * The Lambda composition root: configuration from the environment, read once per container.
 * Secrets deployed as `<NAME>_ARN` (Secrets Manager / SSM) are fetched here, once, at cold start.
 */
export const config = parseConfig(await resolveSecretEnv(process.env, awsSecretFetcher()));
export const deps = assemble(config, {
  db: createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
});
