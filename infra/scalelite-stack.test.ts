/**
 * Template tests of the whole stack, synthesized as `cdk synth` does it (esbuild bundling, the
 * CloudFormation validator of aws-cdk-lib, cdk-nag AwsSolutions), three times (each synth bundles the
 * Lambdas): `full` — custom domain in a Route 53 zone, CloudFront with its us-east-1 certificate,
 * secrets in Secrets Manager (by ARN and by name) and SSM, customer-managed keys for the secrets and the
 * table, the admin API on, reserved concurrency, alarms to a topic; `bare` — nothing configured (generated
 * secrets, recordings behind CloudFront's own name, the AWS SDK bundled); `ownCertificate` — an existing
 * certificate, DNS elsewhere, -c recordings=false (the API-only set-up), a fixed table name, the AWS SDK
 * left to the runtime. Other variants are checked on templates without bundling.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_LAMBDA_TIMEOUT_SECONDS } from '../functions/poller/poller-handler.js';
import { RETENTION_JOB } from '../shared/app/recording-retention.js';
import { ENV } from '../shared/config/env-names.js';
import { parseConfig } from '../shared/config/parse-config.js';
import { SECRET_ENV_NAMES, secretRefEnvName } from '../shared/config/secret-env.js';
import { RECORDING_NOT_FOUND_PATH } from '../shared/domain/recording-not-found.js';
import { GSI1, GSI2, keys } from '../shared/store/keys.js';
import { commands } from '../cli/commands/index.js';
import { LOCAL_ONLY_TASKS, taskNames } from '../functions/admin/admin-handler.js';
import { tableDefinition } from '../shared/store/table-schema.js';
import { forwardedHostFunctionCode, recordingFilesFunctionCode } from './edge-functions.js';
import { NAME_LOGICAL_IDS } from './http-api.js';
import { DISTRIBUTION_LOGICAL_ID } from './recordings-distribution.js';
import { POLLER_THROTTLE_ALARM } from './alarms.js';
import { ADMIN_MEMORY_MB, ADMIN_SECRETS, ADMIN_TIMEOUT, OPERATOR_ACTION, operatorPolicyName } from './admin-function.js';
import { IMPORT_FAILURES_RETENTION, IMPORT_MAX_EVENT_AGE, IMPORT_RETRY_ATTEMPTS, IMPORTER_MEMORY_MB } from './importer.js';
import { LAMBDA_PLAIN_ENV_NAMES, LOCAL_ONLY_ENV_NAMES } from './lambda-environment.js';
import { PLAYBACK_KEY_RESOURCE_TYPE, PLAYBACK_KEY_SECRET_LOGICAL_ID } from './playback-key.js';
import { ACCESS_LOGS_BUCKET_LOGICAL_ID, bucketNamePrefix, RECORDINGS_BUCKET_LOGICAL_ID, UPLOAD_EXPIRATION_DAYS } from './recordings-bucket.js';
import { CALLBACK_SIGNING_SECRETS } from './scalelite-stack.js';
import { GENERATED_SECRETS } from './secret-sources.js';
import { InfraConfigError } from './config.js';
import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY_FILE, BUNDLE_GOAL_KB, REPO_ROOT } from './bundling.js';
import { synthesize, templateWithoutBundling, type ValidationReport } from './synth-for-test.js';
import { TABLE_LOGICAL_ID } from './table.js';

const LB_SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalelite/lb-AbCdEf';
const ADMIN_PARAMETER_ARN = 'arn:aws:ssm:eu-central-1:123456789012:parameter/scalelite/admin';
const KMS_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TABLE_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/9876fedc-12ab-34cd-56ef-1234567890ab';
/** A secret given by name — one that ends in a hyphen and six characters, as a suffix would. */
const FSAPI_SECRET_NAME = 'scalelite/fsapi-secret';
const TOPIC_ARN = 'arn:aws:sns:eu-central-1:123456789012:scalelite-ops';

const CLOUDFRONT_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/9a8b7c6d-1111-2222-3333-444455556666';

const FULL_CONTEXT = {
  domain: 'sl.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  cloudFrontCertificateArn: CLOUDFRONT_CERTIFICATE_ARN,
  importerReservedConcurrency: '5',
  multitenancy: 'true',
  pollInterval: '10',
  'secret.LOADBALANCER_SECRET': LB_SECRET_ARN,
  'secret.LOADBALANCER_SECRETS': 'ssm:/scalelite/previous-secrets',
  'secret.ADMIN_SECRET': ADMIN_PARAMETER_ARN,
  'secret.FSAPI_PASSWORD': `secretsmanager:${FSAPI_SECRET_NAME}`,
  secretsKmsKeyArn: KMS_KEY_ARN,
  tableKmsKeyArn: TABLE_KEY_ARN,
  adminApi: 'true',
  apiReservedConcurrency: '100',
  alarmTopicArn: TOPIC_ARN,
  logRetentionDays: '90',
  'env.MAX_MEETING_DURATION': '240',
};

/** The directory of a function's bundle (the API's by default), found through the asset manifest. */
function bundleDir(s: Synth, which: Which = 'Api'): string {
  const manifest = JSON.parse(readFileSync(join(s.outdir, `${s.stack.artifactId}.assets.json`), 'utf8'));
  const [, f] = fn(s.template, which);
  const dir = join(s.outdir, manifest.files[f.Properties.Code.S3Key.replace(/\.zip$/, '')].source.path);
  expect(existsSync(join(dir, BUNDLE_ENTRY_FILE))).toBe(true);
  return dir;
}

/** A function's entry module (`index.mjs`, the API's by default). */
function apiBundle(s: Synth, which: Which = 'Api'): string {
  return readFileSync(join(bundleDir(s, which), BUNDLE_ENTRY_FILE), 'utf8');
}

/**
 * The files of a function's bundle: all of them, and those a cold start loads — the entry and the chunks it
 * imports statically, transitively (`import…from"./chunks/…"`; a dynamic `import("./chunks/…")` is loaded on first use).
 */
function bundleFiles(s: Synth, which: Which): { all: Map<string, string>; atStart: Set<string> } {
  const dir = bundleDir(s, which);
  const chunkDir = join(dir, BUNDLE_CHUNK_DIR);
  const all = new Map([[BUNDLE_ENTRY_FILE, readFileSync(join(dir, BUNDLE_ENTRY_FILE), 'utf8')]]);
  if (existsSync(chunkDir)) for (const f of readdirSync(chunkDir)) all.set(`${BUNDLE_CHUNK_DIR}/${f}`, readFileSync(join(chunkDir, f), 'utf8'));
  const atStart = new Set<string>();
  const todo = [BUNDLE_ENTRY_FILE];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (atStart.has(f)) continue;
    atStart.add(f);
    const code = all.get(f);
    expect(code, f).toBeDefined();
    for (const [, spec] of code!.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^"'()]*?from\s*)?"(\.\/[^"]+)"/g)) todo.push(join(dirname(f), spec).split(sep).join('/'));
  }
  return { all, atStart };
}
const bytesOf = (files: Map<string, string>, names: Iterable<string>) => [...names].reduce((n, f) => n + Buffer.byteLength(files.get(f)!), 0);
/** The whole code of a function's bundle, entry and chunks. */
const wholeBundle = (s: Synth, which: Which) => [...bundleFiles(s, which).all.values()].join('\n');

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Synth = ReturnType<typeof synthesize>;

/** The recordings bucket's name and ARNs as the template computes them (account-regional namespace). */
const BUCKET_NAME = { 'Fn::Join': ['', ['scalelite-recordings-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }, '-an']] };
const bucketArn = (suffix = '') => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::scalelite-recordings-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }, `-an${suffix}`]],
});

const CERTIFICATE_ARN = 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012';

/**
 * Set-ups cfn-lint sees besides the three full synths (default; domain + zone + every option; existing
 * certificate without recordings), as templates without bundling: the code is no part of what it checks.
 */
const LINT_VARIANTS: [string, Record<string, unknown>, { account?: string; region?: string }?][] = [
  [
    'every secret form, API only',
    {
      recordings: 'false',
      'secret.LOADBALANCER_SECRET': LB_SECRET_ARN,
      'secret.LOADBALANCER_SECRETS': 'secretsmanager:scalelite/previous-secrets',
      'secret.ADMIN_SECRET': ADMIN_PARAMETER_ARN,
      'secret.FSAPI_PASSWORD': 'ssm:/scalelite/fsapi',
    },
  ],
  ['reserved concurrency for every function, own throttling', { apiReservedConcurrency: '50', pollerReservedConcurrency: '1', importerReservedConcurrency: '5', adminReservedConcurrency: '2', apiThrottleRate: '50', apiThrottleBurst: '100' }],
  ['domain in a zone, records left to the operator, API only', { domain: 'sl.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com', dnsRecords: 'false', recordings: 'false' }],
  ['Node.js 24, the SDK from the runtime, no poller reservation', { lambdaRuntime: 'nodejs24.x', bundleAwsSdk: 'false', pollerReservedConcurrency: 'none' }],
  [
    'KMS keys, fixed table name, admin API on, in a known account and region',
    { ...FULL_CONTEXT, tableName: 'scalelite-prod', 'secret.FSAPI_PASSWORD': 'secretsmanager:scalelite/fsapi' },
    { account: '123456789012', region: 'eu-central-1' },
  ],
];

let full: Synth;
let bare: Synth;
/** An existing certificate, DNS outside Route 53, no recordings (the API-only set-up), a fixed table name, the AWS SDK from the runtime. */
let ownCertificate: Synth;

beforeAll(() => {
  full = synthesize(FULL_CONTEXT);
  bare = synthesize();
  ownCertificate = synthesize({ domain: 'sl.example.com', certificateArn: CERTIFICATE_ARN, recordings: 'false', bundleAwsSdk: 'false', tableName: 'scalelite-prod' });
}, 180_000);

