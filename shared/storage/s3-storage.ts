import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { ByteRange, ObjectStorage, StoredObject } from '../app/object-storage.js';

/**
 * The S3 SDK is loaded on first use, not at import: a Lambda's cold start (join, the poller) does not pay
 * for a client it may never call (measured: the API's cold init 324 ms with it loaded eagerly, see
 * docs/BENCHMARKS.md). `s3-sdk.ts` names the parts used, so bundles keep only those; in a code-split
 * bundle (infra/bundling.ts, the slctl build) it is a chunk of its own, loaded by this import.
 */
const loadSdk = () => (sdk ??= import('./s3-sdk.js'));
let sdk: Promise<typeof import('./s3-sdk.js')> | undefined;

export interface S3StorageOptions {
  bucket: string;
  /** '' or absent = AWS; else MinIO, the embedded S3 of `slctl serve`, … */
  endpoint?: string;
  /** absent: the SDK's chain (AWS_REGION on Lambda) */
  region?: string;
  /** absent: the SDK's credential chain (the Lambda's role) */
  credentials?: S3ClientConfig['credentials'];
  /** bucket in the path instead of the host name; default: on for a custom endpoint, off on AWS */
  forcePathStyle?: boolean;
  /** keys per ListObjectsV2 page (S3's maximum and default: 1000) */
  listPageSize?: number;
}

/** The ObjectStorage port on S3, with the client behind it (for `destroy()` and tests). */
export interface S3Storage extends ObjectStorage {
  /** The S3 client (created, with the SDK loaded, on first use). */
  client(): Promise<S3Client>;
  /** Closes the client's sockets (if it was ever created). */
  destroy(): void;
}

/** Multipart part size and parts in flight of a streamed put: at most PART_SIZE × (QUEUE_SIZE + 1) buffered. */
export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 2;
/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

const isNotFound = (e: unknown): boolean => {
  const name = (e as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** `bytes 0-9/100` → 100 */
const sizeOfContentRange = (contentRange: string | undefined): number | undefined => {
  const m = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return m ? Number(m[1]) : undefined;
};

/** The recordings bucket on S3 (AWS, MinIO or the embedded S3). */
export function createS3Storage(opts: S3StorageOptions): S3Storage {
  const endpoint = opts.endpoint || undefined;
  let created: S3Client | undefined;
  const clientOf = async () => (created ??= new (await loadSdk()).S3Client(clientConfig));
  const clientConfig: S3ClientConfig = {
    ...(endpoint ? { endpoint } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    forcePathStyle: opts.forcePathStyle ?? Boolean(endpoint),
    // No default CRC32 of the body: a presigned PUT would otherwise sign the checksum of an empty body,
    // and S3 would refuse the real one. Operations that require a checksum (DeleteObjects) still get one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  };
  const Bucket = opts.bucket;
  /** Sends one command, built from the loaded SDK. */
  const send = async <T = unknown>(build: (sdk: Awaited<ReturnType<typeof loadSdk>>) => object): Promise<T> => {
    const [client, s] = await Promise.all([clientOf(), loadSdk()]);
    return (await client.send(build(s) as never)) as T;
  };

  async function* listPages(prefix: string) {
    let token: string | undefined;
    do {
      const page = await send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>((s) => new s.ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: opts.listPageSize }));
      yield (page.Contents ?? []).filter((o) => o.Key !== undefined).map((o) => ({ key: o.Key!, size: o.Size ?? 0 }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async function deleteBatch(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const answer = await send<import('@aws-sdk/client-s3').DeleteObjectsCommandOutput>((s) => new s.DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    const failed = answer.Errors ?? [];
    if (failed.length > 0) {
      throw new Error(`S3 refused to delete ${failed.length} object(s), e.g. ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ''}`.trim());
    }
  }

  return {
    bucket: Bucket,
    client: clientOf,
    destroy: () => created?.destroy(),

    async presignPut(key, expiresInSeconds) {
      const [client, s] = await Promise.all([clientOf(), loadSdk()]);
      return s.getSignedUrl(client, new s.PutObjectCommand({ Bucket, Key: key }), { expiresIn: expiresInSeconds });
    },

    async get(key: string, range?: ByteRange): Promise<StoredObject | undefined> {
      if (range && (!Number.isInteger(range.start) || range.start < 0 || (range.end !== undefined && (!Number.isInteger(range.end) || range.end < range.start)))) {
        throw new RangeError(`invalid byte range ${range.start}-${range.end ?? ''}`);
      }
      try {
        const answer = await send<import('@aws-sdk/client-s3').GetObjectCommandOutput>(
          (s) => new s.GetObjectCommand({ Bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}) }),
        );
        const contentLength = answer.ContentLength ?? 0;
        return {
          body: answer.Body instanceof Readable ? answer.Body : Readable.from([]),
          contentLength,
          size: sizeOfContentRange(answer.ContentRange) ?? contentLength,
          contentType: answer.ContentType,
          contentDisposition: answer.ContentDisposition,
          cacheControl: answer.CacheControl,
          etag: answer.ETag,
          lastModified: answer.LastModified,
          ...(range ? { contentRange: answer.ContentRange ?? `bytes 0-${Math.max(0, contentLength - 1)}/${contentLength}` } : {}),
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if ((e as { name?: string })?.name === 'InvalidRange') throw new RangeError(`range ${range?.start}-${range?.end ?? ''} is past the end of ${key}`);
        throw e;
      }
    },

    async head(key) {
      try {
        const answer = await send<import('@aws-sdk/client-s3').HeadObjectCommandOutput>((s) => new s.HeadObjectCommand({ Bucket, Key: key }));
        return { size: answer.ContentLength ?? 0, contentType: answer.ContentType, ...(answer.CacheControl ? { cacheControl: answer.CacheControl } : {}) };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },

    async put(key, body, o = {}) {
      const meta = { ContentType: o.contentType, ContentDisposition: o.contentDisposition, CacheControl: o.cacheControl };
      if (body instanceof Readable) {
        // multipart above PART_SIZE (a single PutObject below), never more than a few parts in memory
        const [client, s] = await Promise.all([clientOf(), loadSdk()]);
        const upload = new s.Upload({ client, params: { Bucket, Key: key, Body: body, ...meta }, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false });
        await upload.done();
        return;
      }
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      await send((s) => new s.PutObjectCommand({ Bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, ...meta }));
    },

    async delete(key) {
      await send((s) => new s.DeleteObjectCommand({ Bucket, Key: key }));
    },

    async deletePrefix(prefix) {
      // '' would empty the whole bucket: never what a caller means
      if (prefix === '') throw new Error('deletePrefix: refusing an empty prefix');
      let deleted = 0;
      for await (const page of listPages(prefix)) {
        for (let i = 0; i < page.length; i += DELETE_BATCH) {
          const keys = page.slice(i, i + DELETE_BATCH).map((o) => o.key);
          await deleteBatch(keys);
          deleted += keys.length;
        }
      }
      return deleted;
    },

    async *list(prefix) {
      for await (const page of listPages(prefix)) yield* page;
    },
  };
}
