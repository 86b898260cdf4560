import { ENV, type EnvName } from '../shared/config/env-names.js';
import { isSecretEnvName, secretRefEnvName, type SecretEnvName } from '../shared/config/secret-env.js';

/**
 * The Lambda environment, derived from the one env contract (`shared/config/env-names.ts`):
 * every variable the runtime reads gets a value (the configured one or the contract's default),
 * except the variables only the local stack reads, and secrets, which are passed by reference
 * (`<NAME>_ARN`) and only to the function that needs them.
 */

/**
 * Read by `slctl serve` / the local stack only, never on Lambda: a Lambda must not talk to a local DynamoDB,
 * nor to an S3 other than the stack's bucket (its notifications, grants and lifecycle are on that bucket).
 */
export const LOCAL_ONLY_ENV_NAMES = ['PORT', 'BIND', 'DATA_DIR', 'DYNAMODB_ENDPOINT', 'S3_ENDPOINT'] as const satisfies readonly EnvName[];
type LocalOnlyEnvName = (typeof LOCAL_ONLY_ENV_NAMES)[number];

/** A variable a Lambda reads as a plain value. */
export type LambdaPlainEnvName = Exclude<EnvName, SecretEnvName | LocalOnlyEnvName>;

const isLocalOnly = (name: string) => (LOCAL_ONLY_ENV_NAMES as readonly string[]).includes(name);

export const isLambdaPlainEnvName = (name: string): name is LambdaPlainEnvName => Object.hasOwn(ENV, name) && !isSecretEnvName(name) && !isLocalOnly(name);

/** Every plain variable a Lambda reads, in `ENV` order. */
export const LAMBDA_PLAIN_ENV_NAMES: readonly LambdaPlainEnvName[] = Object.keys(ENV).filter(isLambdaPlainEnvName);

/** The defaults of the contract for every plain variable a Lambda reads. */
export function defaultLambdaSettings(): Record<LambdaPlainEnvName, string> {
  return Object.fromEntries(LAMBDA_PLAIN_ENV_NAMES.map((name) => [name, ENV[name].default])) as Record<LambdaPlainEnvName, string>;
}

/**
 * The environment of one function: all plain settings, plus `<NAME>_ARN` for each secret this
 * function reads (`secretArns` may hold CloudFormation tokens).
 *
 * The playback signing key's id (`CF_KEY_PAIR_ID`) goes only with the key itself: the runtime refuses
 * one without the other (`parseConfig`: "CF_PRIVATE_KEY_B64 is needed with CF_KEY_PAIR_ID"), so a
 * function that does not read the key (poller, importer, admin) gets an empty id and signs no cookie.
 */
export function lambdaEnvironment(settings: Record<LambdaPlainEnvName, string>, secretArns: Partial<Record<SecretEnvName, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of LAMBDA_PLAIN_ENV_NAMES) env[name] = settings[name];
  if (secretArns.CF_PRIVATE_KEY_B64 === undefined) env.CF_KEY_PAIR_ID = '';
  for (const [name, arn] of Object.entries(secretArns) as [SecretEnvName, string | undefined][]) {
    if (arn !== undefined) env[secretRefEnvName(name)] = arn;
  }
  return env;
}
