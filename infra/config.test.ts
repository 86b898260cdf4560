import { describe, expect, it } from 'vitest';
import { ENV } from '../shared/config/env-names.js';
import { InfraConfigError, lambdaSettings, parseSecretRef, playbackFormats, readConfig } from './config.js';
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
      pollerReservedConcurrency: undefined,
      importerReservedConcurrency: undefined,
      bundleAwsSdk: false,
    });
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
      pollerReservedConcurrency: '1',
      importerReservedConcurrency: '10',
      bundleAwsSdk: 'true',
      stackName: 'ScaleliteProd',
    });
    expect(config).toMatchObject({
      stackName: 'ScaleliteProd',
      domain: {
        name: 'sl.example.com',
        certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012',
        hostedZone: { id: 'Z0123456789ABC', name: 'example.com' },
      },
      recordings: true,
      cloudFront: { certificateArn: CF_CERT, priceClass: 'PriceClass_All', playbackKeyVersion: 3 },
      pollInterval: 10,
      multitenancy: true,
      secrets: { LOADBALANCER_SECRET: { kind: 'ssm-name', name: '/scalelite/lb' } },
      settings: { MAX_MEETING_DURATION: '120', DEFAULT_CREATE_PARAMS: 'record=false,muteOnStart=true' },
      logRetentionDays: 365,
      tableName: 'scalelite-prod',
      pollerReservedConcurrency: 1,
      importerReservedConcurrency: 10,
      bundleAwsSdk: true,
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
    expect(configError({ tableName: 'a' }).key).toBe('tableName');
  });
});

describe('parseSecretRef', () => {
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
