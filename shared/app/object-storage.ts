import type { Readable } from 'node:stream';

/** A byte range of an object, as HTTP Range gives it (`end` inclusive; absent = to the end). */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface StoredObject {
  body: Readable;
  /** bytes in `body` */
  contentLength: number;
  /** the whole object's size */
  size: number;
  contentType?: string;
  contentDisposition?: string;
  /** the Cache-Control stored with the object (player files carry one) */
  cacheControl?: string;
  etag?: string;
  lastModified?: Date;
  /** set when a range was asked: the range served, `bytes start-end/size` */
  contentRange?: string;
}

/**
 * The recordings bucket, as the use cases see it (port; implemented by shared/storage/s3-storage.ts on
 * S3 — AWS, or the embedded S3 of `slctl serve` and the tests). Bodies stream both ways: nothing holds
 * a whole recording in memory.
 */
export interface ObjectStorage {
  readonly bucket: string;
  /** A presigned PUT URL for `key`, valid `expiresInSeconds`. */
  presignPut(key: string, expiresInSeconds: number): Promise<string>;
  /** The object (or a range of it); undefined when there is no such key. A range past the end rejects with RangeError. */
  get(key: string, range?: ByteRange): Promise<StoredObject | undefined>;
  /** Size, type and Cache-Control, or undefined when there is no such key. */
  head(key: string): Promise<{ size: number; contentType?: string; cacheControl?: string } | undefined>;
  /**
   * Writes an object from a stream (multipart for big bodies, bounded memory), a buffer or a string.
   * `cacheControl` is stored with it and sent back by S3 and CloudFront with every GET.
   */
  put(key: string, body: Readable | Uint8Array | string, opts?: { contentType?: string; contentDisposition?: string; cacheControl?: string; contentLength?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every object under the prefix (all pages); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every object under the prefix (all pages). */
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
}
