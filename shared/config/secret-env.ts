import { ENV, type Env, type EnvName } from './env-names.js';
import { ConfigError } from './parse-config.js';

/**
 * Secrets in the environment contract. A variable whose name contains `SECRET` holds a credential
 * (`LOADBALANCER_SECRET`, `LOADBALANCER_SECRETS`, `ADMIN_SECRET`, …), and so do `CF_PRIVATE_KEY_B64` and `FSAPI_PASSWORD`: a deployment never writes its
 * value into a template. Instead it sets `<NAME>_ARN` to the ARN of a Secrets Manager secret or an SSM
 * parameter, and the runtime fetches the value once at start-up (`resolveSecretEnv`). Locally the
 * plain variable keeps working.
 */
export type SecretEnvName = Extract<EnvName, `${string}SECRET${string}`> | 'CF_PRIVATE_KEY_B64' | 'FSAPI_PASSWORD';

/** Secrets whose names do not say so (Scalelite's names): the playback signing key, the dial-plan API's password. */
const OTHER_SECRETS: readonly string[] = ['CF_PRIVATE_KEY_B64', 'FSAPI_PASSWORD'];

export const isSecretEnvName = (name: string): name is SecretEnvName => Object.hasOwn(ENV, name) && (name.includes('SECRET') || OTHER_SECRETS.includes(name));

/** Every secret variable of the contract, in `ENV` order. */
export const SECRET_ENV_NAMES: readonly SecretEnvName[] = Object.keys(ENV).filter(isSecretEnvName);

/** The variable naming where a secret variable's value is stored: `LOADBALANCER_SECRET` → `LOADBALANCER_SECRET_ARN`. */
export const secretRefEnvName = (name: SecretEnvName): string => `${name}_ARN`;

/** Fetches a secret value by the ARN of a Secrets Manager secret or an SSM parameter. */
export type SecretFetcher = (arn: string) => Promise<string>;

/**
 * The environment with every secret variable that has a `<NAME>_ARN` filled from its store; the
 * environment itself when there is none (no I/O, no AWS SDK loaded). One fetch per distinct ARN,
 * all in parallel. Setting both `<NAME>` and `<NAME>_ARN` is a ConfigError: which one wins would
 * be a guess.
 */
export async function resolveSecretEnv(env: Env, fetch: SecretFetcher): Promise<Env> {
  const refs = SECRET_ENV_NAMES.flatMap((name) => {
    const arn = env[secretRefEnvName(name)]?.trim();
    return arn ? [{ name, arn }] : [];
  });
  if (refs.length === 0) return env;
  for (const { name } of refs) {
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError(name, `is set together with ${secretRefEnvName(name)}; set one of them`);
    }
  }
  const values = new Map<string, Promise<string>>();
  for (const { arn } of refs) if (!values.has(arn)) values.set(arn, fetch(arn));
  const resolved: Env = { ...env };
  for (const { name, arn } of refs) {
    try {
      resolved[name] = await values.get(arn)!;
    } catch (e) {
      throw new ConfigError(secretRefEnvName(name), `cannot read ${arn}: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  return resolved;
}