const resources = (t: Template, type: string) => Object.entries(t.findResources(type) as Record<string, Resource>);
const only = (t: Template, type: string): [string, Resource] => {
  const found = resources(t, type);
  expect(found, type).toHaveLength(1);
  return found[0];
};
type Which = 'Api' | 'Poller' | 'Importer' | 'Admin';
const FUNCTIONS = ['Api', 'Poller', 'Importer', 'Admin'] as const;
/** The Lambda function resources keyed by role: the construct ids are ApiFunction / PollerFunction / ImporterFunction / AdminFunction. */
const fn = (t: Template, which: Which): [string, Resource] => {
  const found = resources(t, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(`${which}Function`));
  expect(found).toHaveLength(1);
  return found[0];
};
const hasFunction = (t: Template, which: Which) => resources(t, 'AWS::Lambda::Function').some(([id]) => id.startsWith(`${which}Function`));
const policyOf = (t: Template, which: Which) => {
  const [, role] = fn(t, which);
  const roleId = role.Properties.Role['Fn::GetAtt'][0];
  const policies = resources(t, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  return { roleId, statements: policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]) };
};

describe('synthesis', () => {
  it('passes the CloudFormation validator of aws-cdk-lib and cdk-nag AwsSolutions, every acknowledged finding with a reason', () => {
    for (const { report, cfnValidation } of [full, bare, ownCertificate]) {
      // the validator ran on the template and found nothing, not even a warning
      expect(cfnValidation).toHaveLength(1);
      expect(cfnValidation[0]).toMatchObject({ success: true, violations: [] });
      const nag = report.pluginReports.filter((p) => p.pluginName === 'AwsSolutions');
      expect(nag).toHaveLength(1);
      for (const plugin of nag) {
        expect(plugin.violations, plugin.pluginName).toEqual([]);
        expect(plugin.conclusion).toBe('success');
        for (const s of plugin.suppressedViolations ?? []) expect(s.reason?.length, s.ruleName).toBeGreaterThan(40);
      }
    }
  });

  it('says when it cannot check the region of ARNs (an environment-agnostic synth), and only then', () => {
    const warnings = (s: Synth) =>
      s.report.pluginReports
        .filter((p) => p.pluginName !== 'AwsSolutions')
        .flatMap((p) => {
          expect(p.pluginName).toBe('Construct Annotations');
          expect(p.conclusion).toBe('success'); // a warning, not a failure
          return p.violations as { ruleName: string; description: string }[];
        });
    // nothing regional configured: nothing to say
    expect(warnings(bare)).toEqual([]);
    const [certificate] = warnings(ownCertificate);
    expect(certificate).toMatchObject({ ruleName: 'Annotation::scalelite:region-unchecked', description: expect.stringContaining('certificateArn') });
    const [secrets, ...more] = warnings(full);
    expect(more).toEqual([]);
    for (const key of ['secret.LOADBALANCER_SECRET', 'secret.ADMIN_SECRET', 'secretsKmsKeyArn', 'tableKmsKeyArn']) expect(secrets.description).toContain(key);
    // a name (secretsmanager:…, ssm:…) is looked up in the functions' own region: nothing to check
    expect(secrets.description).not.toMatch(/FSAPI_PASSWORD|LOADBALANCER_SECRETS/);
  });

  it('acknowledges only the expected cdk-nag rules', () => {
    const acknowledged = (s: Synth) =>
      [...new Set(s.report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).map((v) => v.ruleName)))].sort();
    const bucketObjects = (pattern: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::scalelite-recordings-<AWS::AccountId>-<AWS::Region>-an/${pattern}]`;
    // IAM5 on the slctl operator policy: the admin function's versions and aliases (`<arn>:*`), nothing else
    const operatorPolicy = (s: Synth) => `AwsSolutions-IAM5[Resource::<${fn(s.template, 'Admin')[0]}.Arn>:*]`;
    const apiOnly = ['AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::<Table.Arn>/index/*]', 'AwsSolutions-L1'];
    // SMG4: the playback signing key (replaced with playbackKeyVersion); CFR1–3: geo restriction, WAF, access logs
    const recordings = [...apiOnly, bucketObjects('recordings/*'), bucketObjects('uploads/*'), bucketObjects('playback/*'), 'AwsSolutions-SQS3', 'AwsSolutions-SMG4', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3'];
    // CFR4: CloudFront's default certificate (no domain)
    expect(acknowledged(bare)).toEqual([...recordings, operatorPolicy(bare), 'AwsSolutions-CFR4'].sort());
    expect(acknowledged(full)).toEqual([...recordings, operatorPolicy(full)].sort());
    // the API-only set-up: the generated secrets (SMG4) and nothing of the bucket or CloudFront
    expect(acknowledged(ownCertificate)).toEqual([...apiOnly, operatorPolicy(ownCertificate), 'AwsSolutions-SMG4'].sort());
    // each acknowledgement on the constructs it names: the operator policy's only on the operator policy,
    // the recordings area on the roles that delete or read there (API, importer, admin)
    const on = (s: Synth, rule: string) =>
      s.report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).filter((v) => v.ruleName === rule).flatMap((v) => v.violatingConstructs.map((c) => c.constructPath))).sort();
    expect(on(full, operatorPolicy(full))).toEqual([`${full.stack.stackName}/SlctlOperatorPolicy/Resource`]);
    expect(on(full, bucketObjects('recordings/*'))).toEqual(
      ['AdminFunction', 'ApiFunction', 'ImporterFunction'].map((id) => `${full.stack.stackName}/${id}/Role/DefaultPolicy/Resource`),
    );
  });

  it('passes cfn-lint (the CloudFormation linter) on the synthesized templates and on every other set-up', () => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error) throw new Error('cfn-lint is not installed (pip install cfn-lint): it is part of the infrastructure checks');
    const dir = mkdtempSync(join(tmpdir(), 'scalelite-lint-'));
    const variants = LINT_VARIANTS.map(([name, context, env]) => {
      const file = join(dir, `${name.replace(/[^A-Za-z0-9]+/g, '-')}.json`);
      const { stack, template } = templateWithoutBundling(context, env);
      writeFileSync(file, JSON.stringify(template.toJSON()));
      // cdk-nag ran on it too (the synth of a template runs the app's validations): clean
      const report = JSON.parse(readFileSync(join(stack.node.root instanceof App ? stack.node.root.outdir : '', 'validation-report.json'), 'utf8')) as ValidationReport;
      expect(report.pluginReports.find((p) => p.pluginName === 'AwsSolutions'), name).toMatchObject({ conclusion: 'success', violations: [] });
      return file;
    });
    expect(variants).toHaveLength(LINT_VARIANTS.length);
    const templates = [...[full, bare, ownCertificate].map((s) => join(s.outdir, s.stack.templateFile)), ...variants];
    // W3005: CDK adds DependsOn on a function's role besides the GetAtt of its ARN (redundant, harmless)
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', ...templates], { encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  }, 180_000);
});

describe('the configuration, checked at synth', () => {
  const ENV_EU = { account: '123456789012', region: 'eu-central-1' };
  const synthError = (context: Record<string, unknown>, env = {}) => {
    try {
      templateWithoutBundling(context, env);
    } catch (e) {
      if (e instanceof InfraConfigError) return e;
      throw e;
    }
    throw new Error('expected an InfraConfigError');
  };

  it('refuses a misspelt context key instead of ignoring it', () => {
    const e = synthError({ pollIntervall: '30' });
    expect(e.message).toMatch(/^context pollIntervall: is not a setting of this app \(did you mean pollInterval\?\)/);
  });

  it('in a known region, refuses a certificate or secret ARN of another region; in the right one, says nothing', () => {
    const apiOnly = { domain: 'sl.example.com', recordings: 'false' };
    expect(synthError({ ...apiOnly, certificateArn: CLOUDFRONT_CERTIFICATE_ARN }, ENV_EU).key).toBe('certificateArn');
    expect(synthError({ 'secret.LOADBALANCER_SECRET': LB_SECRET_ARN.replace('eu-central-1', 'eu-west-1') }, ENV_EU).key).toBe('secret.LOADBALANCER_SECRET');
    const { stack } = templateWithoutBundling({ ...apiOnly, certificateArn: CERTIFICATE_ARN, 'secret.LOADBALANCER_SECRET': LB_SECRET_ARN, tableKmsKeyArn: TABLE_KEY_ARN }, ENV_EU);
    expect(stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning')).toEqual([]);
  }, 60_000);
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
      if (!Object.keys(out).some((k) => /(pk|sk)$/.test(k))) continue; // query ranges (low/high), not keys
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

  it('is encrypted with the customer-managed key of -c tableKmsKeyArn, else with DynamoDB’s own', () => {
    const [, table] = only(full.template, 'AWS::DynamoDB::Table');
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: TABLE_KEY_ARN });
    for (const s of [bare, ownCertificate]) expect(only(s.template, 'AWS::DynamoDB::Table')[1].Properties.SSESpecification).toBeUndefined();
    // every function that uses the table may use its key, through DynamoDB only (the statements: "least privilege")
    for (const which of FUNCTIONS) {
      const keyStatements = policyOf(full.template, which).statements.filter((st) => JSON.stringify(st.Resource).includes(TABLE_KEY_ARN));
      expect(keyStatements, which).toHaveLength(1);
      expect(keyStatements[0].Condition.StringEquals['kms:ViaService']).toBeDefined();
    }
    expect(JSON.stringify(policyOf(bare.template, 'Api').statements)).not.toMatch(/kms:/);
  });

  it('takes the fixed name of -c tableName (chosen before the first deployment: a new name is a new, empty table)', () => {
    const [, table] = only(ownCertificate.template, 'AWS::DynamoDB::Table');
    expect(table.Properties.TableName).toBe('scalelite-prod');
    ownCertificate.template.hasOutput('TableName', { Value: { Ref: 'Table' } });
    expect(fn(ownCertificate.template, 'Api')[1].Properties.Environment.Variables.DYNAMODB_TABLE).toEqual({ Ref: 'Table' });
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
    for (const which of FUNCTIONS) {
      const [, f] = fn(full.template, which);
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
  });

  it('have the memory and timeout docs/DEPLOY.md states ("What gets deployed")', () => {
    const deploy = readFileSync(join(REPO_ROOT, 'docs', 'DEPLOY.md'), 'utf8');
    const rows: Record<Which, string> = { Api: 'API function', Poller: 'poller function', Importer: 'importer function', Admin: 'admin function' };
    for (const which of FUNCTIONS) {
      const row = deploy.split('\n').find((line) => line.startsWith(`| ${rows[which]} `));
      expect(row, which).toBeDefined();
      const [, memory] = /, ([\d,]+) MB, /.exec(row!)!;
      const [, amount, unit] = /MB, (\d+) (s|min)\b/.exec(row!)!;
      const [, f] = fn(bare.template, which);
      expect(Number(memory.replace(',', '')), which).toBe(f.Properties.MemorySize);
      expect(Number(amount) * (unit === 'min' ? 60 : 1), which).toBe(f.Properties.Timeout);
    }
  });

  it('bundle the AWS SDK by default — what was tested is what runs — with Lambda’s environment credentials instead of the default chain', () => {
    expect(full.config.bundleAwsSdk).toBe(true);
    for (const which of FUNCTIONS) {
      const { all, atStart } = bundleFiles(full, which);
      // what a cold start loads: the entry and its static chunks (each starts with the require banner)
      const code = [...atStart].map((f) => all.get(f)!).join('\n');
      for (const [f, c] of all) expect(c.startsWith('import{createRequire'), `${which}: ${f}`).toBe(true);
      expect(wholeBundle(full, which), which).not.toMatch(/from\s*"@aws-sdk\//); // nothing of the SDK from the runtime
      expect(code, which).toContain('AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set'); // functions/lambda-credentials.ts
      // no credential chain in any chunk — not even the admin function's, which runs slctl's tasks but not slctl's
      // direct target (cli/direct-deps.ts: @aws-sdk/credential-providers for --profile; cli/target.ts `useDirectTarget`)
      expect(wholeBundle(full, which), which).not.toMatch(/fromIni|SSOOIDC|AWS_WEB_IDENTITY_TOKEN_FILE/);
      // the secret clients are imported on demand by a computed specifier: the runtime's (not in the bundle)
      expect(code, which).not.toMatch(/(from\s*|import\()"@aws-sdk\/client-(secrets-manager|ssm)"/);
      expect(code, which).toContain('"@aws-sdk/client-secrets-manager"'); // the specifier, imported when a secret is fetched
      // minified: the few line breaks left are inside template literals
      const entry = all.get(BUNDLE_ENTRY_FILE)!;
      expect(entry.length / entry.split('\n').length, which).toBeGreaterThan(2000);
    }
  });

  it('load at most BUNDLE_GOAL_KB at a cold start, the S3 SDK in a chunk of its own loaded on first use (sizes: bench/bundle-size.ts)', () => {
    for (const which of FUNCTIONS) {
      const { all, atStart } = bundleFiles(full, which);
      expect(bytesOf(all, atStart), which).toBeLessThanOrEqual(BUNDLE_GOAL_KB * 1024);
      // a guard against a dependency slipping in (the admin function carries slctl's tasks: yaml, prom-client)
      expect(bytesOf(all, all.keys()), which).toBeLessThan((which === 'Admin' ? 900 : 700) * 1024);
      // the S3 client's schemas (namespace com.amazonaws.s3)
      const s3 = [...all].filter(([, code]) => code.includes('"com.amazonaws.s3"')).map(([f]) => f);
      if (which === 'Poller') expect(s3, which).toEqual([]); // functions/poller/deps.ts: no recordings bucket
      else {
        expect(s3.length, which).toBeGreaterThan(0);
        for (const f of s3) expect(atStart.has(f), `${which}: ${f}`).toBe(false);
      }
    }
    expect(bytesOf(bundleFiles(ownCertificate, 'Api').all, bundleFiles(ownCertificate, 'Api').atStart)).toBeLessThan(300 * 1024);
  });

  it('leave no chunk that nothing imports (esbuild writes one for a dynamic import in code it dropped)', () => {
    for (const which of FUNCTIONS) {
      const { all } = bundleFiles(full, which);
      const imported = new Set([BUNDLE_ENTRY_FILE]);
      for (const [f, code] of all) for (const [, spec] of code.matchAll(/"(\.\/[^"]+\.mjs)"/g)) imported.add(join(dirname(f), spec).split(sep).join('/'));
      expect([...all.keys()].filter((f) => !imported.has(f)), which).toEqual([]);
    }
  });

  it('with -c bundleAwsSdk=false: minified ESM that leaves @aws-sdk to the runtime and imports no secret client up front', () => {
    expect(ownCertificate.config.bundleAwsSdk).toBe(false);
    const code = apiBundle(ownCertificate);
    expect(code.startsWith('import{createRequire')).toBe(true);
    expect(code).toMatch(/from"@aws-sdk\/client-dynamodb"/); // external, resolved in the runtime
    expect(code).not.toMatch(/from\s*"@aws-sdk\/client-(secrets-manager|ssm)"/); // only imported on demand, by the runtime
    // the S3 SDK neither: its chunk (shared/storage/s3-sdk.ts) imports it when the bucket is first used
    expect(code).not.toMatch(/from\s*"@aws-sdk\/(client-s3|lib-storage|s3-request-presigner)"/);
    expect(wholeBundle(ownCertificate, 'Api')).toMatch(/from\s*"@aws-sdk\/client-s3"/);
    expect(code.split('\n').length).toBeLessThan(50); // minified
  });

  it('get exactly the environment the runtime reads: the contract minus local-only variables, secrets only by reference', () => {
    // what parseConfig actually reads, recorded
    const read = new Set<string>();
    parseConfig(new Proxy({}, { get: (_t, name) => (read.add(String(name)), undefined) }));
    expect([...read].filter((n) => !(n in ENV))).toEqual([]); // the contract names everything the runtime reads
    const plain = Object.keys(ENV).filter((n) => !SECRET_ENV_NAMES.includes(n as never) && !(LOCAL_ONLY_ENV_NAMES as readonly string[]).includes(n));
    expect([...LAMBDA_PLAIN_ENV_NAMES].sort()).toEqual(plain.sort());

    // full: the secrets it configures, the playback signing key the stack's; bare: the generated ones
    // (LOADBALANCER_SECRETS stays unset) and the signing key; ownCertificate: no recordings, no signing key
    const configured = Object.keys(FULL_CONTEXT).flatMap((k) => (k.startsWith('secret.') ? [k.slice('secret.'.length)] : []));
    expect(configured).toEqual(['LOADBALANCER_SECRET', 'LOADBALANCER_SECRETS', 'ADMIN_SECRET', 'FSAPI_PASSWORD']);
    for (const [s, secrets] of [
      [full, [...configured, 'CF_PRIVATE_KEY_B64']],
      [bare, [...Object.keys(GENERATED_SECRETS), 'CF_PRIVATE_KEY_B64']],
      [ownCertificate, Object.keys(GENERATED_SECRETS)],
    ] as const) {
      const env = (which: Which) => fn(s.template, which)[1].Properties.Environment.Variables;
      expect(Object.keys(env('Api')).sort()).toEqual([...plain, ...secrets.map((n) => secretRefEnvName(n as never))].sort());
      // the poller and the importer sign recording-ready callbacks, the admin function's api:url signs BBB
      // calls: the LB secrets, never ADMIN_SECRET (IAM authenticates slctl) nor the playback key
      expect([...ADMIN_SECRETS]).toEqual([...CALLBACK_SIGNING_SECRETS]);
      const signing = secrets.filter((n) => CALLBACK_SIGNING_SECRETS.includes(n as never));
      expect(signing.length).toBeGreaterThan(0);
      const others = (['Poller', 'Importer', 'Admin'] as const).filter((which) => hasFunction(s.template, which));
      expect(others).toContain('Admin');
      for (const which of others) {
        expect(Object.keys(env(which)).sort()).toEqual([...plain, ...signing.map((n) => secretRefEnvName(n as never))].sort());
        expect(env(which)).not.toHaveProperty('ADMIN_SECRET_ARN');
        expect(env(which)).not.toHaveProperty('CF_PRIVATE_KEY_B64_ARN');
        // the key's id without the key would stop the runtime at its cold start (parseConfig)
        expect(env(which).CF_KEY_PAIR_ID).toBe('');
      }
      for (const which of ['Api', ...others] as const) {
        for (const name of [...SECRET_ENV_NAMES, ...LOCAL_ONLY_ENV_NAMES]) expect(env(which)).not.toHaveProperty(name);
      }
    }
    expect(hasFunction(ownCertificate.template, 'Importer')).toBe(false);
  });

  it('get the configured values, the contract’s defaults for the rest, and the stack’s table', () => {
    const apiEnv = fn(full.template, 'Api')[1].Properties.Environment.Variables;
    expect(apiEnv).toMatchObject({
      URL_HOST: 'sl.example.com',
      MULTITENANCY_ENABLED: 'true',
      POLL_INTERVAL: '10',
      MAX_MEETING_DURATION: '240',
      DYNAMODB_TABLE: { Ref: 'Table' },
      S3_BUCKET_NAME: BUCKET_NAME,
      LOADBALANCER_CHECKSUM_ALGORITHM: ENV.LOADBALANCER_CHECKSUM_ALGORITHM.default,
      REGISTRY_TTL: ENV.REGISTRY_TTL.default,
      LOADBALANCER_SECRET_ARN: LB_SECRET_ARN,
      ADMIN_SECRET_ARN: ADMIN_PARAMETER_ARN,
      // a secret given by name goes as that name (Secrets Manager looks it up by name), never as a partial ARN
      FSAPI_PASSWORD_ARN: FSAPI_SECRET_NAME,
      LOADBALANCER_SECRETS_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/scalelite/previous-secrets']] },
      // the playback cookies: the key group's public key and the stack's secret
      RECORDING_DISABLED: 'false',
      CF_KEY_PAIR_ID: { Ref: only(full.template, 'AWS::CloudFront::PublicKey')[0] },
      CF_PRIVATE_KEY_B64_ARN: { Ref: PLAYBACK_KEY_SECRET_LOGICAL_ID },
      // the viewer's Host reaches the API itself (custom domains behind CloudFront)
      TRUST_FORWARDED_HOST: 'false',
    });
    const bareEnv = fn(bare.template, 'Api')[1].Properties.Environment.Variables;
    expect(bareEnv).toMatchObject({
      URL_HOST: '',
      MULTITENANCY_ENABLED: 'false',
      POLL_INTERVAL: '60',
      LOADBALANCER_SECRET_ARN: { Ref: 'LoadBalancerSecret' },
      ADMIN_SECRET_ARN: { Ref: 'AdminSecret' },
      RECORDING_DISABLED: 'false',
      // CloudFront's own name: the viewer's host comes as X-Forwarded-Host (the forwarded-host function)
      TRUST_FORWARDED_HOST: 'true',
    });
    // every function: the same table and bucket
    for (const which of FUNCTIONS) {
      expect(fn(full.template, which)[1].Properties.Environment.Variables).toMatchObject({ DYNAMODB_TABLE: { Ref: 'Table' }, S3_BUCKET_NAME: BUCKET_NAME });
    }
    // without recordings: RECORDING_DISABLED, no signing key, the contract's bucket name (no grant, nothing reads it)
    for (const which of ['Api', 'Poller', 'Admin'] as const) {
      expect(fn(ownCertificate.template, which)[1].Properties.Environment.Variables).toMatchObject({
        RECORDING_DISABLED: 'true',
        CF_KEY_PAIR_ID: '',
        TRUST_FORWARDED_HOST: 'false',
        S3_BUCKET_NAME: ENV.S3_BUCKET_NAME.default,
      });
    }
  });

  it('turn the admin API on only with -c adminApi=true (ADMIN_API_ENABLED; the runtime’s own default is on)', () => {
    expect(ENV.ADMIN_API_ENABLED.default).toBe('true'); // so the stack must say false itself
    for (const [s, enabled] of [
      [full, 'true'],
      [bare, 'false'],
      [ownCertificate, 'false'],
    ] as const) {
      for (const which of FUNCTIONS.filter((w) => hasFunction(s.template, w))) {
        const env = fn(s.template, which)[1].Properties.Environment.Variables;
        expect(env.ADMIN_API_ENABLED, which).toBe(enabled);
      }
    }
  });

  it('run on Node.js 24 with -c lambdaRuntime=nodejs24.x, every one of them', () => {
    const t = templateWithoutBundling({ lambdaRuntime: 'nodejs24.x' }).template;
    for (const which of FUNCTIONS) expect(fn(t, which)[1].Properties.Runtime).toBe('nodejs24.x');
  }, 60_000);

  it('never carry a secret value: generated secrets are generated by Secrets Manager, the signing key by the stack’s handler', () => {
    for (const [id, secret] of resources(bare.template, 'AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString).toBeUndefined();
      // the signing key's placeholder is replaced by infra/playback-key/index.js before anything reads it
      if (id !== PLAYBACK_KEY_SECRET_LOGICAL_ID) expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    }
    // all configured: nothing generated but the playback signing key
    expect(resources(full.template, 'AWS::SecretsManager::Secret').map(([id]) => id)).toEqual([PLAYBACK_KEY_SECRET_LOGICAL_ID]);
    expect(JSON.stringify(full.template.toJSON())).not.toMatch(/PRIVATE KEY/);
  });

  it('log to their own log groups; every log group has the configured retention and is kept', () => {
    for (const which of FUNCTIONS) {
      const logGroup = fn(full.template, which)[1].Properties.LoggingConfig.LogGroup.Ref;
      expect(full.template.toJSON().Resources[logGroup].Type).toBe('AWS::Logs::LogGroup');
    }
    const groups = resources(full.template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(5); // api, poller, importer, admin, HTTP API access logs
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
  const logStatement = (t: Template, which: Which) => ({
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [fn(t, which)[1].Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
  });

  const PREVIOUS_SECRETS_PARAMETER = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/scalelite/previous-secrets']] };
  /** A secret given by name: that name and Secrets Manager's six characters, nothing longer (not `name*`). */
  const FSAPI_SECRET_BY_NAME = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${FSAPI_SECRET_NAME}-??????`]] };
  /** The table's customer-managed key: the four actions a read or write needs, only through DynamoDB in this region. */
  const TABLE_KEY = {
    Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
    Effect: 'Allow',
    Resource: TABLE_KEY_ARN,
  };
  /** S3 grants: one prefix each, the bucket ARN only for listing (404 instead of 403 for a missing key). */
  const listBucket = { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn() };
  /** recordings:purge lists a recording's files before deleting them: the recordings area only. */
  const ADMIN_LIST_RECORDINGS = { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': 'recordings/*' } }, Effect: 'Allow', Resource: bucketArn() };

  it('the API function: its log group, the table and its indexes (and key), the configured secrets and the signing key, presign/read/delete on the bucket, the player — nothing else', () => {
    const { statements } = policyOf(full.template, 'Api');
    expect(statements).toEqual([
      logStatement(full.template, 'Api'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      TABLE_KEY,
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: [LB_SECRET_ARN, FSAPI_SECRET_BY_NAME, { Ref: PLAYBACK_KEY_SECRET_LOGICAL_ID }] },
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: [ADMIN_PARAMETER_ARN, PREVIOUS_SECRETS_PARAMETER] },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY_ARN },
      // presigned upload URLs: PUT under uploads/ only
      { Action: 's3:PutObject', Effect: 'Allow', Resource: bucketArn('/uploads/*') },
      // thumbnails, the local-style file route and deleteRecordings: recordings/ only
      { Action: ['s3:DeleteObject', 's3:GetObject'], Effect: 'Allow', Resource: bucketArn('/recordings/*') },
      // the presentation player's index.html: read under playback/ only
      { Action: 's3:GetObject', Effect: 'Allow', Resource: bucketArn('/playback/*') },
      listBucket,
    ]);
  });

  it('without recordings the API function has no bucket grant and no signing key', () => {
    const { statements } = policyOf(ownCertificate.template, 'Api');
    expect(statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('s3:')))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain(PLAYBACK_KEY_SECRET_LOGICAL_ID);
  });

  it('the API function reads the generated secrets when none are configured, and the signing key', () => {
    const { statements } = policyOf(bare.template, 'Api');
    const secrets = [{ Ref: 'AdminSecret' }, { Ref: 'LoadBalancerSecret' }, { Ref: PLAYBACK_KEY_SECRET_LOGICAL_ID }];
    expect(statements.slice(2, 3)).toEqual([{ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: secrets }]);
  });

  it('the poller: its log group, the table, and the LB secrets that sign recording-ready callbacks — no bucket, no admin secret', () => {
    expect(policyOf(full.template, 'Poller').statements).toEqual([
      logStatement(full.template, 'Poller'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      TABLE_KEY,
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: LB_SECRET_ARN },
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: PREVIOUS_SECRETS_PARAMETER },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY_ARN },
    ]);
    expect(policyOf(bare.template, 'Poller').statements).toEqual([
      logStatement(bare.template, 'Poller'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: 'LoadBalancerSecret' } },
    ]);
  });

  it('the importer: its log group, the table, the LB secrets, read/delete of uploads, write of recordings, and its dead-letter queue — nothing else', () => {
    const [queueId] = only(full.template, 'AWS::SQS::Queue');
    const s3AndQueue = [
      // the upload: read it, delete it after the import committed
      { Action: ['s3:DeleteObject', 's3:GetObject'], Effect: 'Allow', Resource: bucketArn('/uploads/*') },
      // the files: written (multipart, aborted on failure), stale ones of a re-imported format removed — under recordings/ only
      { Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], Effect: 'Allow', Resource: bucketArn('/recordings/*') },
      listBucket,
      // the on-failure destination, sent to by Lambda with this role
      { Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ];
    expect(policyOf(full.template, 'Importer').statements).toEqual([
      logStatement(full.template, 'Importer'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      TABLE_KEY,
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: LB_SECRET_ARN },
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: PREVIOUS_SECRETS_PARAMETER },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY_ARN },
      ...s3AndQueue,
    ]);
    expect(policyOf(bare.template, 'Importer').statements.slice(2, 3)).toEqual([
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: 'LoadBalancerSecret' } },
    ]);
  });

  it('the admin function: its log group, the table, the LB secrets, and for recordings:purge deletion under recordings/ — nothing else', () => {
    // every remote slctl task reads or writes items of the table (servers, meetings, tenants, settings,
    // LRS credentials, recordings' metadata); api:url signs with the LB secrets; recordings:purge removes files
    const purge = [{ Action: 's3:DeleteObject', Effect: 'Allow', Resource: bucketArn('/recordings/*') }, ADMIN_LIST_RECORDINGS];
    expect(policyOf(full.template, 'Admin').statements).toEqual([
      logStatement(full.template, 'Admin'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      TABLE_KEY,
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: LB_SECRET_ARN },
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: PREVIOUS_SECRETS_PARAMETER },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KMS_KEY_ARN },
      ...purge,
    ]);
    // generated secrets: the LB secret only — never the AdminSecret, never the playback signing key
    expect(policyOf(bare.template, 'Admin').statements).toEqual([
      logStatement(bare.template, 'Admin'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: 'LoadBalancerSecret' } },
      ...purge,
    ]);
    // without recordings: no bucket access at all
    expect(policyOf(ownCertificate.template, 'Admin').statements).toEqual([
      logStatement(ownCertificate.template, 'Admin'),
      { Action: DATA_ACTIONS, Effect: 'Allow', Resource: tableResources },
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: 'LoadBalancerSecret' } },
    ]);
  });

  it('no S3 grant beyond those: no s3:* action, no bucket-wide object access, no wildcard bucket', () => {
    for (const t of [full.template, bare.template]) {
      const s3 = FUNCTIONS.flatMap((which) => policyOf(t, which).statements).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('s3:')));
      expect(s3).toHaveLength(9);
      for (const st of s3) {
        expect([st.Action].flat().every((a: string) => /^s3:[A-Za-z]+$/.test(a))).toBe(true);
        const suffix = st.Resource['Fn::Join'][1].at(-1) as string;
        expect(['-an', '-an/uploads/*', '-an/recordings/*', '-an/playback/*']).toContain(suffix);
        // the one condition: the admin function lists the recordings area only
        if (st.Condition !== undefined) expect(st).toEqual({ ...ADMIN_LIST_RECORDINGS });
      }
    }
  });

  it('roles are assumable by Lambda only and carry no managed policy; no statement allows "*"', () => {
    for (const t of [full.template, bare.template, ownCertificate.template]) {
      const roles = resources(t, 'AWS::IAM::Role');
      for (const [id, role] of roles) {
        expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ]);
        if (id.startsWith('CustomPlaybackSigningKeyProvider')) continue;
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role.Properties.Policies).toBeUndefined();
      }
      expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toMatch(/"Resource":"\*"|"Action":"\*"|:\*"/);
    }
  });

  it('the key generator (CDK’s CustomResourceProvider): Lambda’s basic execution role and read/write of the signing key’s secret — nothing else', () => {
    for (const t of [full.template, bare.template]) {
      const [, role] = resources(t, 'AWS::IAM::Role').find(([id]) => id.startsWith('CustomPlaybackSigningKeyProvider'))!;
      expect(role.Properties.ManagedPolicyArns).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }]);
      expect(role.Properties.Policies).toEqual([
        {
          PolicyName: 'Inline',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: PLAYBACK_KEY_SECRET_LOGICAL_ID } }],
          },
        },
      ]);
    }
    expect(resources(ownCertificate.template, 'AWS::IAM::Role').map(([id]) => id).filter((id) => id.startsWith('Custom'))).toEqual([]);
  });
});

describe('the admin function and the slctl operator policy', () => {
  const ACCOUNT = '123456789012';
  const REGION = 'eu-central-1';
  /** The template's references made concrete: each function's ARN named after its logical id. */
  const resolve = (t: Template, v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, any>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::Region') return REGION;
    if (o.Ref === 'AWS::AccountId') return ACCOUNT;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map((x) => resolve(t, x)).join(o['Fn::Join'][0]);
    if (o['Fn::GetAtt']?.[1] === 'Arn') {
      const [id] = o['Fn::GetAtt'];
      const type = (t.toJSON().Resources[id] as Resource).Type;
      if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      if (type === 'AWS::DynamoDB::Table') return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  };
  /** IAM's wildcard match: `*` any characters, `?` one; actions compare case-insensitively. */
  const matches = (pattern: string, value: string, ignoreCase = false) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '').test(value);
  const operatorPolicy = (t: Template) => only(t, 'AWS::IAM::ManagedPolicy');
  /** Whether a principal holding only this policy may do `action` on `resource` (identity-based, Allow statements only). */
  const allows = (t: Template, action: string, resource: string) => {
    const statements = operatorPolicy(t)[1].Properties.PolicyDocument.Statement as Record<string, any>[];
    return statements.some(
      (st) =>
        st.Effect === 'Allow' &&
        [st.Action].flat().some((a: string) => matches(a, action, true)) &&
        [st.Resource].flat().some((r) => matches(resolve(t, r), resource)),
    );
  };
  const arnOf = (t: Template, which: Which) => resolve(t, { 'Fn::GetAtt': [fn(t, which)[0], 'Arn'] });

  it('runs every remote slctl task: the deployed bundle is the admin handler over slctl’s commands', () => {
    const code = apiBundle(full, 'Admin');
    const remote = commands.flatMap((c) => taskNames(c)).filter((n) => !LOCAL_ONLY_TASKS.has(n));
    for (const task of ['servers', 'servers:sync', 'servers:panic', 'status', 'meetings', 'meetings:end', 'poll:all', 'tenants', 'recordings:purge', 'api:url']) expect(remote).toContain(task);
    for (const task of remote) expect(code, task).toContain(task);
    expect(code).toContain('localOnlyTask'); // local-only tasks are refused, not run
  });

  it('Node.js 22 on arm64, 1,024 MB and Lambda’s full 15 minutes for a long sync or meetings:end; reserved concurrency when configured', () => {
    for (const s of [full, bare, ownCertificate]) {
      const [, admin] = fn(s.template, 'Admin');
      expect(admin.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 900 });
      expect(admin.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    expect([ADMIN_MEMORY_MB, ADMIN_TIMEOUT.toSeconds()]).toEqual([1024, 900]);
    const capped = templateWithoutBundling({ adminReservedConcurrency: '2' }).template;
    expect(fn(capped, 'Admin')[1].Properties.ReservedConcurrentExecutions).toBe(2);
  }, 60_000);

  it('is reached only through IAM: no function URL, no resource policy, no event source, schedule or integration; an async invocation is not retried', () => {
    for (const s of [full, bare, ownCertificate]) {
      const t = s.template;
      const [adminId] = fn(t, 'Admin');
      t.resourceCountIs('AWS::Lambda::Url', 0);
      t.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
      // what refers to the function: its operator policy and its async settings — nothing that could invoke it
      const referring = Object.entries(t.toJSON().Resources as Record<string, Resource>)
        .filter(([id, r]) => id !== adminId && JSON.stringify(r).includes(`"${adminId}"`))
        .map(([, r]) => r.Type)
        .sort();
      expect(referring).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::Lambda::EventInvokeConfig']);
      for (const [, p] of resources(t, 'AWS::Lambda::Permission')) expect(JSON.stringify(p.Properties.FunctionName)).not.toContain(adminId);
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: adminId }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
      const [, asyncConfig] = resources(t, 'AWS::Lambda::EventInvokeConfig').find(([, c]) => c.Properties.FunctionName.Ref === adminId)!;
      expect(asyncConfig.Properties.DestinationConfig).toBeUndefined();
      // no role of the stack may invoke any function: operators are the only callers
      const grants = [...resources(t, 'AWS::IAM::Policy').map(([, p]) => p.Properties.PolicyDocument), ...resources(t, 'AWS::IAM::Role').flatMap(([, r]) => (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument))];
      for (const doc of grants) for (const st of doc.Statement) expect([st.Action].flat().filter((a: string) => a.startsWith('lambda:'))).toEqual([]);
    }
  });

  it('the "slctl operator" policy: exactly one statement, lambda:InvokeFunction on the admin function (and its qualifiers), attached to nobody', () => {
    for (const s of [full, bare, ownCertificate]) {
      const [adminId] = fn(s.template, 'Admin');
      const [, policy] = operatorPolicy(s.template);
      expect(policy.Properties).toEqual({
        ManagedPolicyName: `${s.stack.stackName}-slctl-operator`,
        Description: expect.stringMatching(/^slctl operator of the Scalelite stack: .*Grants nothing else\.$/),
        Path: '/',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'InvokeAdminFunction',
              Action: OPERATOR_ACTION,
              Effect: 'Allow',
              Resource: [{ 'Fn::GetAtt': [adminId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [adminId, 'Arn'] }, ':*']] }],
            },
          ],
        },
      });
      expect(OPERATOR_ACTION).toBe('lambda:InvokeFunction');
    }
    expect(operatorPolicyName('Scalelite')).toBe('Scalelite-slctl-operator');
    const long = operatorPolicyName(`S${'x'.repeat(127)}`);
    expect(long).toHaveLength(128); // IAM's limit for a policy name
    expect(long.endsWith('-slctl-operator')).toBe(true);
  });

  it('an operator holding only that policy may invoke the admin function — each task is one invocation — and do nothing else', () => {
    for (const s of [full, bare, ownCertificate]) {
      const t = s.template;
      const admin = arnOf(t, 'Admin');
      // slctl --via lambda: Invoke (RequestResponse) of the function by name or ARN, with or without a qualifier
      expect(allows(t, 'lambda:InvokeFunction', admin)).toBe(true);
      expect(allows(t, 'lambda:InvokeFunction', `${admin}:$LATEST`)).toBe(true);
      // no other function of the stack (nor any function whose name merely starts with the admin's)
      for (const which of ['Api', 'Poller', 'Importer'] as const) {
        if (hasFunction(t, which)) expect(allows(t, 'lambda:InvokeFunction', arnOf(t, which)), which).toBe(false);
      }
      for (const [id] of resources(t, 'AWS::Lambda::Function')) {
        if (id !== fn(t, 'Admin')[0]) expect(allows(t, 'lambda:InvokeFunction', resolve(t, { 'Fn::GetAtt': [id, 'Arn'] })), id).toBe(false);
      }
      expect(allows(t, 'lambda:InvokeFunction', `${admin}2`)).toBe(false);
      // nothing on the function itself but invoking it: not its configuration (secret ARNs), code, URL or policy
      for (const action of ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:GetFunction', 'lambda:CreateFunctionUrlConfig', 'lambda:InvokeFunctionUrl', 'lambda:AddPermission']) {
        expect(allows(t, action, admin), action).toBe(false);
      }
      // and no data: the table, the secrets, the bucket and the logs stay the function's
      const table = resolve(t, { 'Fn::GetAtt': ['Table', 'Arn'] });
      expect(allows(t, 'dynamodb:Scan', table)).toBe(false);
      expect(allows(t, 'dynamodb:GetItem', table)).toBe(false);
      expect(allows(t, 'secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:scalelite/lb-AbCdEf`)).toBe(false);
      expect(allows(t, 's3:DeleteObject', 'arn:aws:s3:::scalelite-recordings-123456789012-eu-central-1-an/recordings/r1/presentation/x')).toBe(false);
      expect(allows(t, 'logs:FilterLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:x`)).toBe(false);
    }
  });

  it('outputs the function’s name and ARN, the policy’s ARN and the slctl context line', () => {
    for (const s of [full, bare, ownCertificate]) {
      const t = s.template;
      const [adminId] = fn(t, 'Admin');
      t.hasOutput('AdminFunctionName', { Value: { Ref: adminId }, Description: Match.stringLikeRegexp('slctl context:set Scalelite --via lambda --function <this name> --region') });
      t.hasOutput('AdminFunctionArn', { Value: { 'Fn::GetAtt': [adminId, 'Arn'] } });
      t.hasOutput('SlctlOperatorPolicyArn', { Value: { Ref: operatorPolicy(t)[0] } });
      t.hasOutput('SlctlContextCommand', {
        Value: { 'Fn::Join': ['', ['slctl context:set Scalelite --via lambda --function ', { Ref: adminId }, ' --region ', { Ref: 'AWS::Region' }]] },
      });
    }
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

  it('throttles the stage: 500 requests per second, bursts of 1,000 by default; -c apiThrottleRate / apiThrottleBurst', () => {
    for (const s of [full, bare, ownCertificate]) {
      expect(only(s.template, 'AWS::ApiGatewayV2::Stage')[1].Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
    }
    const own = templateWithoutBundling({ apiThrottleRate: '50', apiThrottleBurst: '120' }).template;
    expect(only(own, 'AWS::ApiGatewayV2::Stage')[1].Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 120 });
  }, 60_000);

  it('a flood cannot starve polling: the poller has its own concurrency by default; the API’s is capped on request', () => {
    expect(fn(bare.template, 'Poller')[1].Properties.ReservedConcurrentExecutions).toBe(2);
    expect(fn(bare.template, 'Api')[1].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn(full.template, 'Api')[1].Properties.ReservedConcurrentExecutions).toBe(100); // -c apiReservedConcurrency=100
    const none = templateWithoutBundling({ pollerReservedConcurrency: 'none' }).template;
    expect(fn(none, 'Poller')[1].Properties.ReservedConcurrentExecutions).toBeUndefined();
  }, 60_000);

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

  it('with a domain — behind CloudFront or not — reachable only through its custom domains (its own endpoint off)', () => {
    for (const s of [full, ownCertificate]) {
      expect(only(s.template, 'AWS::ApiGatewayV2::Api')[1].Properties.DisableExecuteApiEndpoint).toBe(true);
      expect(s.template.toJSON().Outputs.ApiEndpoint).toBeUndefined();
    }
    // without a domain the distribution's origin is that endpoint
    expect(only(bare.template, 'AWS::ApiGatewayV2::Api')[1].Properties.DisableExecuteApiEndpoint).toBe(false);
    bare.template.hasOutput('ApiEndpoint', {});
  });

  it('keeps the logical ids of the certificate, the domain names, their mappings, the records and the distribution', () => {
    const ids = Object.keys(full.template.toJSON().Resources);
    expect(ids).toEqual(expect.arrayContaining([...Object.values(NAME_LOGICAL_IDS), DISTRIBUTION_LOGICAL_ID]));
    const type = (id: string) => (full.template.toJSON().Resources[id] as Resource).Type;
    expect(type(NAME_LOGICAL_IDS.ApexDomain)).toBe('AWS::ApiGatewayV2::DomainName');
    expect(type(NAME_LOGICAL_IDS.WildcardMapping)).toBe('AWS::ApiGatewayV2::ApiMapping');
    expect(type(NAME_LOGICAL_IDS.WildcardAaaa)).toBe('AWS::Route53::RecordSet');
    expect(type(NAME_LOGICAL_IDS.Certificate)).toBe('AWS::CertificateManager::Certificate');
    expect(type(DISTRIBUTION_LOGICAL_ID)).toBe('AWS::CloudFront::Distribution');
    // the ids the stack generated before they were pinned: a deployed stack keeps its resources
    expect(NAME_LOGICAL_IDS.ApexDomain).toBe('HttpApiApexDomainF3F99060');
    expect(DISTRIBUTION_LOGICAL_ID).toBe('CdnDistribution149FA6C8');
    // without recordings (no distribution) the same ids
    expect(Object.keys(ownCertificate.template.toJSON().Resources)).toEqual(
      expect.arrayContaining([NAME_LOGICAL_IDS.ApexDomain, NAME_LOGICAL_IDS.WildcardDomain, NAME_LOGICAL_IDS.ApexMapping, NAME_LOGICAL_IDS.WildcardMapping]),
    );
  });

  it('creates the wildcard domain name after the apex’s, and deletes it before (one domain-name change at a time)', () => {
    for (const s of [full, ownCertificate]) {
      const wildcard = s.template.toJSON().Resources[NAME_LOGICAL_IDS.WildcardDomain] as Resource & { DependsOn?: string[] };
      expect(wildcard.DependsOn).toContain(NAME_LOGICAL_IDS.ApexDomain);
      expect((s.template.toJSON().Resources[NAME_LOGICAL_IDS.ApexDomain] as { DependsOn?: string[] }).DependsOn ?? []).not.toContain(NAME_LOGICAL_IDS.WildcardDomain);
    }
  });

  it('with -c dnsRecords=false (cut-over): the zone validates the certificate, the records stay the operator’s', () => {
    const { template: t } = templateWithoutBundling({ domain: 'sl.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com', dnsRecords: 'false', recordings: 'false' });
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(only(t, 'AWS::CertificateManager::Certificate')[1].Properties.DomainValidationOptions).toEqual([{ DomainName: 'sl.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }]);
    // what the operator points the names at (an UPSERT, docs/DEPLOY.md "Cut-over from a running Scalelite")
    for (const output of ['DnsTargetApex', 'DnsTargetWildcard']) t.hasOutput(output, { Value: { 'Fn::GetAtt': [Match.anyValue(), 'RegionalDomainName'] } });
    // with recordings the targets are the distribution
    const cdn = templateWithoutBundling({ ...FULL_CONTEXT, dnsRecords: 'false' }).template;
    cdn.resourceCountIs('AWS::Route53::RecordSet', 0);
    cdn.hasOutput('DnsTargetApex', { Value: { 'Fn::GetAtt': [DISTRIBUTION_LOGICAL_ID, 'DomainName'] } });
  }, 60_000);

  it('gets A and AAAA alias records for the apex and the wildcard in the hosted zone, to the distribution — the API-only records, updated in place', () => {
    const records = resources(full.template, 'AWS::Route53::RecordSet');
    expect(records.map(([, r]) => `${r.Properties.Type} ${r.Properties.Name}`).sort()).toEqual(['A *.sl.example.com.', 'A sl.example.com.', 'AAAA *.sl.example.com.', 'AAAA sl.example.com.']);
    const [distributionId] = only(full.template, 'AWS::CloudFront::Distribution');
    for (const [id, r] of records) {
      // the logical ids of the API-only set-up (HttpApi/ApexA …): moving behind CloudFront changes their target, no name is created twice
      expect(id).toMatch(/^HttpApi(Apex|Wildcard)(A|Aaaa)[0-9A-F]{8}$/);
      expect(r.Properties.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
      expect(r.Properties.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [distributionId, 'DomainName'] });
    }
  });

  it('with an existing certificate, DNS elsewhere and no recordings: that certificate on both domains, no record, the API Gateway DNS targets as outputs', () => {
    const t = ownCertificate.template;
    t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    t.resourceCountIs('AWS::CloudFront::Distribution', 0);
    const domains = resources(t, 'AWS::ApiGatewayV2::DomainName');
    expect(domains.map(([, d]) => d.Properties.DomainName).sort()).toEqual(['*.sl.example.com', 'sl.example.com']);
    for (const [, d] of domains) expect(d.Properties.DomainNameConfigurations[0].CertificateArn).toBe(CERTIFICATE_ARN);
    for (const output of ['DnsTargetApex', 'DnsTargetWildcard']) t.hasOutput(output, { Value: { 'Fn::GetAtt': [Match.anyValue(), 'RegionalDomainName'] } });
    t.hasOutput('BbbApiUrl', { Value: 'https://sl.example.com/bigbluebutton/api' });
    expect(ownCertificate.cfnValidation[0]).toMatchObject({ success: true, violations: [] });
    expect(ownCertificate.report.pluginReports.every((p) => p.conclusion === 'success')).toBe(true);
  });

  it('without a domain: no certificate, domain or record; front-ends use the distribution’s own name', () => {
    for (const type of ['AWS::CertificateManager::Certificate', 'AWS::ApiGatewayV2::DomainName', 'AWS::ApiGatewayV2::ApiMapping', 'AWS::Route53::RecordSet']) {
      bare.template.resourceCountIs(type, 0);
    }
    const [distributionId] = only(bare.template, 'AWS::CloudFront::Distribution');
    bare.template.hasOutput('BbbApiUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/bigbluebutton/api']] } });
  });
});

describe('the poller schedule', () => {
  it('starts the poller every minute, without retries, allowed by a permission for this rule only', () => {
    const [ruleId, rule] = resources(full.template, 'AWS::Events::Rule').find(([id]) => id.startsWith('PollerSchedule'))!;
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
  it('watch API 5xx, API throttles, poller errors, duration, throttles and silence, importer errors and duration, failed imports — notifying the topic', () => {
    // (the alarms on the functions' own metrics, `Metrics…`, are infra/metrics-monitoring.test.ts's)
    const alarms = resources(full.template, 'AWS::CloudWatch::Alarm').filter(([id]) => !id.startsWith('Metrics')).map(([, a]) => a.Properties);
    const [apiId] = only(full.template, 'AWS::ApiGatewayV2::Api');
    const [apiFnId] = fn(full.template, 'Api');
    const [pollerId] = fn(full.template, 'Poller');
    const metric = (ns: string, name: string, dim: unknown) =>
      alarms.find((a) => a.Namespace === ns && a.MetricName === name && JSON.stringify(a.Dimensions).includes(JSON.stringify(dim)));
    expect(metric('AWS/ApiGateway', '5xx', { Ref: apiId })).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(metric('AWS/Lambda', 'Throttles', { Ref: apiFnId })).toBeDefined();
    expect(metric('AWS/Lambda', 'Errors', { Ref: pollerId })).toMatchObject({ Threshold: 1 });
    expect(metric('AWS/Lambda', 'Duration', { Ref: pollerId })).toMatchObject({ Statistic: 'Maximum' });
    // an overlapping run throttled once is retried by Lambda: only throttling in 5 of 10 minutes is an alarm
    expect(metric('AWS/Lambda', 'Throttles', { Ref: pollerId })).toMatchObject({ Period: 60, EvaluationPeriods: 10, DatapointsToAlarm: 5, Threshold: 1, TreatMissingData: 'notBreaching' });
    expect(POLLER_THROTTLE_ALARM).toEqual({ datapoints: 5, minutes: 10 });
    // no run at all: no data, so INSUFFICIENT_DATA is the signal, and it is notified like ALARM
    expect(metric('AWS/Lambda', 'Invocations', { Ref: pollerId })).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
      InsufficientDataActions: [TOPIC_ARN],
      Period: 600,
    });
    const [importerId] = fn(full.template, 'Importer');
    const [queueId] = only(full.template, 'AWS::SQS::Queue');
    expect(metric('AWS/Lambda', 'Errors', { Ref: importerId })).toMatchObject({ Threshold: 1, Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(metric('AWS/Lambda', 'Duration', { Ref: importerId })).toMatchObject({ Statistic: 'Maximum', Threshold: 810_000 }); // 90 % of 15 min
    // a message in the dead-letter queue: > 0 visible, until an operator deletes it
    expect(metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queueId, 'QueueName'] })).toMatchObject({
      Threshold: 1,
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarms).toHaveLength(9);
    for (const a of alarms) expect(a.AlarmActions).toEqual([TOPIC_ARN]);
    // without recordings: the API's and the poller's six, none of the importer
    const apiOnly = resources(ownCertificate.template, 'AWS::CloudWatch::Alarm').filter(([id]) => !id.startsWith('Metrics')).map(([, a]) => a.Properties);
    expect(apiOnly).toHaveLength(6);
    expect(apiOnly.filter((a) => a.Namespace === 'AWS/SQS')).toEqual([]);
    for (const [, a] of resources(bare.template, 'AWS::CloudWatch::Alarm')) expect(a.Properties.AlarmActions).toBeUndefined();
  });

  it('are not in ALARM on a fresh deployment: no alarm treats missing data (nothing happened yet) as breaching', () => {
    for (const s of [full, bare, ownCertificate]) {
      for (const [id, a] of resources(s.template, 'AWS::CloudWatch::Alarm')) {
        expect(['notBreaching', 'missing'], id).toContain(a.Properties.TreatMissingData);
        // only the silence alarm reports by INSUFFICIENT_DATA; every other alarm has data only when something happened
        if (a.Properties.TreatMissingData === 'missing') expect(a.Properties.MetricName, id).toBe('Invocations');
      }
    }
  });
});

describe('recordings', () => {
  const bucketOf = (t: Template) => t.toJSON().Resources[RECORDINGS_BUCKET_LOGICAL_ID] as Resource & { DependsOn?: string[] };

  it('a private, encrypted bucket without versioning or ACLs, TLS only, retained, with its logical id pinned', () => {
    for (const t of [full.template, bare.template]) {
      const bucket = bucketOf(t);
      expect(bucket.Type).toBe('AWS::S3::Bucket');
      expect(bucket.Properties).toMatchObject({
        BucketNamespace: 'account-regional',
        BucketNamePrefix: 'scalelite-recordings',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
      expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
      expect(bucket.Properties.CorsConfiguration).toBeUndefined(); // BBB servers PUT with curl
      expect(bucket.Properties.BucketName).toBeUndefined();
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
      const policies = resources(t, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === RECORDINGS_BUCKET_LOGICAL_ID);
      expect(policies).toHaveLength(1);
      const [distributionId] = only(t, 'AWS::CloudFront::Distribution');
      const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [RECORDINGS_BUCKET_LOGICAL_ID, 'Arn'] }, prefix]] });
      // deny anything without TLS; the one grant: GetObject for this distribution, of the recordings and the player only
      expect(policies[0][1].Properties.PolicyDocument.Statement).toEqual([
        {
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Resource: [{ 'Fn::GetAtt': [RECORDINGS_BUCKET_LOGICAL_ID, 'Arn'] }, objects('/*')],
        },
        {
          Sid: 'DistributionReadsServedFiles',
          Action: 's3:GetObject',
          Condition: {
            StringEquals: {
              'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] },
            },
          },
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Resource: [objects('/playback/*'), objects('/recordings/*')],
        },
      ]);
      expect(JSON.stringify(policies[0][1].Properties.PolicyDocument)).not.toMatch(/uploads/);
    }
    // without recordings: no bucket at all
    ownCertificate.template.resourceCountIs('AWS::S3::Bucket', 0);
    ownCertificate.template.resourceCountIs('AWS::S3::BucketPolicy', 0);
  });

  it('aborts incomplete multipart uploads after a day and expires stale uploads; recordings never expire', () => {
    expect(UPLOAD_EXPIRATION_DAYS).toBeGreaterThanOrEqual(14);
    // a failed upload outlives the dead-letter message that names it
    expect(UPLOAD_EXPIRATION_DAYS * 24 * 3600).toBeGreaterThan(IMPORT_FAILURES_RETENTION.toSeconds() + IMPORT_MAX_EVENT_AGE.toSeconds());
    expect(bucketOf(full.template).Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'AbortIncompleteMultipartUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
      { Id: 'ExpireStaleUploads', Prefix: 'uploads/', ExpirationInDays: UPLOAD_EXPIRATION_DAYS, Status: 'Enabled' },
    ]);
  });

  it('logs server access to a bucket of its own (private, encrypted, retained, expiring with the log retention)', () => {
    const bucket = bucketOf(full.template);
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: ACCESS_LOGS_BUCKET_LOGICAL_ID }, LogFilePrefix: 'recordings-bucket/' });
    const logs = full.template.toJSON().Resources[ACCESS_LOGS_BUCKET_LOGICAL_ID] as Resource;
    expect(logs.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
    expect(logs.DeletionPolicy).toBe('Retain');
    // S3's log delivery may write there for this bucket only
    const [, policy] = resources(full.template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === ACCESS_LOGS_BUCKET_LOGICAL_ID)!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Action: 's3:PutObject',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [RECORDINGS_BUCKET_LOGICAL_ID, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    full.template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  it('names the bucket in the account-regional namespace, one name per stack, short enough for S3', () => {
    expect(bucketNamePrefix('Scalelite')).toBe('scalelite-recordings');
    expect(bucketNamePrefix('ScaleliteProd')).toBe('scaleliteprod-recordings');
    const long = bucketNamePrefix('A-very-long-stack-name-for-a-test-deployment-of-scalelite');
    expect(long).toBe('a-very-long-stack-na-recordings');
    // <prefix>-<12-digit account>-<region, up to 15>-an ≤ 63
    expect(long.length + 1 + 12 + 1 + 15 + 3).toBeLessThanOrEqual(63);
    expect(bucketNamePrefix('Trailing-Dash-In-The-Cut-xx')).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    const named = templateWithoutBundling({ stackName: 'ScaleliteStaging' });
    expect(bucketOf(named.template).Properties.BucketNamePrefix).toBe('scalelitestaging-recordings');
  }, 60_000);

  it('invokes the importer for every object created under uploads/ ending in .tar, allowed for this bucket and account only, without a custom resource', () => {
    const [importerId] = fn(full.template, 'Importer');
    const bucket = bucketOf(full.template);
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }, { Name: 'suffix', Value: '.tar' }] } },
          Function: { 'Fn::GetAtt': [importerId, 'Arn'] },
        },
      ],
    });
    const permissions = resources(full.template, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 's3.amazonaws.com');
    expect(permissions).toHaveLength(1);
    const [permissionId, permission] = permissions[0];
    expect(permission.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [importerId, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: bucketArn(),
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    // S3 checks the destination when the notification is set: the permission exists first
    expect(bucket.DependsOn).toContain(permissionId);
    expect(Object.values(full.template.toJSON().Resources).map((r: any) => r.Type)).not.toContain('Custom::S3BucketNotifications');
    // the computed name is the one the bucket gets (prefix + account-regional suffix)
    expect(fn(full.template, 'Importer')[1].Properties.Environment.Variables.S3_BUCKET_NAME).toEqual(BUCKET_NAME);
  });

  it('the importer: Node.js 22 on arm64, 15 minutes and 1,024 MB for multi-GB tars, reserved concurrency when configured', () => {
    const [, importer] = fn(bare.template, 'Importer');
    expect(importer.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900, MemorySize: IMPORTER_MEMORY_MB });
    expect(importer.Properties.ReservedConcurrentExecutions).toBeUndefined();
    // full: -c importerReservedConcurrency=5
    expect(fn(full.template, 'Importer')[1].Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it('retries a failed import twice, keeps events up to 6 h, then sends them to an encrypted, TLS-only queue kept 14 days', () => {
    const [importerId] = fn(full.template, 'Importer');
    const [queueId, queue] = only(full.template, 'AWS::SQS::Queue');
    full.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: importerId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: IMPORT_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(IMPORT_RETRY_ATTEMPTS).toBe(2);
    expect(queue.Properties).toEqual({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
    const [, queuePolicy] = only(full.template, 'AWS::SQS::QueuePolicy');
    expect(queuePolicy.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
  });

  it('outputs the bucket, the upload endpoint on the domain (or the distribution’s name) and the failure queue', () => {
    full.template.hasOutput('RecordingsBucketName', { Value: { Ref: RECORDINGS_BUCKET_LOGICAL_ID } });
    full.template.hasOutput('RecordingUploadEndpoint', { Value: 'https://sl.example.com/scalelite/recordings/upload' });
    full.template.hasOutput('ImportFailuresQueueUrl', { Value: { Ref: only(full.template, 'AWS::SQS::Queue')[0] } });
    full.template.hasOutput('ImporterFunctionName', { Value: { Ref: fn(full.template, 'Importer')[0] } });
    const [distributionId] = only(bare.template, 'AWS::CloudFront::Distribution');
    bare.template.hasOutput('RecordingUploadEndpoint', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/scalelite/recordings/upload']] } });
    // without recordings: none of them
    const outputs = Object.keys(ownCertificate.template.toJSON().Outputs);
    for (const name of ['RecordingsBucketName', 'RecordingUploadEndpoint', 'ImportFailuresQueueUrl', 'ImporterFunctionName', 'DistributionId']) expect(outputs).not.toContain(name);
  });

  it('runs the retention job daily in the importer, without retries of the event; not without recordings', () => {
    const [ruleId, rule] = resources(full.template, 'AWS::Events::Rule').find(([id]) => id.startsWith('RecordingRetentionSchedule'))!;
    const [importerId] = fn(full.template, 'Importer');
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'cron(17 3 * * ? *)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [importerId, 'Arn'] }, Input: JSON.stringify({ job: RETENTION_JOB }), RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    full.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [importerId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    expect(resources(ownCertificate.template, 'AWS::Events::Rule').map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['PollerSchedule']);
  });

  it('bundles the importer without s3rver or the local stack, the S3 client inside', () => {
    const code = wholeBundle(full, 'Importer');
    expect(code).not.toMatch(/import\("@aws-sdk\/client-s3"\)|from"@aws-sdk\/client-s3"/); // not the runtime's
    expect(code).toContain('AbortMultipartUpload'); // the bundled S3 client (multipart uploads of big files)
    expect(code).not.toMatch(/s3rver|dynalite|@hono\/node-server/);
  });
});

describe('CloudFront in front (recordings on)', () => {
  type Behavior = Record<string, any>;
  const distributionOf = (t: Template) => only(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig as Record<string, any>;
  const originsOf = (t: Template) => {
    const origins = distributionOf(t).Origins as Behavior[];
    expect(origins).toHaveLength(2);
    const bucket = origins.find((o) => JSON.stringify(o.DomainName).includes(RECORDINGS_BUCKET_LOGICAL_ID))!;
    const api = origins.find((o) => o !== bucket)!;
    return { api, bucket };
  };
  const behaviorsOf = (t: Template) => distributionOf(t).CacheBehaviors as Behavior[];
  const functionId = (t: Template, prefix: string) => resources(t, 'AWS::CloudFront::Function').find(([id]) => id.startsWith(prefix))![0];
  const FORMATS = ENV.RECORDING_PLAYBACK_FORMATS.default.split(':');

  it('serves the apex and the wildcard with the us-east-1 certificate, TLS 1.2 (2021) at least, HTTP/2 and 3, IPv6', () => {
    expect(distributionOf(full.template)).toMatchObject({
      Enabled: true,
      Aliases: ['sl.example.com', '*.sl.example.com'],
      ViewerCertificate: { AcmCertificateArn: CLOUDFRONT_CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
      PriceClass: 'PriceClass_100',
    });
    // the regional certificate of the API's custom domains is another one
    expect(JSON.stringify(resources(full.template, 'AWS::ApiGatewayV2::DomainName'))).not.toContain(CLOUDFRONT_CERTIFICATE_ARN);
    // without a domain: CloudFront's own name and certificate
    const bareConfig = distributionOf(bare.template);
    expect(bareConfig.Aliases).toBeUndefined();
    expect(bareConfig.ViewerCertificate).toBeUndefined();
  });

  it('has two origins: the API’s apex custom domain over HTTPS only, and the private bucket through an origin access control', () => {
    const { api, bucket } = originsOf(full.template);
    const apexDomain = resources(full.template, 'AWS::ApiGatewayV2::DomainName').find(([, d]) => d.Properties.DomainName === 'sl.example.com')![0];
    expect(api).toMatchObject({
      DomainName: { 'Fn::GetAtt': [apexDomain, 'RegionalDomainName'] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], OriginReadTimeout: 30 },
    });
    const [oacId, oac] = only(full.template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(bucket).toEqual({
      Id: bucket.Id,
      DomainName: { 'Fn::GetAtt': [RECORDINGS_BUCKET_LOGICAL_ID, 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    // without a domain: the HTTP API's own endpoint
    expect(originsOf(bare.template).api.DomainName).toEqual({
      'Fn::Join': ['', [{ Ref: only(bare.template, 'AWS::ApiGatewayV2::Api')[0] }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
    });
  });

  it('sends every API path to the API uncached, with every method, query string, header and cookie — and the viewer’s Host', () => {
    for (const [s, originRequestPolicy] of [
      [full, OriginRequestPolicy.ALL_VIEWER],
      [bare, OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER],
    ] as const) {
      const config = distributionOf(s.template);
      const thumbnails = behaviorsOf(s.template).find((b) => b.PathPattern === '/presentation/*/thumbnails/*')!;
      for (const b of [config.DefaultCacheBehavior, thumbnails]) {
        expect(b).toMatchObject({
          TargetOriginId: originsOf(s.template).api.Id,
          CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
          OriginRequestPolicyId: originRequestPolicy.originRequestPolicyId,
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          ViewerProtocolPolicy: 'redirect-to-https',
        });
        expect(b.TrustedKeyGroups).toBeUndefined();
      }
    }
    // AllViewer: all viewer headers (Host too), cookies and query strings; the API picks the custom domain (the tenant) by the Host
    expect(distributionOf(full.template).DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    // without a domain the endpoint needs its own Host: the viewer's goes as X-Forwarded-Host
    expect(distributionOf(bare.template).DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(bare.template, 'CdnForwardedHost'), 'FunctionARN'] } },
    ]);
    expect(resources(full.template, 'AWS::CloudFront::Function').map(([id]) => id)).not.toContainEqual(expect.stringMatching(/ForwardedHost/));
  });

  it('serves each playback format’s files from the bucket: signed cookie of the key group, cached, mapped to the bucket keys by the function', () => {
    for (const s of [full, bare]) {
      const [keyGroupId] = only(s.template, 'AWS::CloudFront::KeyGroup');
      const { bucket } = originsOf(s.template);
      const files = {
        TargetOriginId: bucket.Id,
        CachePolicyId: CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
        AllowedMethods: ['GET', 'HEAD'],
        CachedMethods: ['GET', 'HEAD'],
        Compress: true,
        ViewerProtocolPolicy: 'redirect-to-https',
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId(s.template, 'CdnRecordingFiles'), 'FunctionARN'] } }],
      };
      const behaviors = behaviorsOf(s.template);
      for (const format of FORMATS) {
        const b = behaviors.find((x) => x.PathPattern === `/${format}/*`);
        expect(b, format).toEqual({ ...files, PathPattern: `/${format}/*`, TrustedKeyGroups: [{ Ref: keyGroupId }] });
      }
      // the player's files: public, cached, no cookie
      expect(behaviors.find((x) => x.PathPattern === '/playback/presentation/2.3/*.*')).toEqual({ ...files, PathPattern: '/playback/presentation/2.3/*.*' });
      // precedence: the thumbnails stay with the API, before /presentation/*; nothing else
      const order = behaviors.map((b) => b.PathPattern);
      expect(order).toEqual(['/presentation/*/thumbnails/*', '/playback/presentation/2.3/*.*', ...FORMATS.map((f) => `/${f}/*`)]);
    }
  });

  it('deploys the recording-files function as tested (cloudfront-js-2.0, published)', () => {
    const [, f] = resources(full.template, 'AWS::CloudFront::Function').find(([id]) => id.startsWith('CdnRecordingFiles'))!;
    expect(f.Properties).toMatchObject({ AutoPublish: true, FunctionCode: recordingFilesFunctionCode(), FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    const [, forwarded] = resources(bare.template, 'AWS::CloudFront::Function').find(([id]) => id.startsWith('CdnForwardedHost'))!;
    expect(forwarded.Properties).toMatchObject({ FunctionCode: forwardedHostFunctionCode(), FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
  });

  it('answers a refused or missing file (403) with Scalelite’s page as a 404, served by the API, cached 10 s', () => {
    for (const s of [full, bare]) {
      expect(distributionOf(s.template).CustomErrorResponses).toEqual([{ ErrorCode: 403, ResponseCode: 404, ResponsePagePath: RECORDING_NOT_FOUND_PATH, ErrorCachingMinTTL: 10 }]);
    }
    expect(RECORDING_NOT_FOUND_PATH.split('/')[1]).toBe('errors'); // no file behaviour matches it: the default (API) serves it
  });

  it('generates the signing key in a retained secret: a custom resource returns the public key, in the key group', () => {
    const t = full.template;
    const [crId, cr] = only(t, PLAYBACK_KEY_RESOURCE_TYPE);
    expect(cr.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^CustomPlaybackSigningKeyProvider.*Handler/), 'Arn'] },
      SecretArn: { Ref: PLAYBACK_KEY_SECRET_LOGICAL_ID },
      KeyVersion: '1',
    });
    const [publicKeyId, publicKey] = only(t, 'AWS::CloudFront::PublicKey');
    expect(publicKey.Properties.PublicKeyConfig.EncodedKey).toEqual({ 'Fn::GetAtt': [crId, 'PublicKeyPem'] });
    const [, keyGroup] = only(t, 'AWS::CloudFront::KeyGroup');
    expect(keyGroup.Properties.KeyGroupConfig.Items).toEqual([{ Ref: publicKeyId }]);
    expect(t.toJSON().Resources[PLAYBACK_KEY_SECRET_LOGICAL_ID]).toMatchObject({ Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const [, handler] = resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('CustomPlaybackSigningKeyProvider'))!;
    expect(handler.Properties).toMatchObject({ Runtime: 'nodejs22.x', Handler: '__entrypoint__.handler' });
  });

  it('a new playbackKeyVersion replaces the key: a new public key in the key group, the same secret', () => {
    const v2 = templateWithoutBundling({ ...FULL_CONTEXT, playbackKeyVersion: '2' }).template;
    const [, cr] = only(v2, PLAYBACK_KEY_RESOURCE_TYPE);
    expect(cr.Properties.KeyVersion).toBe('2');
    const [v1KeyId] = only(full.template, 'AWS::CloudFront::PublicKey');
    const [v2KeyId, v2Key] = only(v2, 'AWS::CloudFront::PublicKey');
    expect(v2KeyId).not.toBe(v1KeyId); // created next to the old one, which goes once the key group moved
    expect(v2Key.Properties.PublicKeyConfig.Name).not.toBe(only(full.template, 'AWS::CloudFront::PublicKey')[1].Properties.PublicKeyConfig.Name);
    expect(only(v2, 'AWS::CloudFront::KeyGroup')[1].Properties.KeyGroupConfig.Items).toEqual([{ Ref: v2KeyId }]);
    expect(v2.toJSON().Resources[PLAYBACK_KEY_SECRET_LOGICAL_ID].Type).toBe('AWS::SecretsManager::Secret');
    expect(fn(v2, 'Api')[1].Properties.Environment.Variables.CF_KEY_PAIR_ID).toEqual({ Ref: v2KeyId });
  }, 60_000);

  it('outputs the distribution; the domain’s DNS targets are the distribution', () => {
    const [distributionId] = only(full.template, 'AWS::CloudFront::Distribution');
    full.template.hasOutput('DistributionId', { Value: { Ref: distributionId } });
    for (const output of ['DistributionDomainName', 'DnsTargetApex', 'DnsTargetWildcard']) {
      full.template.hasOutput(output, { Value: { 'Fn::GetAtt': [distributionId, 'DomainName'] } });
    }
  });

  it('with -c recordings=false: today’s API-only set-up — no distribution, bucket, importer, key or function', () => {
    const t = ownCertificate.template;
    for (const type of [
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::Function',
      'AWS::CloudFront::KeyGroup',
      'AWS::CloudFront::PublicKey',
      'AWS::CloudFront::OriginAccessControl',
      PLAYBACK_KEY_RESOURCE_TYPE,
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
    ]) {
      t.resourceCountIs(type, 0);
    }
    expect(hasFunction(t, 'Importer')).toBe(false);
    expect(resources(t, 'AWS::Lambda::Function')).toHaveLength(3); // API, poller, admin
    expect(t.toJSON().Resources[PLAYBACK_KEY_SECRET_LOGICAL_ID]).toBeUndefined();
  });
});
