import { describe, expect, it } from 'vitest';
import { ENV } from './env-names.js';
import { ConfigError, parseConfig } from './parse-config.js';
import { isSecretEnvName, resolveSecretEnv, SECRET_ENV_NAMES, secretRefEnvName } from './secret-env.js';

const SM_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf';
const SSM_ARN = 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/more-secrets';

function recordingFetcher(values: Record<string, string>) {
  const calls: string[] = [];
  const fetch = async (arn: string) => {
    calls.push(arn);
    if (!(arn in values)) throw Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' });
    return values[arn];
  };
  return { calls, fetch };
}

describe('secret variables of the environment contract', () => {
  it('are the ENV names containing SECRET and the playback signing key, each referenced by <NAME>_ARN', () => {
    expect(SECRET_ENV_NAMES).toEqual(Object.keys(ENV).filter((n) => n.includes('SECRET') || n === 'CF_PRIVATE_KEY_B64' || n === 'FSAPI_PASSWORD'));
    expect(isSecretEnvName('CF_PRIVATE_KEY_B64')).toBe(true);
    expect(isSecretEnvName('CF_KEY_PAIR_ID')).toBe(false);
    expect(SECRET_ENV_NAMES).toContain('LOADBALANCER_SECRET');
    expect(SECRET_ENV_NAMES).toContain('LOADBALANCER_SECRETS');
    expect(secretRefEnvName('LOADBALANCER_SECRET')).toBe('LOADBALANCER_SECRET_ARN');
    expect(isSecretEnvName('POLL_INTERVAL')).toBe(false);
    expect(isSecretEnvName('NOT_A_SECRET_WE_READ')).toBe(false);
  });
});

describe('resolveSecretEnv', () => {
  it('returns the environment untouched, fetching nothing, when no <NAME>_ARN is set', async () => {
    const { calls, fetch } = recordingFetcher({});
    const env = { LOADBALANCER_SECRET: 'plain', POLL_INTERVAL: '10' };
    expect(await resolveSecretEnv(env, fetch)).toBe(env);
    expect(calls).toEqual([]);
  });

  it('fills each secret from its ARN, once per distinct ARN, and parseConfig sees the values', async () => {
    const { calls, fetch } = recordingFetcher({ [SM_ARN]: 'lb-secret', [SSM_ARN]: 'old-1:old-2' });
    const env = { LOADBALANCER_SECRET_ARN: SM_ARN, LOADBALANCER_SECRETS_ARN: SSM_ARN, POLL_INTERVAL: '10' };
    const resolved = await resolveSecretEnv(env, fetch);
    expect(resolved).toMatchObject({ LOADBALANCER_SECRET: 'lb-secret', LOADBALANCER_SECRETS: 'old-1:old-2', POLL_INTERVAL: '10' });
    expect(calls.sort()).toEqual([SM_ARN, SSM_ARN].sort());
    expect(parseConfig(resolved).loadbalancerSecrets).toEqual(['lb-secret', 'old-1', 'old-2']);
    expect(env).not.toHaveProperty('LOADBALANCER_SECRET'); // the input is not mutated
  });

  it('fetches a shared ARN once', async () => {
    const { calls, fetch } = recordingFetcher({ [SM_ARN]: 'same' });
    const resolved = await resolveSecretEnv({ LOADBALANCER_SECRET_ARN: SM_ARN, LOADBALANCER_SECRETS_ARN: SM_ARN }, fetch);
    expect(resolved).toMatchObject({ LOADBALANCER_SECRET: 'same', LOADBALANCER_SECRETS: 'same' });
    expect(calls).toEqual([SM_ARN]);
  });

  it('a failed fetch is a ConfigError naming the <NAME>_ARN variable and the ARN, never a value', async () => {
    const { fetch } = recordingFetcher({});
    const error = await resolveSecretEnv({ LOADBALANCER_SECRET_ARN: SM_ARN }, fetch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('LOADBALANCER_SECRET_ARN');
    expect((error as Error).message).toContain(SM_ARN);
    expect((error as Error).message).toContain('ResourceNotFoundException');
  });

  it('refuses a secret set both as a plain value and by ARN', async () => {
    const { fetch } = recordingFetcher({ [SM_ARN]: 'x' });
    const error = await resolveSecretEnv({ LOADBALANCER_SECRET: 'plain', LOADBALANCER_SECRET_ARN: SM_ARN }, fetch).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('LOADBALANCER_SECRET');
  });
});
