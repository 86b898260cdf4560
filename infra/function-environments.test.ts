/**
 * Every deployed function starts by parsing its environment (`functions/deps.ts`: the secrets it has
 * `<NAME>_ARN` for are fetched, then `parseConfig`). These tests run that parse on the environment each
 * function gets in the template — the CloudFormation references replaced by values of their kind, each
 * secret by a value — so an environment a Lambda would refuse at its cold start fails here instead.
 * Templates without bundling (the code is not what is checked).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../shared/config/parse-config.js';
import { templateWithoutBundling } from './synth-for-test.js';

/** What CloudFormation puts in for the references the stack passes (the table's name, the bucket's, the public key's id). */
const RESOLVED: Record<string, string> = {
  DYNAMODB_TABLE: 'Scalelite-Table-1A2B3C4D5E6F',
  S3_BUCKET_NAME: 'scalelite-recordings-123456789012-eu-central-1-an',
  CF_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
};

const PLAYBACK_KEY_B64 = Buffer.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).toString('base64');

/** The environment a function has once running: references resolved, each `<NAME>_ARN` replaced by `<NAME>`'s value. */
function runtimeEnvironment(variables: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    if (name.endsWith('_ARN')) {
      const secret = name.slice(0, -'_ARN'.length);
      env[secret] = secret === 'CF_PRIVATE_KEY_B64' ? PLAYBACK_KEY_B64 : `value-of-${secret.toLowerCase()}`;
    } else if (typeof value === 'string') {
      env[name] = value;
    } else {
      expect(RESOLVED, `${name} is a reference this test does not know`).toHaveProperty(name);
      env[name] = RESOLVED[name];
    }
  }
  return env;
}

const FULL = {
  domain: 'sl.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  cloudFrontCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/9a8b7c6d-1111-2222-3333-444455556666',
  multitenancy: 'true',
  'secret.LOADBALANCER_SECRET': 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf',
  'secret.LOADBALANCER_SECRETS': 'ssm:/scalelite/previous-secrets',
  'secret.ADMIN_SECRET': 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/admin',
};

describe('the functions’ environments', () => {
  it('are accepted by the runtime’s parseConfig, for every function of every set-up', () => {
    const cases = [
      ['recordings behind CloudFront, nothing configured', {}, ['Admin', 'Api', 'Importer', 'Poller']],
      ['a domain, multitenancy, the LB and admin secrets configured', FULL, ['Admin', 'Api', 'Importer', 'Poller']],
      ['the API-only set-up', { recordings: 'false' }, ['Admin', 'Api', 'Poller']],
    ] as const;
    const withAdminApi = templateWithoutBundling({ recordings: 'false', adminApi: 'true' }).template;
    for (const [id, f] of Object.entries(withAdminApi.findResources('AWS::Lambda::Function') as Record<string, { Properties: Record<string, any> }>)) {
      if (/^(Api|Poller|Admin)Function/.test(id)) expect(parseConfig(runtimeEnvironment(f.Properties.Environment.Variables)).adminApiEnabled, id).toBe(true);
    }
    for (const [setUp, context, expected] of cases) {
      const { template } = templateWithoutBundling(context);
      const functions = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, { Properties: Record<string, any> }>).flatMap(([id, f]) => {
        const which = /^(Api|Poller|Importer|Admin)Function/.exec(id)?.[1];
        return which ? [[which, f.Properties.Environment.Variables as Record<string, unknown>] as const] : [];
      });
      expect(functions.map(([which]) => which).sort(), setUp).toEqual(expected);
      for (const [which, variables] of functions) {
        const env = runtimeEnvironment(variables);
        expect(() => parseConfig(env), `${which} (${setUp})`).not.toThrow();
        // the playback key's id goes with the key only: the API signs cookies, no other function does
        const config = parseConfig(env);
        expect(config.cfKeyPairId !== '', `${which} (${setUp}) signs playback cookies`).toBe(which === 'Api' && context !== cases[2][1]);
        // the public admin API stays off on AWS unless -c adminApi=true (the runtime's own default is on)
        expect(config.adminApiEnabled, `${which} (${setUp}) serves the admin API`).toBe(false);
      }
    }
  }, 60_000);
});
