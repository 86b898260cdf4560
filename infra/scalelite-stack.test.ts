/**
 * Template tests of the whole stack, synthesized as `cdk synth` does it (esbuild bundling, the
 * CloudFormation validator of aws-cdk-lib, cdk-nag AwsSolutions): once with a full configuration
 * (custom domain in a Route 53 zone, secrets in Secrets Manager and SSM, alarms to a topic) and once
 * with none (generated secrets, no domain).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_LAMBDA_TIMEOUT_SECONDS } from '../functions/poller/poller-handler.js';
import { ENV } from '../shared/config/env-names.js';
import { parseConfig } from '../shared/config/parse-config.js';
import { SECRET_ENV_NAMES, secretRefEnvName } from '../shared/config/secret-env.js';
import { GSI1, GSI2, keys } from '../shared/store/keys.js';
import { tableDefinition } from '../shared/store/table-schema.js';
import { LAMBDA_PLAIN_ENV_NAMES, LOCAL_ONLY_ENV_NAMES } from './lambda-environment.js';
import { GENERATED_SECRETS } from './secret-sources.js';
import { synthesize } from './synth-for-test.js';
import { TABLE_LOGICAL_ID } from './table.js';

const LB_SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf';
const ADMIN_PARAMETER_ARN = 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/admin';
const KMS_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-central-1:123456789012:scalelite-ops';

const FULL_CONTEXT = {
  domain: 'sl.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  multitenancy: 'true',
  pollInterval: '10',
  'secret.LOADBALANCER_SECRET': LB_SECRET_ARN,
  'secret.LOADBALANCER_SECRETS': 'ssm:/scalelite/previous-secrets',
  'secret.ADMIN_SECRET': ADMIN_PARAMETER_ARN,
  secretsKmsKeyArn: KMS_KEY_ARN,
  alarmTopicArn: TOPIC_ARN,
  logRetentionDays: '90',
  'env.MAX_MEETING_DURATION': '240',
};

/** The API function's bundle, found through the asset manifest. */
function apiBundle(s: Synth): string {
  const manifest = JSON.parse(readFileSync(join(s.outdir, `${s.stack.artifactId}.assets.json`), 'utf8'));
  const [, api] = fn(s.template, 'Api');
  const bundle = join(s.outdir, manifest.files[api.Properties.Code.S3Key.replace(/\.zip$/, '')].source.path, 'index.mjs');
  expect(existsSync(bundle)).toBe(true);
  return readFileSync(bundle, 'utf8');
}

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Synth = ReturnType<typeof synthesize>;

const CERTIFICATE_ARN = 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';

let full: Synth;
let bare: Synth;
/** An existing certificate, DNS outside Route 53, the AWS SDK bundled. */
let ownCertificate: Synth;

beforeAll(() => {
  full = synthesize(FULL_CONTEXT);
  bare = synthesize();
  ownCertificate = synthesize({ domain: 'sl.example.com', certificateArn: CERTIFICATE_ARN, bundleAwsSdk: 'true' });
}, 180_000);

const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const only = (t: Template, type: string): [string, Resource] => {
  const found = resources(t, type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
/** The Lambda function resources keyed by role: the construct ids are ApiFunction / PollerFunction. */
const fn = (t: Template, which: 'Api' | 'Poller'): [string, Resource] => {
  const found = resources(t, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(`${which}Function`));
  expect(found).toHaveLength(1);
  return found[0];
};
const policyOf = (t: Template, which: 'Api' | 'Poller') => {
  const [, role] = fn(t, which);
  const roleId = role.Properties.Role['Fn::GetAtt'][0];
  const policies = resources(t, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  return { roleId, statements: policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]) };
};

describe('synthesis', () => {
  it('passes the CloudFormation validator of aws-cdk-lib and cdk-nag AwsSolutions, every acknowledged finding with a reason', () => {
    for (const { report, cfnValidation } of [full, bare]) {
      // the validator ran on the template and found nothing, not even a warning
      expect(cfnValidation).toHaveLength(1);
      expect(cfnValidation[0]).toMatchObject({ success: true, violations: [] });
      expect(report.pluginReports.map((p) => p.pluginName)).toEqual(['AwsSolutions']);
      for (const plugin of report.pluginReports) {
        expect(plugin.violations, plugin.pluginName).toEqual([]);
        expect(plugin.conclusion).toBe('success');
        for (const s of plugin.suppressedViolations ?? []) expect(s.reason?.length, s.ruleName).toBeGreaterThan(40);
      }
    }
  });

  it('acknowledges only the expected cdk-nag rules', () => {
    const acknowledged = (s: Synth) =>
      [...new Set(s.report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).map((v) => v.ruleName)))].sort();
    expect(acknowledged(bare)).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]', 'AwsSolutions-L1', 'AwsSolutions-SMG4']);
    expect(acknowledged(full)).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]', 'AwsSolutions-L1']);
  });
});

