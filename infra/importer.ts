import { Aws, Duration } from 'aws-cdk-lib';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SecretEnvName } from '../shared/config/secret-env.js';
import { UPLOADS_PREFIX } from '../shared/storage/storage-keys.js';
import type { ScaleliteConfig } from './config.js';
import { ScaleliteFunction } from './functions.js';
import { type LambdaPlainEnvName, lambdaEnvironment } from './lambda-environment.js';
import { RECORDING_OBJECTS, type RecordingsBucket, UPLOAD_OBJECTS } from './recordings-bucket.js';
import { scheduleRetention } from './retention-schedule.js';
import type { SecretSources } from './secret-sources.js';
import type { ScaleliteTable } from './table.js';

/** Lambda's maximum: one invocation streams one tar, however big, from S3 to S3. */
export const IMPORTER_TIMEOUT = Duration.minutes(15);
/**
 * Memory is not what the importer needs — it streams the tar with bounded memory (goal: peak RSS under 256 MB,
 * bench/ "import of a 500 MB tar") — but Lambda gives CPU and network bandwidth in proportion to memory
 * (1,769 MB = one vCPU). 1,024 MB (≈ 0.6 vCPU) keeps the tar parsing and the parallel multipart uploads
 * fed, so that a multi-GB tar fits the 15 minutes — not measured on AWS (no account here): the
 * ImporterDuration alarm warns at 90 % of the timeout — at a cost paid only per import.
 */
export const IMPORTER_MEMORY_MB = 1024;
/** Lambda's async retries of a failed import (about 1 and 3 minutes later), then the dead-letter queue. */
export const IMPORT_RETRY_ATTEMPTS = 2;
/**
 * How long an S3 event may wait in Lambda's async queue (the maximum): a burst of uploads throttled by
 * `importerReservedConcurrency` or the account's concurrency still imports instead of dead-lettering.
 */
export const IMPORT_MAX_EVENT_AGE = Duration.hours(6);
/** SQS's maximum: a failed import stays on record two weeks (its upload, UPLOAD_EXPIRATION_DAYS). */
export const IMPORT_FAILURES_RETENTION = Duration.days(14);

/** The notification: every object created under `uploads/` whose key ends in `.tar`. */
export const IMPORT_EVENT = 's3:ObjectCreated:*';
export const IMPORT_FILTER = { prefix: UPLOADS_PREFIX, suffix: '.tar' } as const;

export interface ImporterWiring {
  /** The on-failure destination of the importer: one message per S3 event whose import failed for good. */
  failures: Queue;
  permission: CfnPermission;
}

/**
 * Connects the bucket to the importer with CloudFormation's own notification configuration (no custom
 * resource): S3 invokes the importer asynchronously for each new upload; Lambda retries a failed import
 * IMPORT_RETRY_ATTEMPTS times, then sends the event (with the error) to the `ImportFailures` queue, whose
 * alarm tells the operator (docs/DEPLOY.md "Recordings"). The upload stays in the bucket meanwhile.
 *
 * The bucket validates its notification when it is created: it depends on the permission, which names
 * the bucket by its computed ARN and the account (S3 ARNs carry no account).
 */
export function wireImporter(scope: Construct, importer: ScaleliteFunction, recordings: RecordingsBucket): ImporterWiring {
  const failures = new Queue(scope, 'ImportFailures', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: IMPORT_FAILURES_RETENTION,
  });
  importer.fn.configureAsyncInvoke({ retryAttempts: IMPORT_RETRY_ATTEMPTS, maxEventAge: IMPORT_MAX_EVENT_AGE, onFailure: new SqsDestination(failures) });

  const permission = new CfnPermission(scope, 'ImporterInvokedByBucket', {
    action: 'lambda:InvokeFunction',
    functionName: importer.fn.functionArn,
    principal: 's3.amazonaws.com',
    sourceArn: recordings.arn,
    sourceAccount: Aws.ACCOUNT_ID,
  });

  const cfnBucket = recordings.bucket.node.defaultChild as CfnBucket;
  cfnBucket.notificationConfiguration = {
    lambdaConfigurations: [
      {
        event: IMPORT_EVENT,
        function: importer.fn.functionArn,
        filter: {
          s3Key: {
            rules: [
              { name: 'prefix', value: IMPORT_FILTER.prefix },
              { name: 'suffix', value: IMPORT_FILTER.suffix },
            ],
          },
        },
      },
    ],
  };
  cfnBucket.addResourceDependency(permission);
  return { failures, permission };
}

export interface RecordingImporter {
  bucket: RecordingsBucket;
  importer: ScaleliteFunction;
  importerTimeout: Duration;
  /** The importer's on-failure destination. */
  importFailures: Queue;
  /** The daily retention job (infra/retention-schedule.ts). */
  retention: Rule;
}

export interface RecordingImporterProps {
  config: ScaleliteConfig;
  bucket: RecordingsBucket;
  table: ScaleliteTable;
  settings: Record<LambdaPlainEnvName, string>;
  secrets: SecretSources;
  /** The secrets that sign recording-ready callbacks (the importer makes the first attempt). */
  signingSecrets: readonly SecretEnvName[];
}

/**
 * S3 answers a missing key with 404 only to a caller that may list the bucket (403 otherwise): "not
 * found" (a redelivered event whose upload is gone, a file nobody stored) must not look like "forbidden".
 */
export const allowListBucket = (grantee: IGrantable, bucket: RecordingsBucket) => Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [bucket.arn] });

/** The importer Lambda with its grants on the bucket and the table, its S3 notification and its retention schedule. */
export function createRecordingImporter(scope: Construct, props: RecordingImporterProps): RecordingImporter {
  const { config, bucket } = props;
  const importer = new ScaleliteFunction(scope, 'ImporterFunction', {
    entry: 'importer',
    description: 'Scalelite recording importer (S3 upload to recordings and DynamoDB) and retention job',
    memorySize: IMPORTER_MEMORY_MB,
    timeout: IMPORTER_TIMEOUT,
    environment: lambdaEnvironment(props.settings, props.secrets.arnsOf(props.signingSecrets)),
    logRetentionDays: config.logRetentionDays,
    bundleAwsSdk: config.bundleAwsSdk,
    runtime: config.lambdaRuntime,
    reservedConcurrentExecutions: config.importerReservedConcurrency,
  });
  // the recording, its formats and the recording-ready callback outbox are items of the table
  props.table.grantReadWriteData(importer.fn);
  props.secrets.grantRead(importer.fn, props.signingSecrets);
  const allow = (actions: string[], resourceArns: string[]) => Grant.addToPrincipal({ grantee: importer.fn, actions, resourceArns });
  // read the upload, delete it once the import committed
  allow(['s3:GetObject', 's3:DeleteObject'], [bucket.objectsArn(UPLOAD_OBJECTS)]);
  // write the files (multipart for big ones; an upload that fails is aborted); a re-import removes the
  // files of a format that its new tar no longer has (no stale slides); the retention job deletes
  // expired recordings
  allow(['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'], [bucket.objectsArn(RECORDING_OBJECTS)]);
  allowListBucket(importer.fn, bucket);
  const { failures } = wireImporter(scope, importer, bucket);
  return { bucket, importer, importerTimeout: IMPORTER_TIMEOUT, importFailures: failures, retention: scheduleRetention(scope, importer.fn) };
}
