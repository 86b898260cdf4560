import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3rverEvent } from 's3rver';

/** What s3rver accepts (any other key pair fails the signature check). */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const EMBEDDED_S3_REGION = 'us-east-1';

export interface EmbeddedS3Options {
  bucket: string;
  /** where the objects live; absent = a temporary directory, removed on close */
  directory?: string;
  /** default 127.0.0.1 (loopback only) */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
}

type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer | null, options?: unknown) => unknown;

/**
 * s3rver encrypts its ListObjectsV2 continuation tokens with single DES (`'des'`), which OpenSSL 3 (Node ≥ 17)
 * no longer offers: every truncated listing would answer 500. Triple DES with the key repeated three times
 * is the same cipher (K1 = K2 = K3), and OpenSSL 3 still has it, so `'des'` is mapped to it — only for calls
 * that would otherwise throw, and only in processes that run the embedded S3 (never a Lambda).
 */
function allowS3rverContinuationTokens(): void {
  const crypto = createRequire(import.meta.url)('node:crypto') as Record<'createCipheriv' | 'createDecipheriv', CipherFactory> & { getCiphers(): string[] };
  if (crypto.getCiphers().includes('des') || (crypto.createCipheriv as { s3rverDes?: boolean }).s3rverDes) return;
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = crypto[name];
    const patched: CipherFactory = (algorithm, key, iv, options) =>
      algorithm === 'des' ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, options) : original(algorithm, key, iv, options);
    Object.assign(patched, { s3rverDes: true });
    crypto[name] = patched;
  }
}

/** The key of an object that was just created (PutObject, a completed multipart upload, a copy), as stored. */
export type ObjectCreatedListener = (key: string, bucket: string) => void;

export interface EmbeddedS3 {
  /** `http://127.0.0.1:<port>`: use with forcePathStyle, EMBEDDED_S3_CREDENTIALS and EMBEDDED_S3_REGION */
  endpoint: string;
  bucket: string;
  directory: string;
  /** Every `ObjectCreated:*` event of the server, synchronously, before the creating request is answered. */
  onObjectCreated(listener: ObjectCreatedListener): void;
  close(): Promise<void>;
}

/**
 * An S3-compatible server in this process (s3rver, files under `directory`), the bucket created: the S3 of
 * `slctl serve` and of the tests. A development runtime only — nothing under functions/ may import it, so
 * s3rver never reaches a Lambda bundle.
 */
export async function startEmbeddedS3(opts: EmbeddedS3Options): Promise<EmbeddedS3> {
  allowS3rverContinuationTokens();
  const temporary = opts.directory === undefined;
  const directory = opts.directory ?? mkdtempSync(join(tmpdir(), 'embedded-s3-'));
  mkdirSync(directory, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  // loaded here, not at the top: the CLI's other tasks import this module for the constants above only
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({
    address: host,
    port: opts.port ?? 0,
    directory,
    silent: true,
    // path-style only: a vhost lookup would take `127` of `127.0.0.1` for a bucket name
    vhostBuckets: false,
    configureBuckets: [{ name: opts.bucket }],
  });
  const listeners: ObjectCreatedListener[] = [];
  server.on('event', (event: S3rverEvent) => {
    for (const record of event.Records ?? []) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      for (const listener of listeners) listener(record.s3.object.key, record.s3.bucket.name);
    }
  });
  let address;
  try {
    address = await server.run();
  } catch (e) {
    if (temporary) rmSync(directory, { recursive: true, force: true });
    throw e;
  }
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    endpoint: `http://${shownHost}:${address.port}`,
    bucket: opts.bucket,
    directory,
    onObjectCreated: (listener) => void listeners.push(listener),
    async close() {
      const closing = server.close();
      // keep-alive sockets of S3 clients would hold close() open
      server.httpServer?.closeAllConnections();
      await closing;
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}
