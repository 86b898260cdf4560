import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoOptions {
  endpoint?: string;
  region?: string;
  /** Credentials for a local endpoint that needs none (dynalite accepts any). */
  localCredentials?: boolean;
  profileCredentials?: DynamoDBClient['config']['credentials'];
}

/** One document client per runtime; a local endpoint gets dummy credentials and a fixed region. */
export function createDocumentClient(opts: DynamoOptions = {}): DynamoDBDocumentClient {
  const local = Boolean(opts.endpoint) && opts.localCredentials !== false;
  const client = new DynamoDBClient({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    region: opts.region ?? (local ? 'local' : undefined),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    ...(opts.profileCredentials ? { credentials: opts.profileCredentials } : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export const isConditionFailed = (e: unknown): boolean => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** A conditional write: true when it was applied, false when its condition did not hold; other errors throw. */
export async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (e) {
    if (isConditionFailed(e)) return false;
    throw e;
  }
}
