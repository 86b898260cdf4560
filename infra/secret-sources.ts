import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type CfnSecret, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SECRET_ENV_NAMES, type SecretEnvName } from '../shared/config/secret-env.js';
import type { ScaleliteConfig, SecretRef } from './config.js';

/**
 * Secrets the stack generates (in Secrets Manager) when the deployment names none: the BBB API secret
 * the balancer cannot work without, and a separate credential for the admin API (never the BBB
 * secret by default — Scalelite #1043). Logical ids pinned: these values are shared with front-ends
 * and tools, a refactoring must never replace them.
 */
export const GENERATED_SECRETS = {
  LOADBALANCER_SECRET: { logicalId: 'LoadBalancerSecret', purpose: 'the shared secret front-ends sign BBB API calls with' },
  ADMIN_SECRET: { logicalId: 'AdminSecret', purpose: 'the credential of the admin API /scalelite/api' },
} as const satisfies Partial<Record<SecretEnvName, { logicalId: string; purpose: string }>>;

export interface SecretSources {
  /** `<NAME>` → the ARN the function receives as `<NAME>_ARN`. */
  arns: Partial<Record<SecretEnvName, string>>;
  /** The ARNs of these secrets only (those configured or generated). */
  arnsOf(names: readonly SecretEnvName[]): Partial<Record<SecretEnvName, string>>;
  /**
   * Lets a function read exactly these secrets — all of them, or the `names` given — and decrypt them
   * with the configured key.
   */
  grantRead(grantee: IGrantable, names?: readonly SecretEnvName[]): void;
  /** The secrets created by the stack (those of GENERATED_SECRETS not configured). */
  generated: Partial<Record<SecretEnvName, Secret>>;
}

const COMPLETE_SECRET_ARN = /-[A-Za-z0-9]{6}$/;

/**
 * Resolves `secret.<NAME>` references to ARNs and read grants. Values never enter the template:
 * the functions get ARNs and fetch the values at cold start. `owned`: secrets the stack makes and fills
 * itself (the playback signing key), passed by reference like the others.
 */
export function secretSources(scope: Construct, config: ScaleliteConfig, owned: Partial<Record<SecretEnvName, ISecret>> = {}): SecretSources {
  const arns: Partial<Record<SecretEnvName, string>> = {};
  const readers = new Map<SecretEnvName, (grantee: IGrantable) => void>();
  const stack = Stack.of(scope);

  const addSecret = (name: SecretEnvName, secret: ISecret) => readers.set(name, (g) => secret.grantRead(g));
  const addParameter = (name: SecretEnvName, arn: string) => readers.set(name, (g) => Grant.addToPrincipal({ grantee: g, actions: ['ssm:GetParameter'], resourceArns: [arn] }));

  for (const name of SECRET_ENV_NAMES) {
    const ref: SecretRef | undefined = config.secrets[name];
    if (!ref) continue;
    const id = `Secret-${name}`;
    switch (ref.kind) {
      case 'secretsmanager-arn': {
        const secret = COMPLETE_SECRET_ARN.test(ref.arn) ? Secret.fromSecretCompleteArn(scope, id, ref.arn) : Secret.fromSecretPartialArn(scope, id, ref.arn);
        addSecret(name, secret);
        arns[name] = ref.arn;
        break;
      }
      case 'secretsmanager-name': {
        const secret = Secret.fromSecretNameV2(scope, id, ref.name);
        addSecret(name, secret);
        arns[name] = secret.secretArn;
        break;
      }
      case 'ssm-arn':
        addParameter(name, ref.arn);
        arns[name] = ref.arn;
        break;
      case 'ssm-name': {
        const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: ref.name.replace(/^\//, '') });
        addParameter(name, arn);
        arns[name] = arn;
        break;
      }
    }
  }

  for (const [name, secret] of Object.entries(owned) as [SecretEnvName, ISecret][]) {
    addSecret(name, secret);
    arns[name] = secret.secretArn;
  }

  const generated: Partial<Record<SecretEnvName, Secret>> = {};
  for (const [name, { logicalId, purpose }] of Object.entries(GENERATED_SECRETS) as [SecretEnvName, { logicalId: string; purpose: string }][]) {
    if (config.secrets[name]) continue;
    const secret = new Secret(scope, logicalId, {
      description: `${stack.stackName}: ${name}, ${purpose}`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (secret.node.defaultChild as CfnSecret).overrideLogicalId(logicalId);
    addSecret(name, secret);
    arns[name] = secret.secretArn;
    generated[name] = secret;
    new CfnOutput(scope, `${logicalId}Arn`, {
      value: secret.secretArn,
      description: `The generated ${name}: aws secretsmanager get-secret-value --query SecretString --output text --secret-id <this ARN>`,
    });
  }

  const key = config.secretsKmsKeyArn ? Key.fromKeyArn(scope, 'SecretsKey', config.secretsKmsKeyArn) : undefined;

  const arnsOf = (names: readonly SecretEnvName[]) => Object.fromEntries(names.filter((n) => arns[n] !== undefined).map((n) => [n, arns[n]])) as Partial<Record<SecretEnvName, string>>;
  const grantRead = (g: IGrantable, names: readonly SecretEnvName[] = SECRET_ENV_NAMES) => {
    const chosen = names.filter((n) => readers.has(n));
    for (const n of chosen) readers.get(n)!(g);
    if (key && chosen.length > 0) key.grantDecrypt(g);
  };
  return { arns, arnsOf, generated, grantRead };
}
