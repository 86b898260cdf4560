import { parseConfig } from '../shared/config/parse-config.js';
import { resolveSecretEnv } from '../shared/config/secret-env.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createS3Storage } from '../shared/storage/s3-storage.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { awsSecretFetcher } from './aws-secret-fetcher.js';

/**
 * The Lambda composition root: configuration from the environment, read once per container.
 * Secrets deployed as `<NAME>_ARN` (Secrets Manager / SSM) are fetched here, once, at cold start.
 * The recordings bucket is the stack's (`S3_BUCKET_NAME`) in the function's region (`AWS_REGION`, set by
 * Lambda), reached with the function's role; the S3 client, like the DynamoDB one, comes from the
 * runtime's AWS SDK (infra/bundling.ts) and opens no connection before its first call.
 */
export const config = parseConfig(await resolveSecretEnv(process.env, awsSecretFetcher()));
export const deps = assemble(config, {
  db: createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  storage: createS3Storage({ bucket: config.s3Bucket, endpoint: config.s3Endpoint, region: process.env.AWS_REGION || undefined }),
});
