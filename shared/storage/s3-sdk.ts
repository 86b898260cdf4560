/**
 * The parts of the S3 SDK that `s3-storage.ts` uses, by name. That module imports this one on first use
 * (`import('./s3-sdk.js')`); naming the commands here, instead of taking the packages' whole namespaces,
 * lets esbuild drop the rest of `@aws-sdk/client-s3` (its other ~100 commands, their schemas, the
 * aggregated `S3` class, waiters and paginators) from every bundle that includes the S3 adapter.
 */
export {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
export { Upload } from '@aws-sdk/lib-storage';
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';
