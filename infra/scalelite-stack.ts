import { Annotations, Aws, CfnOutput, Duration, Fn, Stack, type StackProps, Token } from 'aws-cdk-lib';
import type { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import { MIN_LAMBDA_TIMEOUT_SECONDS, SCHEDULE_PERIOD_MS } from '../shared/app/poller-schedule.js';
import { ENV } from '../shared/config/env-names.js';
import type { SecretEnvName } from '../shared/config/secret-env.js';
import { UPLOAD_PATH } from '../shared/http/recording-upload.js';
import { createAdminFunction } from './admin-function.js';
import { ScaleliteAlarms } from './alarms.js';
import { checkRegions, lambdaSettings, playbackFormats, regionalArns, type ScaleliteConfig } from './config.js';
import { ScaleliteFunction } from './functions.js';
import { ScaleliteHttpApi } from './http-api.js';
import { allowListBucket, createRecordingImporter, type RecordingImporter } from './importer.js';
import { lambdaEnvironment } from './lambda-environment.js';
import { MetricsMonitoring, metricsMonitoringProps } from './metrics-monitoring.js';
import { acknowledgeFindings } from './nag-acknowledgments.js';
import { PlaybackSigningKey } from './playback-key.js';
import { createRecordingsBucket, PLAYBACK_OBJECTS, RECORDING_OBJECTS, UPLOAD_OBJECTS } from './recordings-bucket.js';
import { RecordingsDistribution } from './recordings-distribution.js';
import { type SecretSources, secretSources } from './secret-sources.js';
import { createTable, type ScaleliteTable } from './table.js';

export interface ScaleliteStackProps extends StackProps {
  config: ScaleliteConfig;
}

/** The API function answers within API Gateway's 29 s (a BBB create: connect 5 s + response 10 s by default). */
export const API_TIMEOUT = Duration.seconds(29);
/**
 * The poller's timing is the shared schedule contract (`shared/app/poller-schedule.ts`): started once per
 * schedule period, it owns the cycle slots up to the next start minus a margin, so runs never
 * overlap, and it needs a timeout covering the whole period.
 */
export const POLLER_SCHEDULE = Duration.millis(SCHEDULE_PERIOD_MS);
export const POLLER_TIMEOUT = Duration.seconds(MIN_LAMBDA_TIMEOUT_SECONDS);

/**
 * The secrets that sign recording-ready callbacks (reference §5.8: the LB secrets; a tenant's come from
 * the table): the importer makes the first attempt, the poller the retries (shared/app/recording-ready.ts).
 * Never ADMIN_SECRET.
 */
export const CALLBACK_SIGNING_SECRETS: readonly SecretEnvName[] = ['LOADBALANCER_SECRET', 'LOADBALANCER_SECRETS'];

/**
 * The whole system: the table, the API function behind an HTTP API (v2) with the custom domains,
 * the poller on an EventBridge schedule, the admin function slctl invokes (with its "slctl operator"
 * managed policy), log groups, alarms — and, with recordings (the default), the
 * recordings bucket, its importer and retention schedule, the playback signing key and the CloudFront
 * distribution in front of the API and the bucket; least-privilege grants between them.
 */
export class ScaleliteStack extends Stack {
  readonly config: ScaleliteConfig;
  readonly table: ScaleliteTable;
  readonly api: ScaleliteFunction;
  readonly poller: ScaleliteFunction;
  readonly httpApi: ScaleliteHttpApi;
  readonly secrets: SecretSources;
  readonly schedule: Rule;
  /** Runs slctl's tasks (`slctl --via lambda`); invoked only by principals holding `operatorPolicy`. */
  readonly admin: ScaleliteFunction;
  readonly operatorPolicy: ManagedPolicy;
  /** With -c recordings=true (the default). */
  readonly recordings?: RecordingImporter;
  readonly playbackKey?: PlaybackSigningKey;
  readonly cdn?: RecordingsDistribution;
  /** The metrics dashboard and the alarms on the functions' own metrics. */
  readonly monitoring: MetricsMonitoring;

  constructor(scope: Construct, id: string, props: ScaleliteStackProps) {
    super(scope, id, {
      description: 'Serverless Scalelite: BigBlueButton load balancer (HTTP API + Lambda + DynamoDB + S3 + CloudFront)',
      ...props,
    });
    const config = props.config;
    this.config = config;
    this.checkRegions();
    this.table = createTable(this, { tableName: config.tableName, kmsKeyArn: config.tableKmsKeyArn });
    const bucket = config.recordings ? createRecordingsBucket(this, { stackName: config.stackName, logRetentionDays: config.logRetentionDays }) : undefined;
    this.playbackKey = config.cloudFront ? new PlaybackSigningKey(this, 'PlaybackKey', { version: config.cloudFront.playbackKeyVersion }) : undefined;
    this.secrets = secretSources(this, config, this.playbackKey ? { CF_PRIVATE_KEY_B64: this.playbackKey.secret } : {});
    const settings = lambdaSettings(config, {
      tableName: this.table.table.tableName,
      // without recordings nothing reads the bucket (RECORDING_DISABLED): the contract's default name, no grant
      bucketName: bucket?.name ?? ENV.S3_BUCKET_NAME.default,
      keyPairId: this.playbackKey?.publicKey.publicKeyId,
    });
    const allow = (grantee: IGrantable, actions: string[], resourceArns: string[]) => Grant.addToPrincipal({ grantee, actions, resourceArns });

    this.api = new ScaleliteFunction(this, 'ApiFunction', {
      entry: 'api',
      description: 'Scalelite BBB API (HTTP API v2 to Hono)',
      memorySize: 512,
      timeout: API_TIMEOUT,
      environment: lambdaEnvironment(settings, this.secrets.arns),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
      runtime: config.lambdaRuntime,
      // with a cap the API cannot take the concurrency the poller, the importer and the admin function need
      reservedConcurrentExecutions: config.apiReservedConcurrency,
    });
    this.table.grantReadWriteData(this.api.fn);
    // the BBB and admin secrets, and the playback signing key
    this.secrets.grantRead(this.api.fn);
    if (bucket) {
      // presigned upload URLs carry this role's signature: PUT of an upload, nothing else
      allow(this.api.fn, ['s3:PutObject'], [bucket.objectsArn(UPLOAD_OBJECTS)]);
      // thumbnails (checked by the API: <img> tags carry no playback cookie), the local-style file route,
      // and deleteRecordings
      allow(this.api.fn, ['s3:GetObject', 's3:DeleteObject'], [bucket.objectsArn(RECORDING_OBJECTS)]);
      // the presentation player's index.html, served by the API after the play checks
      allow(this.api.fn, ['s3:GetObject'], [bucket.objectsArn(PLAYBACK_OBJECTS)]);
      allowListBucket(this.api.fn, bucket);
    }

    this.poller = new ScaleliteFunction(this, 'PollerFunction', {
      entry: 'poller',
      description: 'Scalelite poller (BBB server health, load, ended meetings)',
      // CPU scales with memory: at 1,000 servers a cycle is ~1.5 ms of CPU per server (bench/poller-cycle.ts)
      memorySize: 1024,
      timeout: POLLER_TIMEOUT,
      // the poller checks no BBB API call (server secrets are in the table); it signs the retries of
      // recording-ready callbacks with the LB secrets
      environment: lambdaEnvironment(settings, this.secrets.arnsOf(CALLBACK_SIGNING_SECRETS)),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
      runtime: config.lambdaRuntime,
      // its own concurrency (POLLER_RESERVED_CONCURRENCY by default): a flood of API calls never starves polling
      reservedConcurrentExecutions: config.pollerReservedConcurrency,
    });
    this.table.grantReadWriteData(this.poller.fn);
    this.secrets.grantRead(this.poller.fn, CALLBACK_SIGNING_SECRETS);
    // a failed or late run is not retried: the next scheduled run polls afresh
    this.poller.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });

    this.schedule = new Rule(this, 'PollerSchedule', {
      description: `Starts the poller (rate: ${POLLER_SCHEDULE.toHumanString()}); it polls every POLL_INTERVAL (${config.pollInterval} s), start to start`,
      schedule: Schedule.rate(POLLER_SCHEDULE),
      targets: [new LambdaFunction(this.poller.fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });

    const admin = createAdminFunction(this, { config, table: this.table, settings, secrets: this.secrets, bucket });
    this.admin = admin.admin;
    this.operatorPolicy = admin.operatorPolicy;

    if (bucket) {
      this.recordings = createRecordingImporter(this, { config, bucket, table: this.table, settings, secrets: this.secrets, signingSecrets: CALLBACK_SIGNING_SECRETS });
    }

    this.httpApi = new ScaleliteHttpApi(this, 'HttpApi', {
      handler: this.api.fn,
      domain: config.domain,
      logRetentionDays: config.logRetentionDays,
      behindCloudFront: config.cloudFront !== undefined,
      throttle: config.apiThrottle,
    });

    if (config.cloudFront && this.recordings && this.playbackKey) {
      this.cdn = new RecordingsDistribution(this, 'Cdn', {
        api: this.httpApi.api,
        apiDomain: this.httpApi.domainNames[0],
        domain: config.domain,
        cloudFront: config.cloudFront,
        recordings: this.recordings.bucket,
        keyGroup: this.playbackKey.keyGroup,
        formats: playbackFormats(config),
      });
      this.httpApi.pointNamesAt(RecordTarget.fromAlias(new CloudFrontTarget(this.cdn.distribution)));
    }

    new ScaleliteAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      apiFunction: this.api.fn,
      poller: this.poller.fn,
      pollerTimeout: POLLER_TIMEOUT,
      pollerSchedule: POLLER_SCHEDULE,
      importer: this.recordings && { fn: this.recordings.importer.fn, timeout: this.recordings.importerTimeout, failures: this.recordings.importFailures },
      alarmTopicArn: config.alarmTopicArn,
    });
    // the functions' own metrics (EMF): the dashboard and the alarms built on them
    this.monitoring = new MetricsMonitoring(this, 'Metrics', metricsMonitoringProps(config));

    this.outputs(config);
    acknowledgeFindings(this);
  }

  /**
   * The ARNs that work only in the stack's region (`regionalArns`) are checked when the region is known at
   * synth (`cdk synth`/`deploy` with a profile or AWS_REGION: CDK_DEFAULT_REGION); an environment-agnostic
   * synth cannot, and says so.
   */
  private checkRegions(): void {
    if (!Token.isUnresolved(this.region)) {
      checkRegions(this.config, this.region);
    } else if (regionalArns(this.config).length > 0) {
      Annotations.of(this).addWarningV2(
        'scalelite:region-unchecked',
        `The stack's region is not known at synth (no CDK_DEFAULT_REGION): not checked that ${regionalArns(this.config)
          .map((a) => a.key)
          .join(', ')} are in the region the stack is deployed to.`,
      );
    }
  }

  private outputs(config: ScaleliteConfig): void {
    const distribution = this.cdn?.distribution;
    if (!config.domain) {
      new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.api.apiEndpoint, description: 'The own endpoint of the HTTP API' });
    }
    const origin = config.domain ? `https://${config.domain.name}` : distribution ? `https://${distribution.distributionDomainName}` : this.httpApi.api.apiEndpoint;
    new CfnOutput(this, 'BbbApiUrl', { value: `${origin}/bigbluebutton/api`, description: 'What front-ends use as the BBB server URL' });
    if (distribution) {
      new CfnOutput(this, 'DistributionId', { value: distribution.distributionId, description: 'The CloudFront distribution (invalidations, metrics)' });
      new CfnOutput(this, 'DistributionDomainName', { value: distribution.distributionDomainName, description: 'The distribution’s own name (the DNS target of the domain)' });
    }
    if (config.domain) {
      const [apex, wildcard] = this.httpApi.domainNames;
      const target = (regional: string) => distribution?.distributionDomainName ?? regional;
      new CfnOutput(this, 'DnsTargetApex', { value: target(apex.regionalDomainName), description: `${config.domain.name}: alias/CNAME target (when DNS is not in Route 53)` });
      new CfnOutput(this, 'DnsTargetWildcard', { value: target(wildcard.regionalDomainName), description: `*.${config.domain.name}: alias/CNAME target` });
    }
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'DYNAMODB_TABLE for slctl' });
    const adminName = this.admin.fn.functionName;
    new CfnOutput(this, 'AdminFunctionName', {
      value: adminName,
      description: `The admin function slctl runs its tasks in: slctl context:set ${config.stackName} --via lambda --function <this name> --region <the stack's region> (docs/DEPLOY.md "Operators")`,
    });
    new CfnOutput(this, 'AdminFunctionArn', { value: this.admin.fn.functionArn, description: 'The admin function’s ARN (the only resource of the slctl operator policy)' });
    new CfnOutput(this, 'SlctlContextCommand', {
      value: Fn.join('', [`slctl context:set ${config.stackName} --via lambda --function `, adminName, ' --region ', Aws.REGION]),
      description: 'Run once on an operator’s machine: slctl then sends every task to the admin function',
    });
    new CfnOutput(this, 'SlctlOperatorPolicyArn', {
      value: this.operatorPolicy.managedPolicyArn,
      description: 'Attach to the operators’ role, group or SSO permission set: lambda:InvokeFunction on the admin function, nothing else',
    });
    if (this.recordings) {
      new CfnOutput(this, 'RecordingUploadEndpoint', {
        value: `${origin}${UPLOAD_PATH}`,
        description: 'Where the post-publish script of each BBB server asks for an upload URL (docs/RECORDINGS.md)',
      });
      new CfnOutput(this, 'RecordingsBucketName', { value: this.recordings.bucket.bucket.bucketName, description: 'S3_BUCKET_NAME for slctl (recordings:import, playback:install)' });
      new CfnOutput(this, 'ImportFailuresQueueUrl', { value: this.recordings.importFailures.queueUrl, description: 'Imports that failed after their retries (docs/DEPLOY.md "Recordings")' });
      new CfnOutput(this, 'ImporterFunctionName', { value: this.recordings.importer.fn.functionName, description: 'The importer Lambda (its log group and environment, docs/DEPLOY.md "Recordings")' });
    }
  }
}
