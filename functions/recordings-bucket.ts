import type { Config } from '../shared/config/parse-config.js';
import { createS3Storage, type S3Storage } from '../shared/storage/s3-storage.js';

/**
 * The stack's recordings bucket (`S3_BUCKET_NAME`) in the function's region (`AWS_REGION`, set by Lambda),
 * reached with the function's role. The S3 SDK is loaded on the first call (shared/storage/s3-storage.ts):
 * in the code-split bundles (infra/bundling.ts) a chunk of its own, not read at a cold start.
 */
export const recordingsBucket = (config: Config): S3Storage =>
  createS3Storage({ bucket: config.s3Bucket, endpoint: config.s3Endpoint, region: process.env.AWS_REGION || undefined });
