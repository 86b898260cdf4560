import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, BucketNamespace, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { RECORDINGS_PREFIX, UPLOADS_PREFIX } from '../shared/storage/storage-keys.js';

/** Pinned: renaming the construct must never replace the bucket (and the recordings in it). */
export const RECORDINGS_BUCKET_LOGICAL_ID = 'RecordingsBucket';
export const ACCESS_LOGS_BUCKET_LOGICAL_ID = 'RecordingsAccessLogs';

/**
 * Days an upload (`uploads/…/*.tar`) is kept at most. A successful import deletes its upload at once, so
 * only uploads whose import failed (or never ran) reach this age. It must outlast everything that points
 * an operator at a failed upload: the importer's retries (minutes), its maximum event age (6 h), the
 * dead-letter queue's 14-day retention and the alarm on it — plus a fortnight's holiday. 30 days: the
 * DLQ message expires first, the tar it names is still there; copying the tar onto itself (the re-drive)
 * restarts its clock.
 */
export const UPLOAD_EXPIRATION_DAYS = 30;

/** Parts of a multipart upload nobody completed (an importer that timed out) are removed after this. */
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;

/** The account-regional namespace: `<prefix>-<account>-<region>-an`, a name no other account can claim. */
const NAME_SUFFIX = `-${Aws.ACCOUNT_ID}-${Aws.REGION}-an`;

/**
 * The bucket name prefix: the stack's name (two stacks can share an account and region), lower case,
 * short enough for S3's 63 characters with the account-regional suffix (up to 32 characters).
 */
export function bucketNamePrefix(stackName: string): string {
  const stack = stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 20).replace(/-+$/, '');
  return `${stack}-recordings`;
}

export interface RecordingsBucket {
  bucket: Bucket;
  accessLogs: Bucket;
  /** the bucket name prefix (bucketNamePrefix) */
  prefix: string;
  /**
   * The bucket's name computed from its prefix and the pseudo parameters — not a reference to the
   * bucket resource. The importer's environment and grants use it, so the bucket (whose notification
   * names the importer) and the importer do not depend on each other (no dependency cycle, and no
   * custom resource to set the notification afterwards).
   */
  name: string;
  /** `arn:<partition>:s3:::<name>`, computed likewise */
  arn: string;
  /** The ARN of the objects under a prefix, e.g. `uploads/*` */
  objectsArn(pattern: string): string;
}

/**
 * The recordings bucket: uploads from BBB servers under `uploads/`, imported recordings under
 * `recordings/<record id>/<format>/…`, the presentation player under `playback/` (shared/storage/storage-keys.ts).
 *
 * - private: every public access blocked, ACLs disabled (bucket owner enforced), TLS only (bucket policy);
 * - SSE-S3 encryption: presigned PUTs from BBB servers need no key permission, and CloudFront (origin
 *   access control, issue 11) reads SSE-S3 objects without a KMS key policy;
 * - versioning off: an imported file is written once and never moved; a deleted recording is gone
 *   (deleteRecordings), as in Scalelite;
 * - lifecycle: incomplete multipart uploads aborted after a day, stale uploads expired
 *   (UPLOAD_EXPIRATION_DAYS); imported recordings never expire;
 * - no CORS: BBB servers PUT with curl, browsers only GET through the balancer;
 * - server access logs to a bucket of their own: the one record of what a BBB server did with its
 *   presigned upload URL (IP, status, size; a 403 for an expired URL);
 * - retained when the stack goes, logical ids pinned.
 */
export function createRecordingsBucket(scope: Construct, opts: { stackName: string; logRetentionDays: number }): RecordingsBucket {
  const accessLogs = new Bucket(scope, 'RecordingsAccessLogs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // the log delivery writes SSE-S3 objects only
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: false,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(opts.logRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
  });
  (accessLogs.node.defaultChild as CfnBucket).overrideLogicalId(ACCESS_LOGS_BUCKET_LOGICAL_ID);

  const prefix = bucketNamePrefix(opts.stackName);
  const bucket = new Bucket(scope, 'RecordingsBucket', {
    bucketNamespace: BucketNamespace.ACCOUNT_REGIONAL,
    bucketNamePrefix: prefix,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: false,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: 'recordings-bucket/',
    lifecycleRules: [
      { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_MULTIPART_DAYS) },
      { id: 'ExpireStaleUploads', prefix: UPLOADS_PREFIX, expiration: Duration.days(UPLOAD_EXPIRATION_DAYS) },
    ],
  });
  (bucket.node.defaultChild as CfnBucket).overrideLogicalId(RECORDINGS_BUCKET_LOGICAL_ID);

  const name = `${prefix}${NAME_SUFFIX}`;
  const arn = `arn:${Aws.PARTITION}:s3:::${name}`;
  return { bucket, accessLogs, prefix, name, arn, objectsArn: (pattern) => `${arn}/${pattern}` };
}

/** The object patterns the grants use. */
export const UPLOAD_OBJECTS = `${UPLOADS_PREFIX}*`;
export const RECORDING_OBJECTS = `${RECORDINGS_PREFIX}*`;
/** The playback area: the presentation player (bbb-playback) under `playback/presentation/2.3/`, written by `slctl playback:install`. */
export const PLAYBACK_OBJECTS = 'playback/*';
