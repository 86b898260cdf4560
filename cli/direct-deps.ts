import type { Deps } from '../shared/app/deps.js';
import { createLogger } from '../shared/app/logger.js';
import { parseConfig } from '../shared/config/parse-config.js';
import type { Env } from '../shared/config/env-names.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createS3Storage, type S3Storage } from '../shared/storage/s3-storage.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION } from './embedded-s3.js';
import type { TargetFlags } from './target.js';

type Credentials = NonNullable<Parameters<typeof createDocumentClient>[0]>['profileCredentials'];
type S3Credentials = NonNullable<Parameters<typeof createS3Storage>[0]>['credentials'];

/** Shared-config credentials of `--profile`; the provider package is loaded only when a profile is given. */
function profileCredentials(profile: string): Credentials {
  let provider: (() => Promise<unknown>) | undefined;
  return (async () => {
    provider ??= (await import('@aws-sdk/credential-providers')).fromIni({ profile });
    return provider();
  }) as Credentials;
}

/** The dependencies of a task run with direct access: the table and bucket that env and flags name. */
export function directDeps(env: Env, flags: TargetFlags): Deps & { storage: S3Storage } {
  const merged: Env = { ...env };
  if (flags.endpoint) merged.DYNAMODB_ENDPOINT = flags.endpoint;
  if (flags.table) merged.DYNAMODB_TABLE = flags.table;
  if (flags.s3Endpoint) merged.S3_ENDPOINT = flags.s3Endpoint;
  if (flags.bucket) merged.S3_BUCKET_NAME = flags.bucket;
  const config = parseConfig({ ...merged, REGISTRY_TTL: '0', LOG_LEVEL: merged.SLCTL_LOG_LEVEL ?? 'silent' });
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const credentials = flags.profile ? profileCredentials(flags.profile) : undefined;
  const db = createDocumentClient({ endpoint: config.dynamodbEndpoint || undefined, region, profileCredentials: credentials });
  const storage = cliStorage(config.s3Endpoint, config.s3Bucket, region, credentials, env);
  return { ...assemble(config, { db, storage, log: createLogger(config.logLevel, (l) => process.stderr.write(`${l}\n`)) }), storage };
}

/**
 * The recordings bucket (the S3 client connects only when used). A custom endpoint without AWS credentials
 * in the environment or a profile is taken for the embedded S3 of `slctl serve` (its fixed key pair); MinIO
 * and other S3s get the SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, --profile).
 */
function cliStorage(endpoint: string, bucket: string, region: string | undefined, credentials: Credentials | undefined, env: Env): S3Storage {
  if (!endpoint) return createS3Storage({ bucket, region, credentials: credentials as S3Credentials });
  const embedded = !credentials && !env.AWS_ACCESS_KEY_ID;
  return createS3Storage({
    bucket,
    endpoint,
    region: region ?? EMBEDDED_S3_REGION,
    credentials: embedded ? EMBEDDED_S3_CREDENTIALS : (credentials as S3Credentials),
    forcePathStyle: true,
  });
}
