import type { Deps } from '../shared/app/deps.js';
import { createLogger } from '../shared/app/logger.js';
import { parseConfig } from '../shared/config/parse-config.js';
import type { Env } from '../shared/config/env-names.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createS3Storage, type S3Storage } from '../shared/storage/s3-storage.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION } from './embedded-s3.js';
import { CliError } from './cli-error.js';
import type { TargetFlags } from './target.js';
import { NO_TARGET, resolveTarget, type TargetKey } from './target-resolution.js';

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

/**
 * The dependencies of a task run with direct access: the table and bucket of the task's target
 * (cli/target-resolution.ts: flags, env, a named context, the local stack, AWS's defaults). Without an
 * endpoint and without a region that the SDK can find, there is no target at all: NO_TARGET (exit 3)
 * rather than the SDK's "Region is missing" at the first call.
 */
export async function directDeps(env: Env, flags: TargetFlags): Promise<Deps & { storage: S3Storage }> {
  const target = await resolveTarget(env, flags);
  const value = (key: TargetKey) => target.values[key]?.value;
  const merged: Env = { ...env };
  const fromTarget: [TargetKey, string][] = [
    ['endpoint', 'DYNAMODB_ENDPOINT'],
    ['table', 'DYNAMODB_TABLE'],
    ['s3Endpoint', 'S3_ENDPOINT'],
    ['bucket', 'S3_BUCKET_NAME'],
  ];
  for (const [key, name] of fromTarget) if (value(key)) merged[name] = value(key);
  const config = parseConfig({ ...merged, REGISTRY_TTL: '0', LOG_LEVEL: merged.SLCTL_LOG_LEVEL ?? 'silent' });
  const region = value('region');
  const profile = value('profile');
  const credentials = profile ? profileCredentials(profile) : undefined;
  const db = createDocumentClient({ endpoint: config.dynamodbEndpoint || undefined, region, profileCredentials: credentials });
  if (!config.dynamodbEndpoint) {
    try {
      await db.config.region(); // AWS_REGION, --region, a context, or the SDK's ~/.aws/config
    } catch {
      db.destroy();
      throw new CliError(NO_TARGET, 3);
    }
  }
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
