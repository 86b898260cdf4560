import type { Deps } from '../shared/app/deps.js';
import { createLogger } from '../shared/app/logger.js';
import { parseConfig } from '../shared/config/parse-config.js';
import type { Env } from '../shared/config/env-names.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';

export interface TargetFlags {
  endpoint?: string;
  table?: string;
  region?: string;
  profile?: string;
}

type Credentials = NonNullable<Parameters<typeof createDocumentClient>[0]>['profileCredentials'];

/** Shared-config credentials of `--profile`; the provider package is loaded only when a profile is given. */
function profileCredentials(profile: string): Credentials {
  let provider: (() => Promise<unknown>) | undefined;
  return (async () => {
    provider ??= (await import('@aws-sdk/credential-providers')).fromIni({ profile });
    return provider();
  }) as Credentials;
}

/** Builds the use-case dependencies for a CLI task: env first, flags override. */
export function cliDeps(env: Env, flags: TargetFlags): Deps {
  const merged: Env = { ...env };
  if (flags.endpoint) merged.DYNAMODB_ENDPOINT = flags.endpoint;
  if (flags.table) merged.DYNAMODB_TABLE = flags.table;
  const config = parseConfig({ ...merged, REGISTRY_TTL: '0', LOG_LEVEL: merged.SLCTL_LOG_LEVEL ?? 'silent' });
  const db = createDocumentClient({
    endpoint: config.dynamodbEndpoint || undefined,
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    profileCredentials: flags.profile ? profileCredentials(flags.profile) : undefined,
  });
  return assemble(config, { db, log: createLogger(config.logLevel, (l) => process.stderr.write(`${l}\n`)) });
}
