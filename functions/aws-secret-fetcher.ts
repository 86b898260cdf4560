import type { SecretFetcher } from '../shared/config/secret-env.js';

/**
 * Reads a secret value from Secrets Manager (`arn:…:secretsmanager:…`, or a secret's name) or SSM Parameter Store
 * (`arn:…:ssm:…:parameter/…`, SecureString decrypted). The SDK clients are not dependencies of the
 * project: the Lambda Node.js 22 runtime provides them, the bundle marks them external, and they are
 * imported on first use only — a cold start without `<NAME>_ARN` variables loads neither.
 */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

interface SdkClient {
  send(command: unknown): Promise<unknown>;
}
type ClientCtor = new (config: object) => SdkClient;
type CommandCtor = new (input: object) => unknown;

// A non-literal specifier: TypeScript does not look for the (absent) types, esbuild leaves the import to the runtime.
const runtimeImport: ModuleLoader = (specifier) => import(specifier);

export function awsSecretFetcher(load: ModuleLoader = runtimeImport): SecretFetcher {
  const clients = new Map<string, SdkClient>();
  const client = (specifier: string, Ctor: ClientCtor) => {
    let c = clients.get(specifier);
    if (!c) clients.set(specifier, (c = new Ctor({})));
    return c;
  };
  return async (arn) => {
    // a Secrets Manager secret given by its name (`-c secret.X=secretsmanager:<name>`: the stack passes the
    // name, never a guessed partial ARN, which GetSecretValue would take for a different secret)
    const service = arn.startsWith('arn:') ? /^arn:[^:]+:([^:]+):/.exec(arn)?.[1] : /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(arn) ? 'secretsmanager' : undefined;
    if (service === 'secretsmanager') {
      const specifier = '@aws-sdk/client-secrets-manager';
      const sdk = (await load(specifier)) as { SecretsManagerClient: ClientCtor; GetSecretValueCommand: CommandCtor };
      const out = (await client(specifier, sdk.SecretsManagerClient).send(new sdk.GetSecretValueCommand({ SecretId: arn }))) as { SecretString?: string };
      if (out.SecretString === undefined) throw new Error('the secret has no SecretString (binary secrets are not supported)');
      return out.SecretString;
    }
    if (service === 'ssm') {
      const specifier = '@aws-sdk/client-ssm';
      const sdk = (await load(specifier)) as { SSMClient: ClientCtor; GetParameterCommand: CommandCtor };
      const out = (await client(specifier, sdk.SSMClient).send(new sdk.GetParameterCommand({ Name: arn, WithDecryption: true }))) as {
        Parameter?: { Value?: string };
      };
      if (out.Parameter?.Value === undefined) throw new Error('the parameter has no value');
      return out.Parameter.Value;
    }
    throw new Error('not the ARN of a Secrets Manager secret or an SSM parameter, nor the name of a secret');
  };
}
