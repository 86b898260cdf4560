import { ArnFormat, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
  /**
   * `<NAME>` → what the function receives as `<NAME>_ARN`: the ARN of the secret or parameter, or — for a
   * secret given by name (`secretsmanager:<name>`) — its name, which Secrets Manager looks up as a name.
   */
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

/** What a read of a Secrets Manager secret needs (as `ISecret.grantRead`). */
const SECRET_READ_ACTIONS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];

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
  const addSecretByName = (name: SecretEnvName, arnPattern: string) =>
    readers.set(name, (g) => Grant.addToPrincipal({ grantee: g, actions: SECRET_READ_ACTIONS, resourceArns: [arnPattern] }));
  const addParameter = (name: SecretEnvName, arn: string) => readers.set(name, (g) => Grant.addToPrincipal({ grantee: g, actions: ['ssm:GetParameter'], resourceArns: [arn] }));

  for (const name of SECRET_ENV_NAMES) {
    const ref: SecretRef | undefined = config.secrets[name];
    if (!ref) continue;
    const id = `Secret-${name}`;
    switch (ref.kind) {
      case 'secretsmanager-arn':
        // complete (config.ts refuses a partial ARN): the grant and the lookup name exactly this secret
        addSecret(name, Secret.fromSecretCompleteArn(scope, id, ref.arn));
        arns[name] = ref.arn;
        break;
      case 'secretsmanager-name':
        // the name, never a partial ARN made of it: a name ending in -xxxxxx would be taken for a complete
        // ARN. The grant: this name and the six characters Secrets Manager appends, nothing longer.
        addSecretByName(name, stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${ref.name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
        arns[name] = ref.name;
        break;
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