describe('the table', () => {
  it('has the keys, attribute types and GSIs of the store’s tableDefinition', () => {
    const def = tableDefinition('x');
    const [, table] = only(full.template, 'AWS::DynamoDB::Table');
    const p = table.Properties;
    expect(p.KeySchema).toEqual(def.KeySchema);
    expect([...p.AttributeDefinitions].sort((a: any, b: any) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...def.AttributeDefinitions!].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)),
    );
    const byName = (list: any[]) => [...list].sort((a, b) => a.IndexName.localeCompare(b.IndexName));
    expect(byName(p.GlobalSecondaryIndexes)).toEqual(byName(def.GlobalSecondaryIndexes!));
  });

  it('serves every key the store’s key builders write: pk/sk on the table, gsi1*/gsi2* on the indexes the repositories query', () => {
    const [, table] = only(full.template, 'AWS::DynamoDB::Table');
    const pair = (schema: any[]) => schema.map((k) => k.AttributeName).join('+');
    const schemas = new Map<string, string>([[pair(table.Properties.KeySchema), '(table)']]);
    for (const gsi of table.Properties.GlobalSecondaryIndexes) schemas.set(pair(gsi.KeySchema), gsi.IndexName);
    expect(schemas.get('gsi1pk+gsi1sk')).toBe(GSI1);
    expect(schemas.get('gsi2pk+gsi2sk')).toBe(GSI2);
    for (const [name, build] of Object.entries(keys)) {
      const out = (build as (...a: string[]) => unknown)('a', 'b');
      if (typeof out !== 'object' || out === null) continue; // partition-value builders
      expect(schemas.has(Object.keys(out).join('+')), `keys.${name} → ${Object.keys(out).join(', ')}`).toBe(true);
    }
  });

  it('is on-demand, with point-in-time recovery, deletion protection, TTL on expiresAt, and retained', () => {
    const [id, table] = only(full.template, 'AWS::DynamoDB::Table');
    expect(id).toBe(TABLE_LOGICAL_ID);
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(table.Properties.TableName).toBeUndefined(); // CloudFormation names it: two stacks can live in one account
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('keeps its pinned logical id, as do the generated secrets', () => {
    expect(full.template.toJSON().Resources.Table.Type).toBe('AWS::DynamoDB::Table');
    for (const { logicalId } of Object.values(GENERATED_SECRETS)) {
      expect(bare.template.toJSON().Resources[logicalId]).toMatchObject({ Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain' });
    }
  });
});

describe('the functions', () => {
  it('run Node.js 22 on arm64 from an esbuild ESM bundle, handler index.handler', () => {
    for (const which of ['Api', 'Poller'] as const) {
      const [, f] = fn(full.template, which);
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
  });

  it('are bundled minified ESM that leave @aws-sdk to the runtime and import no secret client up front', () => {
    const code = apiBundle(full);
    expect(code.startsWith('import{createRequire')).toBe(true);
    expect(code).toMatch(/from"@aws-sdk\/client-dynamodb"/); // external, resolved in the runtime
    expect(code).not.toMatch(/from\s*"@aws-sdk\/client-(secrets-manager|ssm)"/); // only imported on demand, by the runtime
    expect(code.split('\n').length).toBeLessThan(50); // minified
    expect(Buffer.byteLength(code)).toBeLessThan(300 * 1024);
  });

  it('with bundleAwsSdk: the SDK inside, with Lambda’s environment credentials instead of the default chain', () => {
    const code = apiBundle(ownCertificate);
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
    expect(code).toContain('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set'); // functions/lambda-credentials.ts
    expect(code).not.toMatch(/fromIni|SSOOIDC|AWS_WEB_IDENTITY_TOKEN_FILE/);
    expect(code).not.toMatch(/from\s*"@aws-sdk\/client-(secrets-manager|ssm)"/);
  });

  it('get exactly the environment the runtime reads: the contract minus local-only variables, secrets only by reference', () => {
    // what parseConfig actually reads, recorded
    const read = new Set<string>();
    parseConfig(new Proxy({}, { get: (_t, name) => (read.add(String(name)), undefined) }));
    expect([...read].filter((n) => !(n in ENV))).toEqual([]); // the contract names everything the runtime reads
    const plain = Object.keys(ENV).filter((n) => !SECRET_ENV_NAMES.includes(n as never) && !(LOCAL_ONLY_ENV_NAMES as readonly string[]).includes(n));
    expect([...LAMBDA_PLAIN_ENV_NAMES].sort()).toEqual(plain.sort());

    // full: every secret configured; bare: the generated ones (LOADBALANCER_SECRETS stays unset)
    for (const [s, secrets] of [
      [full, SECRET_ENV_NAMES],
      [bare, Object.keys(GENERATED_SECRETS)],
    ] as const) {
      const apiEnv = fn(s.template, 'Api')[1].Properties.Environment.Variables;
      const pollerEnv = fn(s.template, 'Poller')[1].Properties.Environment.Variables;
      expect(Object.keys(apiEnv).sort()).toEqual([...plain, ...secrets.map((n) => secretRefEnvName(n as never))].sort());
      expect(Object.keys(pollerEnv).sort()).toEqual([...plain].sort());
      for (const name of [...SECRET_ENV_NAMES, ...LOCAL_ONLY_ENV_NAMES]) {
        expect(apiEnv).not.toHaveProperty(name);
        expect(pollerEnv).not.toHaveProperty(name);
      }
    }
  });

  it('get the configured values, the contract’s defaults for the rest, and the stack’s table', () => {
    const apiEnv = fn(full.template, 'Api')[1].Properties.Environment.Variables;
    expect(apiEnv).toMatchObject({
      URL_HOST: 'sl.example.com',
      MULTITENANCY_ENABLED: 'true',
      POLL_INTERVAL: '10',
      MAX_MEETING_DURATION: '240',
      DYNAMODB_TABLE: { Ref: 'Table' },
      LOADBALANCER_CHECKSUM_ALGORITHM: ENV.LOADBALANCER_CHECKSUM_ALGORITHM.default,
      REGISTRY_TTL: ENV.REGISTRY_TTL.default,
      LOADBALANCER_SECRET_ARN: LB_SECRET_ARN,
      ADMIN_SECRET_ARN: ADMIN_PARAMETER_ARN,
      LOADBALANCER_SECRETS_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/scalelite/previous-secrets']] },
    });
    const bareEnv = fn(bare.template, 'Api')[1].Properties.Environment.Variables;
    expect(bareEnv).toMatchObject({ URL_HOST: '', MULTITENANCY_ENABLED: 'false', POLL_INTERVAL: '60', LOADBALANCER_SECRET_ARN: { Ref: 'LoadBalancerSecret' }, ADMIN_SECRET_ARN: { Ref: 'AdminSecret' } });
  });

  it('never carry a secret value: generated secrets are generated by Secrets Manager', () => {
    for (const [, secret] of resources(bare.template, 'AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    }
    expect(resources(full.template, 'AWS::SecretsManager::Secret')).toEqual([]); // all configured: nothing generated
  });

  it('log to their own log groups; every log group has the configured retention and is kept', () => {
    for (const which of ['Api', 'Poller'] as const) {
      const logGroup = fn(full.template, which)[1].Properties.LoggingConfig.LogGroup.Ref;
      expect(full.template.toJSON().Resources[logGroup].Type).toBe('AWS::Logs::LogGroup');
    }
    const groups = resources(full.template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(3); // api, poller, HTTP API access logs
    for (const [, g] of groups) {
      expect(g.Properties.RetentionInDays).toBe(90);
      expect(g.DeletionPolicy).toBe('Retain');
    }
    for (const [, g] of resources(bare.template, 'AWS::Logs::LogGroup')) expect(g.Properties.RetentionInDays).toBe(30);
  });
});

describe('least privilege', () => {
  const DATA_ACTIONS = [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ];
  const tableResources = [{ 'Fn::GetAtt': ['Table', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] }];
  const logStatement = (t: Template, which: 'Api' | 'Poller') => ({
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [fn(t, which)[1].Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
  });

  it('the API function: its log group, the table and its indexes, and the configured secrets — nothing else', () => {
    const { statements } = policyOf(full.template, 'Api');
    expect(statements).toEqual([
      logStatement(full.template, 'Api'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: LB_SECRET_ARN },
      {
        Action: 'ssm:GetParameter',
        Effect: 'Allow',
        Resource: [
          ADMIN_PARAMETER_ARN,
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/scalelite/previous-secrets']] },
        ],
      },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY_ARN },
    ]);
  });

  it('the API function reads the generated secrets when none are configured', () => {
    const { statements } = policyOf(bare.template, 'Api');
    expect(statements.slice(2)).toEqual([
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: [{ Ref: 'AdminSecret' }, { Ref: 'LoadBalancerSecret' }].sort((a, b) => (a.Ref < b.Ref ? -1 : 1)) },
    ]);
  });

  it('the poller: its log group and the table — no secret', () => {
    for (const t of [full.template, bare.template]) {
      expect(policyOf(t, 'Poller').statements).toEqual([logStatement(t, 'Poller'), { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources }]);
    }
  });

  it('roles are assumable by Lambda only and carry no managed policy; no statement allows "*"', () => {
    for (const [, role] of resources(full.template, 'AWS::IAM::Role')) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    expect(JSON.stringify(full.template.findResources('AWS::IAM::Policy'))).not.toMatch(/"Resource":"\*"|"Action":"\*"|:\*"/);
  });
});

describe('the HTTP API', () => {
  it('is an HTTP API (v2) whose $default route proxies everything to the API function with payload format 2.0', () => {
    const [apiId, api] = only(full.template, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties.ProtocolType).toBe('HTTP');
    const [integrationId, integration] = only(full.template, 'AWS::ApiGatewayV2::Integration');
    expect(integration.Properties).toMatchObject({
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fn(full.template, 'Api')[0], 'Arn'] },
    });
    const [, route] = only(full.template, 'AWS::ApiGatewayV2::Route');
    expect(route.Properties).toMatchObject({ RouteKey: '$default', Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] } });
    full.template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
  });

  it('has an auto-deployed $default stage with JSON access logs that never contain the query string', () => {
    const [, stage] = only(full.template, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/querystring|rawQuery|\$request\.querystring/i);
  });

  it('serves the apex and the wildcard custom domain, both mapped to the stage, with one certificate for both', () => {
    const domains = resources(full.template, 'AWS::ApiGatewayV2::DomainName');
    expect(domains.map(([, d]) => d.Properties.DomainName).sort()).toEqual(['*.sl.example.com', 'sl.example.com']);
    const [certId, cert] = only(full.template, 'AWS::CertificateManager::Certificate');
    expect(cert.Properties).toMatchObject({
      DomainName: 'sl.example.com',
      SubjectAlternativeNames: ['*.sl.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'sl.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    for (const [, d] of domains) {
      expect(d.Properties.DomainNameConfigurations).toEqual([{ CertificateArn: { Ref: certId }, EndpointType: 'REGIONAL', IpAddressType: 'dualstack', SecurityPolicy: 'TLS_1_2' }]);
    }
    const [apiId] = only(full.template, 'AWS::ApiGatewayV2::Api');
    const [stageId] = only(full.template, 'AWS::ApiGatewayV2::Stage');
    const mappings = resources(full.template, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mappings.map(([, m]) => m.Properties.DomainName.Ref).sort()).toEqual(domains.map(([id]) => id).sort());
    for (const [id, m] of mappings) {
      expect(m.Properties).toMatchObject({ ApiId: { Ref: apiId }, Stage: '$default' });
      expect(full.template.toJSON().Resources[id].DependsOn).toContain(stageId); // created after the stage
    }
  });

  it('gets A and AAAA alias records for the apex and the wildcard in the hosted zone', () => {
    const records = resources(full.template, 'AWS::Route53::RecordSet').map(([, r]) => `${r.Properties.Type} ${r.Properties.Name}`);
    expect(records.sort()).toEqual(['A *.sl.example.com.', 'A sl.example.com.', 'AAAA *.sl.example.com.', 'AAAA sl.example.com.']);
    for (const [, r] of resources(full.template, 'AWS::Route53::RecordSet')) {
      expect(r.Properties.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
      expect(r.Properties.AliasTarget.DNSName['Fn::GetAtt'][1]).toBe('RegionalDomainName');
    }
  });

  it('with an existing certificate and DNS elsewhere: that certificate on both domains, no record, the DNS targets as outputs', () => {
    const t = ownCertificate.template;
    t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    const domains = resources(t, 'AWS::ApiGatewayV2::DomainName');
    expect(domains.map(([, d]) => d.Properties.DomainName).sort()).toEqual(['*.sl.example.com', 'sl.example.com']);
    for (const [, d] of domains) expect(d.Properties.DomainNameConfigurations[0].CertificateArn).toBe(CERTIFICATE_ARN);
    for (const output of ['DnsTargetApex', 'DnsTargetWildcard']) t.hasOutput(output, { Value: { 'Fn::GetAtt': [Match.anyValue(), 'RegionalDomainName'] } });
    t.hasOutput('BbbApiUrl', { Value: 'https://sl.example.com/bigbluebutton/api' });
    expect(ownCertificate.cfnValidation[0]).toMatchObject({ success: true, violations: [] });
    expect(ownCertificate.report.pluginReports.every((p) => p.conclusion === 'success' && p.violations.length === 0)).toBe(true);
  });

  it('without a domain: only the API’s own endpoint, no certificate, domain or record', () => {
    for (const type of ['AWS::CertificateManager::Certificate', 'AWS::ApiGatewayV2::DomainName', 'AWS::ApiGatewayV2::ApiMapping', 'AWS::Route53::RecordSet']) {
      bare.template.resourceCountIs(type, 0);
    }
    bare.template.hasOutput('BbbApiUrl', { Value: { 'Fn::Join': ['', [Match.anyValue(), '/bigbluebutton/api']] } });
  });
});

describe('the poller schedule', () => {
  it('starts the poller every minute, without retries, allowed by a permission for this rule only', () => {
    const [ruleId, rule] = only(full.template, 'AWS::Events::Rule');
    const [pollerId] = fn(full.template, 'Poller');
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [pollerId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } }],
    });
    full.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [pollerId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('gives the poller the timeout its window needs and no async retries', () => {
    const [pollerId, poller] = fn(full.template, 'Poller');
    expect(poller.Properties.Timeout).toBeGreaterThanOrEqual(MIN_LAMBDA_TIMEOUT_SECONDS);
    full.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: pollerId }, MaximumRetryAttempts: 0 });
    expect(fn(full.template, 'Api')[1].Properties.Timeout).toBeLessThanOrEqual(29);
  });
});

describe('alarms', () => {
  it('watch API 5xx, API throttles, poller errors, duration, throttles and silence, notifying the topic', () => {
    const alarms = resources(full.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const [apiId] = only(full.template, 'AWS::ApiGatewayV2::Api');
    const [apiFnId] = fn(full.template, 'Api');
    const [pollerId] = fn(full.template, 'Poller');
    const metric = (ns: string, name: string, dim: unknown) =>
      alarms.find((a) => a.Namespace === ns && a.MetricName === name && JSON.stringify(a.Dimensions).includes(JSON.stringify(dim)));
    expect(metric('AWS/ApiGateway', '5xx', { Ref: apiId })).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(metric('AWS/Lambda', 'Throttles', { Ref: apiFnId })).toBeDefined();
    expect(metric('AWS/Lambda', 'Errors', { Ref: pollerId })).toMatchObject({ Threshold: 1 });
    expect(metric('AWS/Lambda', 'Duration', { Ref: pollerId })).toMatchObject({ Statistic: 'Maximum' });
    expect(metric('AWS/Lambda', 'Throttles', { Ref: pollerId })).toBeDefined();
    expect(metric('AWS/Lambda', 'Invocations', { Ref: pollerId })).toMatchObject({ ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(alarms).toHaveLength(6);
    for (const a of alarms) expect(a.AlarmActions).toEqual([TOPIC_ARN]);
    for (const [, a] of resources(bare.template, 'AWS::CloudWatch::Alarm')) expect(a.Properties.AlarmActions).toBeUndefined();
  });
});
