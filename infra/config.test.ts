import { describe, expect, it } from 'vitest';
import { ENV } from '../shared/config/env-names.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundling.js';
import {
  checkRegions,
  CONTEXT_KEYS,
  DEFAULT_API_THROTTLE,
  InfraConfigError,
  lambdaSettings,
  parseSecretRef,
  playbackFormats,
  POLLER_RESERVED_CONCURRENCY,
  readConfig,
} from './config.js';

/** cdk.json's context: CDK's feature flags, which every synth gets. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context;
import { LAMBDA_PLAIN_ENV_NAMES, lambdaEnvironment } from './lambda-environment.js';

const CF_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/9a8b7c6d-1111-2222-3333-444455556666';
const REGIONAL_CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';

/** Reads and returns the InfraConfigError thrown, failing when none is. */
function configError(ctx: Record<string, unknown>): InfraConfigError {
  try {
    readConfig(ctx);
  } catch (e) {
    if (e instanceof InfraConfigError) return e;
    throw e;
  }
  throw new Error(`expected an InfraConfigError for ${JSON.stringify(ctx)}`);
}

describe('readConfig (CDK context)', () => {
  it('without context: no domain, recordings behind CloudFront, the contract’s poll interval, no multitenancy, nothing configured', () => {
    expect(readConfig({ '@aws-cdk/core:target-partitions': ['aws'] })).toEqual({
      stackName: 'Scalelite',
      domain: undefined,
      recordings: true,
      cloudFront: { certificateArn: undefined, priceClass: 'PriceClass_100', playbackKeyVersion: 1 },
      pollInterval: Number(ENV.POLL_INTERVAL.default),
      multitenancy: false,
      secrets: {},
      settings: {},
      secretsKmsKeyArn: undefined,
      logRetentionDays: 30,
      alarmTopicArn: undefined,
      tableName: undefined,
      tableKmsKeyArn: undefined,
      apiThrottle: DEFAULT_API_THROTTLE,
      apiReservedConcurrency: undefined,
      // the poller's own concurrency, by default: a flood of API calls never starves polling
      pollerReservedConcurrency: POLLER_RESERVED_CONCURRENCY,
      importerReservedConcurrency: undefined,
      adminReservedConcurrency: undefined,
      // what was tested is what runs: the SDK inside the bundle
      bundleAwsSdk: true,
      lambdaRuntime: 'nodejs22.x',
      // the admin API is replayable (a signed URL stays valid): off unless asked for
      adminApi: false,
    });
    expect(POLLER_RESERVED_CONCURRENCY).toBeGreaterThanOrEqual(2); // an overlapping run is not throttled
    expect(DEFAULT_API_THROTTLE.rate).toBeLessThanOrEqual(DEFAULT_API_THROTTLE.burst);
  });

  it('reads every option, from -c strings or cdk.json values', () => {
    const config = readConfig({
      domain: 'SL.Example.com.',
      certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012',
      cloudFrontCertificateArn: CF_CERT,
      cloudFrontPriceClass: 'PriceClass_All',
      playbackKeyVersion: 3,
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com',
      pollInterval: 10,
      multitenancy: true,
      'secret.LOADBALANCER_SECRET': 'ssm:/scalelite/lb',
      'env.MAX_MEETING_DURATION': 120,
      'env.DEFAULT_CREATE_PARAMS': 'record=false,muteOnStart=true',
      logRetentionDays: '365',
      tableName: 'scalelite-prod',
      tableKmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      apiThrottleRate: 100,
      apiThrottleBurst: '300',
      apiReservedConcurrency: 200,
      pollerReservedConcurrency: '1',
      importerReservedConcurrency: '10',
      adminReservedConcurrency: '2',
      bundleAwsSdk: 'false',
      lambdaRuntime: 'nodejs24.x',
      adminApi: true,
      dnsRecords: 'false',
      stackName: 'ScaleliteProd',
    });
    expect(config).toMatchObject({
      stackName: 'ScaleliteProd',
      domain: {
        name: 'sl.example.com',
        certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012',
        hostedZone: { id: 'Z0123456789ABC', name: 'example.com' },
        dnsRecords: false,
      },
      recordings: true,
      cloudFront: { certificateArn: CF_CERT, priceClass: 'PriceClass_All', playbackKeyVersion: 3 },
      pollInterval: 10,
      multitenancy: true,
      secrets: { LOADBALANCER_SECRET: { kind: 'ssm-name', name: '/scalelite/lb' } },
      settings: { MAX_MEETING_DURATION: '120', DEFAULT_CREATE_PARAMS: 'record=false,muteOnStart=true' },
      logRetentionDays: 365,
      tableName: 'scalelite-prod',
      tableKmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      apiThrottle: { rate: 100, burst: 300 },
      apiReservedConcurrency: 200,
      pollerReservedConcurrency: 1,
      importerReservedConcurrency: 10,
      adminReservedConcurrency: 2,
      bundleAwsSdk: false,
      lambdaRuntime: 'nodejs24.x',
      adminApi: true,
    });
  });

  it('refuses a secret value in place of a reference, and a secret passed as env.*', () => {
    expect(configError({ 'secret.LOADBALANCER_SECRET': 'my-plain-secret' }).message).toMatch(/must reference a secret, never hold one/);
    expect(configError({ 'env.LOADBALANCER_SECRET': 'my-plain-secret' }).message).toMatch(/is a secret: use -c secret.LOADBALANCER_SECRET=/);
    expect(configError({ 'env.ADMIN_SECRET': 'x' }).key).toBe('env.ADMIN_SECRET');
    expect(configError({ 'secret.POLL_INTERVAL': 'ssm:/x' }).message).toMatch(/not a secret variable/);
  });

  it('refuses variables the Lambdas do not read, and those set by a typed option', () => {
    expect(configError({ 'env.MAX_MEETING_DURATIN': '1' }).message).toMatch(/not a variable the Lambdas read/);
    expect(configError({ 'env.DYNAMODB_ENDPOINT': 'http://localhost:8000' }).message).toMatch(/not a variable the Lambdas read/);
    expect(configError({ 'env.PORT': '80' }).key).toBe('env.PORT');
    expect(configError({ 'env.POLL_INTERVAL': '10' }).message).toMatch(/option pollInterval/);
    expect(configError({ 'env.MULTITENANCY_ENABLED': 'true' }).message).toMatch(/option multitenancy/);
    expect(configError({ 'env.DYNAMODB_TABLE': 'x' }).message).toMatch(/tableName/);
    expect(configError({ domain: 'sl.example.com', 'env.URL_HOST': 'other.example.com' }).key).toBe('env.URL_HOST');
    expect(readConfig({ 'env.URL_HOST': 'lb.example.org' }).settings.URL_HOST).toBe('lb.example.org');
  });

  it('checks runtime settings with the runtime’s own parser, so a bad value fails the synth', () => {
    const e = configError({ 'env.MAX_MEETING_DURATION': 'two hours' });
    expect(e.key).toBe('env.MAX_MEETING_DURATION');
    expect(e.message).toMatch(/not a number/);
    expect(configError({ 'env.LOADBALANCER_CHECKSUM_ALGORITHM': 'MD5' }).key).toBe('env.LOADBALANCER_CHECKSUM_ALGORITHM');
  });

  it('checks the domain, certificate and zone', () => {
    expect(configError({ domain: '*.sl.example.com', cloudFrontCertificateArn: CF_CERT }).message).toMatch(/give the apex/);
    expect(configError({ domain: 'https://sl.example.com' }).key).toBe('domain');
    expect(configError({ certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/abc' }).message).toMatch(/needs -c domain/);
    expect(configError({ domain: 'sl.example.com', certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }).key).toBe('certificateArn');
    expect(configError({ domain: 'sl.example.com', hostedZoneId: 'Z0123456789ABC' }).message).toMatch(/go together/);
    expect(configError({ domain: 'sl.example.com', hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.org' }).message).toMatch(/not inside the zone/);
    expect(readConfig({ domain: 'example.com', hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com', recordings: 'false' }).domain?.name).toBe('example.com');
  });

  it('with a domain and recordings: needs CloudFront’s certificate, in us-east-1, and says how to get one', () => {
    const missing = configError({ domain: 'sl.example.com' });
    expect(missing.key).toBe('cloudFrontCertificateArn');
    expect(missing.message).toMatch(/aws acm request-certificate --region us-east-1/);
    expect(missing.message).toMatch(/recordings=false/);
    const elsewhere = configError({ domain: 'sl.example.com', cloudFrontCertificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012' });
    expect(elsewhere.key).toBe('cloudFrontCertificateArn');
    expect(elsewhere.message).toMatch(/not in us-east-1.*--region us-east-1/);
    expect(configError({ domain: 'sl.example.com', cloudFrontCertificateArn: 'us-east-1-cert' }).message).toMatch(/not an ACM certificate ARN/);
    expect(configError({ cloudFrontCertificateArn: CF_CERT }).message).toMatch(/needs -c domain/);
    expect(readConfig({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT }).cloudFront?.certificateArn).toBe(CF_CERT);
    // the regional certificate of the API stays what it was
    expect(readConfig({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT, certificateArn: REGIONAL_CERT }).domain?.certificateArn).toBe(REGIONAL_CERT);
  });

  it('recordings=false: the API-only set-up — no CloudFront options, RECORDING_DISABLED set by the option', () => {
    const config = readConfig({ domain: 'sl.example.com', recordings: 'false' });
    expect(config).toMatchObject({ recordings: false, cloudFront: undefined });
    expect(lambdaSettings(config, { tableName: 't', bucketName: 'b' })).toMatchObject({ RECORDING_DISABLED: 'true', CF_KEY_PAIR_ID: '' });
    expect(lambdaSettings(readConfig({}), { tableName: 't', bucketName: 'b', keyPairId: 'K2JCJMDEHXQW5F' })).toMatchObject({ RECORDING_DISABLED: 'false', CF_KEY_PAIR_ID: 'K2JCJMDEHXQW5F' });
    for (const key of ['cloudFrontCertificateArn', 'cloudFrontPriceClass', 'playbackKeyVersion']) {
      expect(configError({ domain: 'sl.example.com', recordings: 'false', [key]: key === 'playbackKeyVersion' ? '2' : key === 'cloudFrontPriceClass' ? 'PriceClass_All' : CF_CERT }).key).toBe(key);
    }
    expect(configError({ 'env.RECORDING_DISABLED': 'true' }).message).toMatch(/set by the option recordings/);
    expect(configError({ recordings: 'no' }).key).toBe('recordings');
  });

  it('CloudFront options: price class, key version; multitenancy needs a domain; TRUST_FORWARDED_HOST is the stack’s without one', () => {
    expect(configError({ cloudFrontPriceClass: 'PriceClass_50' }).message).toMatch(/PriceClass_100, PriceClass_200, PriceClass_All/);
    expect(configError({ playbackKeyVersion: '0' }).key).toBe('playbackKeyVersion');
    expect(configError({ playbackKeyVersion: 'v2' }).key).toBe('playbackKeyVersion');
    expect(configError({ multitenancy: 'true' }).message).toMatch(/tenants are subdomains/);
    expect(readConfig({ multitenancy: 'true', recordings: 'false' }).multitenancy).toBe(true);
    expect(configError({ 'env.TRUST_FORWARDED_HOST': 'false' }).key).toBe('env.TRUST_FORWARDED_HOST');
    expect(lambdaSettings(readConfig({}), { tableName: 't', bucketName: 'b' }).TRUST_FORWARDED_HOST).toBe('true');
    const withDomain = readConfig({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT, 'env.TRUST_FORWARDED_HOST': 'true' });
    expect(lambdaSettings(withDomain, { tableName: 't', bucketName: 'b' }).TRUST_FORWARDED_HOST).toBe('true');
    expect(lambdaSettings(readConfig({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT }), { tableName: 't', bucketName: 'b' }).TRUST_FORWARDED_HOST).toBe('false');
  });

  it('the playback formats get CloudFront behaviours: none may take an API path', () => {
    expect(playbackFormats(readConfig({}))).toEqual(['presentation', 'video', 'screenshare', 'podcast', 'notes', 'capture']);
    expect(playbackFormats(readConfig({ 'env.RECORDING_PLAYBACK_FORMATS': 'presentation:video' }))).toEqual(['presentation', 'video']);
    const clash = configError({ 'env.RECORDING_PLAYBACK_FORMATS': 'presentation:playback' });
    expect(clash.key).toBe('env.RECORDING_PLAYBACK_FORMATS');
    expect(clash.message).toMatch(/playback would take \/playback\/… away from the API/);
    expect(configError({ 'env.RECORDING_PLAYBACK_FORMATS': 'bigbluebutton' }).key).toBe('env.RECORDING_PLAYBACK_FORMATS');
    expect(readConfig({ 'env.RECORDING_PLAYBACK_FORMATS': 'recording', recordings: 'false' }).recordings).toBe(false);
  });

  it('the playback signing key is the stack’s: neither secret.CF_PRIVATE_KEY_B64 nor env.CF_* are accepted', () => {
    const own = configError({ 'secret.CF_PRIVATE_KEY_B64': 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:cf-AbCdEf' });
    expect(own.key).toBe('secret.CF_PRIVATE_KEY_B64');
    expect(own.message).toMatch(/PlaybackSigningKey secret.*playbackKeyVersion/);
    expect(configError({ 'env.CF_PRIVATE_KEY_B64': 'LS0t' }).message).toMatch(/not configurable/);
    expect(configError({ 'env.CF_KEY_PAIR_ID': 'K2JCJMDEHXQW5F' }).message).toMatch(/public key of its CloudFront key group/);
  });

  it('checks numbers, booleans and ARNs', () => {
    expect(configError({ pollInterval: '0' }).key).toBe('pollInterval');
    expect(configError({ pollInterval: '1.5' }).message).toMatch(/whole number/);
    expect(configError({ multitenancy: 'yes' }).message).toMatch(/not true or false/);
    expect(configError({ logRetentionDays: '31' }).message).toMatch(/not a CloudWatch Logs retention/);
    expect(configError({ alarmTopicArn: 'ops@example.com' }).key).toBe('alarmTopicArn');
    expect(configError({ secretsKmsKeyArn: 'alias/aws/secretsmanager' }).key).toBe('secretsKmsKeyArn');
    expect(configError({ pollerReservedConcurrency: '0' }).key).toBe('pollerReservedConcurrency');
    expect(configError({ importerReservedConcurrency: '0' }).key).toBe('importerReservedConcurrency');
    expect(configError({ adminReservedConcurrency: '0' }).key).toBe('adminReservedConcurrency');
    expect(configError({ adminReservedConcurrency: 'two' }).message).toMatch(/not a whole number/);
    expect(configError({ tableName: 'a' }).key).toBe('tableName');
  });
});

describe('unknown context keys', () => {
  it('refuses a misspelt key, naming the closest known one and listing them all', () => {
    const e = configError({ pollIntervall: '30' });
    expect(e.key).toBe('pollIntervall');
    expect(e.message).toMatch(/not a setting of this app \(did you mean pollInterval\?\)/);
    for (const key of CONTEXT_KEYS) expect(e.message).toContain(key);
    expect(e.message).toContain('secret.<NAME>');
    expect(configError({ domian: 'sl.example.com' }).message).toMatch(/did you mean domain\?/);
    expect(configError({ TableName: 'x' }).message).toMatch(/did you mean tableName\?/);
    // nothing close: no guess, the list only
    expect(configError({ favouriteColour: 'blue' }).message).not.toMatch(/did you mean/);
  });

  it('accepts CDK’s own keys: cdk.json’s feature flags, what the CLI passes, cached lookups', () => {
    expect(Object.keys(CDK_JSON_CONTEXT).length).toBeGreaterThan(50);
    expect(() => readConfig(CDK_JSON_CONTEXT)).not.toThrow();
    expect(() =>
      readConfig({
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
        'aws:cdk:version-reporting': true,
        'aws:cdk:bundling-stacks': ['**'],
        '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': true,
        'acknowledged-issue-numbers': [34892],
        'cli-telemetry': false,
        'hosted-zone:account=123456789012:domainName=example.com:region=eu-central-1': { Id: '/hostedzone/Z1' },
      }),
    ).not.toThrow();
  });

  it('knows exactly the keys docs/DEPLOY.md documents', () => {
    const deploy = readFileSync(join(REPO_ROOT, 'docs', 'DEPLOY.md'), 'utf8');
    const section = deploy.slice(deploy.indexOf('## Configuration (CDK context)'), deploy.indexOf('\n## ', deploy.indexOf('## Configuration (CDK context)') + 5));
    const documented = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(documented.filter((k) => !k.includes('<')).sort()).toEqual([...CONTEXT_KEYS].sort());
    expect(documented).toEqual(expect.arrayContaining(['secret.<NAME>', 'env.<NAME>']));
  });
});

describe('the options of issue 13', () => {
  it('reserved concurrency: a whole number, none for no reservation; never 0', () => {
    expect(readConfig({ pollerReservedConcurrency: 'none' }).pollerReservedConcurrency).toBeUndefined();
    expect(readConfig({ apiReservedConcurrency: '150' }).apiReservedConcurrency).toBe(150);
    expect(readConfig({ apiReservedConcurrency: 'none' }).apiReservedConcurrency).toBeUndefined();
    expect(configError({ apiReservedConcurrency: '0' }).message).toMatch(/never answer an API call \(give none/);
    expect(configError({ pollerReservedConcurrency: '0' }).message).toMatch(/never run the poller/);
    expect(configError({ apiReservedConcurrency: 'lots' }).key).toBe('apiReservedConcurrency');
  });

  it('throttling: whole numbers of at least 1', () => {
    expect(readConfig({ apiThrottleRate: '20' }).apiThrottle).toEqual({ rate: 20, burst: DEFAULT_API_THROTTLE.burst });
    expect(configError({ apiThrottleRate: '0' }).key).toBe('apiThrottleRate');
    expect(configError({ apiThrottleBurst: '1.5' }).key).toBe('apiThrottleBurst');
  });

  it('lambdaRuntime: nodejs22.x or nodejs24.x', () => {
    expect(readConfig({ lambdaRuntime: 'nodejs24.x' }).lambdaRuntime).toBe('nodejs24.x');
    expect(configError({ lambdaRuntime: 'nodejs20.x' }).message).toMatch(/not one of nodejs22.x, nodejs24.x/);
  });

  it('adminApi: off by default, ADMIN_API_ENABLED follows it and cannot be set with env.*', () => {
    expect(lambdaSettings(readConfig({}), { tableName: 't', bucketName: 'b' })).toMatchObject({ ADMIN_API_ENABLED: 'false' });
    expect(lambdaSettings(readConfig({ adminApi: 'true' }), { tableName: 't', bucketName: 'b' })).toMatchObject({ ADMIN_API_ENABLED: 'true' });
    expect(configError({ adminApi: 'yes' }).key).toBe('adminApi');
    expect(configError({ 'env.ADMIN_API_ENABLED': 'true' }).key).toBe('env.ADMIN_API_ENABLED');
  });

  it('tableKmsKeyArn: a key ARN, not an alias', () => {
    expect(configError({ tableKmsKeyArn: 'alias/scalelite' }).key).toBe('tableKmsKeyArn');
    expect(configError({ tableKmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:alias/scalelite' }).message).toMatch(/an alias will not do/);
  });

  it('dnsRecords: only with a hosted zone', () => {
    const zone = { domain: 'sl.example.com', hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com', recordings: 'false' };
    expect(readConfig(zone).domain?.dnsRecords).toBe(true);
    expect(readConfig({ ...zone, dnsRecords: 'false' }).domain?.dnsRecords).toBe(false);
    expect(configError({ domain: 'sl.example.com', recordings: 'false', dnsRecords: 'false' }).message).toMatch(/needs -c hostedZoneId/);
    expect(configError({ dnsRecords: 'false' }).message).toMatch(/needs -c domain/);
  });
});

describe('checkRegions (the stack’s region known at synth)', () => {
  const inRegion = (ctx: Record<string, unknown>, region = 'eu-central-1') => checkRegions(readConfig(ctx), region);
  const regionError = (ctx: Record<string, unknown>, region = 'eu-central-1') => {
    try {
      inRegion(ctx, region);
    } catch (e) {
      if (e instanceof InfraConfigError) return e;
      throw e;
    }
    throw new Error('expected an InfraConfigError');
  };
  const API_ONLY = { domain: 'sl.example.com', recordings: 'false' };

  it('the API’s certificate must be in the stack’s region (regional custom domains), CloudFront’s in us-east-1', () => {
    expect(() => inRegion({ ...API_ONLY, certificateArn: REGIONAL_CERT })).not.toThrow();
    const e = regionError({ ...API_ONLY, certificateArn: CF_CERT });
    expect(e.key).toBe('certificateArn');
    expect(e.message).toMatch(/is in us-east-1, the stack in eu-central-1: API Gateway/);
    // CloudFront's certificate is in us-east-1 whatever the stack's region: not this check's business
    expect(() => inRegion({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT, certificateArn: REGIONAL_CERT })).not.toThrow();
    // in us-east-1 one certificate may serve both
    expect(() => inRegion({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT, certificateArn: CF_CERT }, 'us-east-1')).not.toThrow();
  });

  it('secret and parameter ARNs and the KMS keys must be in the stack’s region; names are looked up there', () => {
    const elsewhere = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalelite/lb-AbCdEf';
    expect(regionError({ 'secret.LOADBALANCER_SECRET': elsewhere }).key).toBe('secret.LOADBALANCER_SECRET');
    expect(regionError({ 'secret.ADMIN_SECRET': 'arn:aws:ssm:us-east-1:123456789012:parameter/scalelite/admin' }).message).toMatch(/functions read their secrets in their own region/);
    expect(regionError({ secretsKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }).key).toBe('secretsKmsKeyArn');
    expect(regionError({ tableKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }).key).toBe('tableKmsKeyArn');
    expect(() =>
      inRegion({
        'secret.LOADBALANCER_SECRET': 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf',
        'secret.LOADBALANCER_SECRETS': 'secretsmanager:scalelite/previous',
        'secret.ADMIN_SECRET': 'ssm:/scalelite/admin',
        tableKmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      }),
    ).not.toThrow();
  });
});

describe('parseSecretRef', () => {
  it('a Secrets Manager ARN must be complete; a name goes as a name, even one that looks like it has a suffix', () => {
    const partial = configError({ 'secret.LOADBALANCER_SECRET': 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb' });
    expect(partial.key).toBe('secret.LOADBALANCER_SECRET');
    expect(partial.message).toMatch(/partial Secrets Manager ARN/);
    expect(partial.message).toMatch(/--secret-id scalelite\/lb --query ARN/);
    expect(partial.message).toMatch(/secretsmanager:scalelite\/lb$/);
    expect(parseSecretRef('k', 'secretsmanager:scalelite/lb-secret')).toEqual({ kind: 'secretsmanager-name', name: 'scalelite/lb-secret' });
  });

  it('accepts Secrets Manager and SSM references in four forms', () => {
    const sm = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf';
    const ssm = 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/lb';
    expect(parseSecretRef('k', sm)).toEqual({ kind: 'secretsmanager-arn', arn: sm });
    expect(parseSecretRef('k', ssm)).toEqual({ kind: 'ssm-arn', arn: ssm });
    expect(parseSecretRef('k', 'ssm:/scalelite/lb')).toEqual({ kind: 'ssm-name', name: '/scalelite/lb' });
    expect(parseSecretRef('k', 'secretsmanager:scalelite/lb')).toEqual({ kind: 'secretsmanager-name', name: 'scalelite/lb' });
  });
});

describe('the Lambda environment', () => {
  it('is every plain variable of the contract, with the options applied, and secrets as <NAME>_ARN', () => {
    const config = readConfig({ domain: 'sl.example.com', cloudFrontCertificateArn: CF_CERT, pollInterval: '15', multitenancy: 'true', 'env.LOG_LEVEL': 'warn' });
    const settings = lambdaSettings(config, { tableName: 'the-table', bucketName: 'the-bucket' });
    expect(Object.keys(settings).sort()).toEqual([...LAMBDA_PLAIN_ENV_NAMES].sort());
    const env = lambdaEnvironment(settings, { LOADBALANCER_SECRET: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:lb-AbCdEf' });
    expect(env).toMatchObject({
      URL_HOST: 'sl.example.com',
      POLL_INTERVAL: '15',
      MULTITENANCY_ENABLED: 'true',
      LOG_LEVEL: 'warn',
      DYNAMODB_TABLE: 'the-table',
      S3_BUCKET_NAME: 'the-bucket',
      CONNECT_TIMEOUT: ENV.CONNECT_TIMEOUT.default,
      LOADBALANCER_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:lb-AbCdEf',
    });
    for (const local of ['PORT', 'BIND', 'DATA_DIR', 'DYNAMODB_ENDPOINT', 'S3_ENDPOINT', 'LOADBALANCER_SECRET']) expect(env).not.toHaveProperty(local);
  });

  it('points the Lambdas at the stack’s table and bucket: neither can be set with env.<NAME>, nor a local endpoint', () => {
    expect(configError({ 'env.DYNAMODB_TABLE': 'x' }).message).toMatch(/set by the option tableName/);
    expect(configError({ 'env.S3_BUCKET_NAME': 'my-bucket' }).message).toMatch(/recordings bucket is always used/);
    expect(configError({ 'env.S3_ENDPOINT': 'http://127.0.0.1:9000' }).message).toMatch(/not a variable the Lambdas read/);
    expect(configError({ 'env.DATA_DIR': '/srv/data' }).message).toMatch(/not a variable the Lambdas read/);
  });
});
