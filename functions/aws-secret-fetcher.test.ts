import { describe, expect, it } from 'vitest';
import { awsSecretFetcher, type ModuleLoader } from './aws-secret-fetcher.js';

const SM_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf';
const SSM_ARN = 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/lb';

/** Stand-ins for the two SDK modules the Lambda runtime provides, recording what they are asked. */
function fakeSdk(answers: { secretString?: string; parameterValue?: string }) {
  const sent: { client: string; command: string; input: unknown }[] = [];
  const loaded: string[] = [];
  const clientsMade: string[] = [];
  const clientClass = (name: string) =>
    class {
      constructor() {
        clientsMade.push(name);
      }
      async send(command: { name: string; input: unknown }) {
        sent.push({ client: name, command: command.name, input: command.input });
        return command.name === 'GetSecretValue' ? { SecretString: answers.secretString } : { Parameter: { Value: answers.parameterValue } };
      }
    };
  const commandClass = (name: string) =>
    class {
      readonly name = name;
      constructor(readonly input: unknown) {}
    };
  const load: ModuleLoader = async (specifier) => {
    loaded.push(specifier);
    if (specifier === '@aws-sdk/client-secrets-manager') {
      return { SecretsManagerClient: clientClass('SecretsManager'), GetSecretValueCommand: commandClass('GetSecretValue') };
    }
    if (specifier === '@aws-sdk/client-ssm') return { SSMClient: clientClass('SSM'), GetParameterCommand: commandClass('GetParameter') };
    throw new Error(`unexpected import ${specifier}`);
  };
  return { sent, loaded, clientsMade, load };
}

describe('awsSecretFetcher', () => {
  it('reads a Secrets Manager secret by its ARN', async () => {
    const sdk = fakeSdk({ secretString: 'lb-secret' });
    expect(await awsSecretFetcher(sdk.load)(SM_ARN)).toBe('lb-secret');
    expect(sdk.loaded).toEqual(['@aws-sdk/client-secrets-manager']);
    expect(sdk.sent).toEqual([{ client: 'SecretsManager', command: 'GetSecretValue', input: { SecretId: SM_ARN } }]);
  });

  it('reads an SSM parameter by its ARN, decrypted', async () => {
    const sdk = fakeSdk({ parameterValue: 'from-ssm' });
    expect(await awsSecretFetcher(sdk.load)(SSM_ARN)).toBe('from-ssm');
    expect(sdk.loaded).toEqual(['@aws-sdk/client-ssm']);
    expect(sdk.sent).toEqual([{ client: 'SSM', command: 'GetParameter', input: { Name: SSM_ARN, WithDecryption: true } }]);
  });

  it('makes one client per service', async () => {
    const sdk = fakeSdk({ secretString: 's' });
    const fetch = awsSecretFetcher(sdk.load);
    await Promise.all([fetch(SM_ARN), fetch(`${SM_ARN}x`)]);
    expect(sdk.clientsMade).toEqual(['SecretsManager']);
  });

  it('reads a Secrets Manager secret by its name, as the stack passes a name (never a guessed partial ARN)', async () => {
    const sdk = fakeSdk({ secretString: 'by-name' });
    expect(await awsSecretFetcher(sdk.load)('scalelite/lb-secret')).toBe('by-name');
    expect(sdk.sent).toEqual([{ client: 'SecretsManager', command: 'GetSecretValue', input: { SecretId: 'scalelite/lb-secret' } }]);
  });

  it('rejects anything that is neither a Secrets Manager or SSM ARN nor a secret name, loading nothing', async () => {
    const sdk = fakeSdk({});
    await expect(awsSecretFetcher(sdk.load)('arn:aws:s3:::bucket/key')).rejects.toThrow(/not the ARN/);
    await expect(awsSecretFetcher(sdk.load)('plain text with spaces')).rejects.toThrow(/not the ARN/);
    await expect(awsSecretFetcher(sdk.load)('')).rejects.toThrow(/not the ARN/);
    expect(sdk.loaded).toEqual([]);
  });

  it('a binary secret is an error, not an empty secret', async () => {
    const sdk = fakeSdk({});
    await expect(awsSecretFetcher(sdk.load)(SM_ARN)).rejects.toThrow(/SecretString/);
  });
});
