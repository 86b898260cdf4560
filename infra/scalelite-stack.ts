import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { MIN_LAMBDA_TIMEOUT_SECONDS, SCHEDULE_PERIOD_MS } from '../shared/app/poller-schedule.js';
import type { SecretEnvName } from '../shared/config/secret-env.js';
import { UPLOAD_PATH } from '../shared/http/recording-upload.js';
import { ScaleliteAlarms } from './alarms.js';
import { lambdaSettings, type ScaleliteConfig } from './config.js';
import { ScaleliteFunction } from './functions.js';
import { ScaleliteHttpApi } from './http-api.js';
import { IMPORTER_MEMORY_MB, IMPORTER_TIMEOUT, wireImporter } from './importer.js';
import { lambdaEnvironment } from './lambda-environment.js';
import { acknowledgeFindings } from './nag-acknowledgments.js';
import { createRecordingsBucket, RECORDING_OBJECTS, type RecordingsBucket, UPLOAD_OBJECTS } from './recordings-bucket.js';
import { type SecretSources, secretSources } from './secret-sources.js';
import { createTable } from './table.js';

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
 * the poller on an EventBridge schedule, the recordings bucket and its importer, log groups, alarms —
 * and least-privilege grants between them.
 */
export class ScaleliteStack extends Stack {
  readonly table: Table;
  readonly recordings: RecordingsBucket;
  readonly api: ScaleliteFunction;
  readonly poller: ScaleliteFunction;
  readonly importer: ScaleliteFunction;
  readonly importFailures: Queue;
  readonly httpApi: ScaleliteHttpApi;
  readonly secrets: SecretSources;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: ScaleliteStackProps) {
    super(scope, id, {
      description: 'Serverless Scalelite: BigBlueButton load balancer (HTTP API + Lambda + DynamoDB + S3)',
      ...props,
    });
    const config = props.config;
    this.table = createTable(this, { tableName: config.tableName });
    this.recordings = createRecordingsBucket(this, { stackName: config.stackName, logRetentionDays: config.logRetentionDays });
    this.secrets = secretSources(this, config);
    const settings = lambdaSettings(config, { tableName: this.table.tableName, bucketName: this.recordings.name });
    const allow = (grantee: IGrantable, actions: string[], resourceArns: string[]) => Grant.addToPrincipal({ grantee, actions, resourceArns });
    // S3 answers a missing key with 404 only to a caller that may list the bucket (403 otherwise): "not
    // found" (a redelivered event whose upload is gone, a file nobody stored) must not look like "forbidden".
    const listBucket = (grantee: IGrantable) => allow(grantee, ['s3:ListBucket'], [this.recordings.arn]);

    this.api = new ScaleliteFunction(this, 'ApiFunction', {
      entry: 'api',
      description: 'Scalelite BBB API (HTTP API v2 to Hono)',
      memorySize: 512,
      timeout: API_TIMEOUT,
      environment: lambdaEnvironment(settings, this.secrets.arns),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
    });
    this.table.grantReadWriteData(this.api.fn);
    this.secrets.grantRead(this.api.fn);
    // presigned upload URLs carry this role's signature: PUT of an upload, nothing else
    allow(this.api.fn, ['s3:PutObject'], [this.recordings.objectsArn(UPLOAD_OBJECTS)]);
    // local-style playback (/<format>/<record id>/…, issue 11 moves it to CloudFront) and deleteRecordings
    allow(this.api.fn, ['s3:GetObject', 's3:DeleteObject'], [this.recordings.objectsArn(RECORDING_OBJECTS)]);
    listBucket(this.api.fn);

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

    this.importer = new ScaleliteFunction(this, 'ImporterFunction', {
      entry: 'importer',
      description: 'Scalelite recording importer (S3 upload to recordings and DynamoDB)',
      memorySize: IMPORTER_MEMORY_MB,
      timeout: IMPORTER_TIMEOUT,
      environment: lambdaEnvironment(settings, this.secrets.arnsOf(CALLBACK_SIGNING_SECRETS)),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
      reservedConcurrentExecutions: config.importerReservedConcurrency,
    });
    // the recording, its formats and the recording-ready callback outbox are items of the table
    this.table.grantReadWriteData(this.importer.fn);
    this.secrets.grantRead(this.importer.fn, CALLBACK_SIGNING_SECRETS);
    // read the upload, delete it once the import committed
    allow(this.importer.fn, ['s3:GetObject', 's3:DeleteObject'], [this.recordings.objectsArn(UPLOAD_OBJECTS)]);
    // write the files (multipart for big ones; an upload that fails is aborted); a re-import removes the
    // files of a format that its new tar no longer has (no stale slides)
    allow(this.importer.fn, ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], [this.recordings.objectsArn(RECORDING_OBJECTS)]);
    listBucket(this.importer.fn);
    this.importFailures = wireImporter(this, this.importer, this.recordings).failures;

    this.httpApi = new ScaleliteHttpApi(this, 'HttpApi', { handler: this.api.fn, domain: config.domain, logRetentionDays: config.logRetentionDays });

    new ScaleliteAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      apiFunction: this.api.fn,
      poller: this.poller.fn,
      pollerTimeout: POLLER_TIMEOUT,
      pollerSchedule: POLLER_SCHEDULE,
      importer: this.importer.fn,
      importerTimeout: IMPORTER_TIMEOUT,
      importFailures: this.importFailures,
      alarmTopicArn: config.alarmTopicArn,
    });

    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.api.apiEndpoint, description: 'The own endpoint of the HTTP API' });
    const origin = config.domain ? `https://${config.domain.name}` : this.httpApi.api.apiEndpoint;
    new CfnOutput(this, 'RecordingUploadEndpoint', {
      value: `${origin}${UPLOAD_PATH}`,
      description: 'Where the post-publish script of each BBB server asks for an upload URL (docs/RECORDINGS.md)',
    });
    if (config.domain) {
      new CfnOutput(this, 'BbbApiUrl', { value: `https://${config.domain.name}/bigbluebutton/api`, description: 'What front-ends use as the BBB server URL' });
      const [apex, wildcard] = this.httpApi.domainNames;
      new CfnOutput(this, 'DnsTargetApex', { value: apex.regionalDomainName, description: `${config.domain.name}: alias/CNAME target (when DNS is not in Route 53)` });
      new CfnOutput(this, 'DnsTargetWildcard', { value: wildcard.regionalDomainName, description: `*.${config.domain.name}: alias/CNAME target` });
    } else {
      new CfnOutput(this, 'BbbApiUrl', { value: `${this.httpApi.api.apiEndpoint}/bigbluebutton/api`, description: 'What front-ends use as the BBB server URL' });
    }
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DYNAMODB_TABLE for slctl' });
    new CfnOutput(this, 'RecordingsBucketName', { value: this.recordings.bucket.bucketName, description: 'S3_BUCKET_NAME for slctl (recordings:import)' });
    new CfnOutput(this, 'ImportFailuresQueueUrl', { value: this.importFailures.queueUrl, description: 'Imports that failed after their retries (docs/DEPLOY.md "Recordings")' });
    new CfnOutput(this, 'ImporterFunctionName', { value: this.importer.fn.functionName, description: 'The importer Lambda (its log group and environment, docs/DEPLOY.md "Recordings")' });

    acknowledgeFindings(this);
  }
}
