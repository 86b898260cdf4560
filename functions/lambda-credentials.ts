/**
 * Stand-in for `@aws-sdk/credential-provider-node` in a Lambda bundle that includes the AWS SDK
 * (`-c bundleAwsSdk=true`, `infra/bundling.ts` aliases the package to this file). On Lambda the
 * execution role's credentials are always in the environment, so the SDK's default chain (ini files,
 * SSO, process, web identity, IMDS — and the STS/SSO clients they bring, ~120 KB minified) is dead
 * weight at cold start. Same export shape as the original: `defaultProvider(init)` → a provider.
 */
export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function defaultProvider(_init?: unknown): () => Promise<EnvCredentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw Object.assign(new Error('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set (not running on Lambda?)'), { name: 'CredentialsProviderError' });
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };
}
