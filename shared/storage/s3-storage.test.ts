import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION, startEmbeddedS3, type EmbeddedS3 } from '../../cli/embedded-s3.js';
import { createS3Storage, PART_SIZE, type S3Storage } from './s3-storage.js';

const BUCKET = 'storage-test';
let s3: EmbeddedS3;
let storage: S3Storage;
const created: string[] = [];

const connect = (o: { bucket?: string; listPageSize?: number } = {}) =>
  createS3Storage({ bucket: o.bucket ?? BUCKET, endpoint: s3.endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS, listPageSize: o.listPageSize });

const read = async (body: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** The names of the commands the client sends from now on (its own middleware: what reaches the wire). */
const commandsSent = async (st: S3Storage): Promise<string[]> => {
  const names: string[] = [];
  const name = `record-${Math.random()}`;
  (await st.client()).middlewareStack.add(
    (next, context) => (args) => {
      names.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return names;
};

const keysUnder = async (st: S3Storage, prefix: string) => {
  const keys: string[] = [];
  for await (const o of st.list(prefix)) keys.push(o.key);
  return keys.sort();
};

beforeAll(async () => {
  s3 = await startEmbeddedS3({ bucket: BUCKET });
  s3.onObjectCreated((key) => created.push(key));
  storage = connect();
});

afterAll(async () => {
  storage?.destroy();
  await s3?.close();
});

describe('S3 storage on the embedded S3', () => {
  it('writes a string and a buffer, and reads them back with their type and disposition', async () => {
    await storage.put('a/text.xml', '<recording>é</recording>', { contentType: 'application/xml' });
    await storage.put('a/slides.pdf', new Uint8Array([1, 2, 3]), { contentType: 'application/pdf', contentDisposition: 'attachment' });

    const text = await storage.get('a/text.xml');
    expect(text).toMatchObject({ contentLength: 25, size: 25, contentType: 'application/xml' });
    expect(text!.contentRange).toBeUndefined();
    expect((await read(text!.body)).toString('utf8')).toBe('<recording>é</recording>');

    const pdf = await storage.get('a/slides.pdf');
    expect(pdf).toMatchObject({ size: 3, contentType: 'application/pdf', contentDisposition: 'attachment' });
    expect([...(await read(pdf!.body))]).toEqual([1, 2, 3]);
    expect(await storage.head('a/slides.pdf')).toEqual({ size: 3, contentType: 'application/pdf' });
  });

  it('serves byte ranges with Content-Range and the whole size', async () => {
    await storage.put('range/video.m4v', Buffer.from('0123456789'), { contentType: 'video/mp4' });

    const middle = await storage.get('range/video.m4v', { start: 2, end: 5 });
    expect(middle).toMatchObject({ contentLength: 4, size: 10, contentRange: 'bytes 2-5/10' });
    expect((await read(middle!.body)).toString()).toBe('2345');

    const tail = await storage.get('range/video.m4v', { start: 7 });
    expect(tail).toMatchObject({ contentLength: 3, size: 10, contentRange: 'bytes 7-9/10' });
    expect((await read(tail!.body)).toString()).toBe('789');

    await expect(storage.get('range/video.m4v', { start: 10 })).rejects.toBeInstanceOf(RangeError);
    await expect(storage.get('range/video.m4v', { start: 5, end: 2 })).rejects.toBeInstanceOf(RangeError);
  });

  it('answers undefined for a missing key, and fails loudly for a missing bucket', async () => {
    expect(await storage.get('nothing/here')).toBeUndefined();
    expect(await storage.get('nothing/here', { start: 0, end: 1 })).toBeUndefined();
    expect(await storage.head('nothing/here')).toBeUndefined();
    await expect(storage.delete('nothing/here')).resolves.toBeUndefined();

    const wrong = connect({ bucket: 'no-such-bucket' });
    try {
      await expect(wrong.get('x')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      wrong.destroy();
    }
  });

  it('streams a body bigger than one part as a multipart upload', async () => {
    const size = 2 * PART_SIZE + 12345; // three parts
    const data = randomBytes(size);
    let offset = 0;
    // a stream of 64 KiB chunks with no known length, as an importer reads a tar entry
    const body = new Readable({
      read() {
        if (offset >= size) return void this.push(null);
        this.push(data.subarray(offset, offset + 65536));
        offset += 65536;
      },
    });
    const sent = await commandsSent(storage);
    await storage.put('big/video.webm', body, { contentType: 'video/webm' });

    expect(sent).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    expect(await storage.head('big/video.webm')).toEqual({ size, contentType: 'video/webm' });
    const back = await storage.get('big/video.webm');
    expect(createHash('sha256').update(await read(back!.body)).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('streams a small or empty body with a single put', async () => {
    const sent = await commandsSent(storage);
    await storage.put('small/notes.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(sent).toEqual(['PutObjectCommand']);
    const small = await storage.get('small/notes.txt');
    expect((await read(small!.body)).toString()).toBe('hello world');

    await storage.put('small/empty', Readable.from([]));
    expect(await storage.head('small/empty')).toMatchObject({ size: 0 });
  });

  it('lists and deletes every object under a prefix across pages, and nothing else', async () => {
    const paged = connect({ listPageSize: 2 });
    try {
      const keys = ['del/r1/presentation/a', 'del/r1/presentation/b', 'del/r1/video/c', 'del/r1/video/d', 'del/r1/x'];
      await Promise.all([...keys, 'del/r10/keep', 'del/r2/keep'].map((k) => paged.put(k, k)));

      const listed: { key: string; size: number }[] = [];
      for await (const o of paged.list('del/r1/')) listed.push(o);
      expect(listed.map((o) => o.key).sort()).toEqual(keys);
      expect(listed.find((o) => o.key === 'del/r1/x')!.size).toBe('del/r1/x'.length);

      const sent = await commandsSent(paged);
      expect(await paged.deletePrefix('del/r1/')).toBe(5);
      // one DeleteObjects per page of the listing (s3rver's continuation tokens included)
      expect(sent).toEqual(['ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command', 'DeleteObjectsCommand']);
      expect(await keysUnder(paged, 'del/')).toEqual(['del/r10/keep', 'del/r2/keep']);
      expect(await paged.deletePrefix('del/r1/')).toBe(0);
      await expect(paged.deletePrefix('')).rejects.toThrow(/empty prefix/);
      expect(await keysUnder(paged, 'del/')).toEqual(['del/r10/keep', 'del/r2/keep']);
    } finally {
      paged.destroy();
    }
  });

  it('hands out a presigned PUT URL that takes the bytes without credentials and reports the object created', async () => {
    const url = await storage.presignPut('uploads/bbb-1/rec-1/u1.tar', 600);
    expect(url).toMatch(new RegExp(`^${s3.endpoint}/${BUCKET}/uploads/bbb-1/rec-1/u1\\.tar\\?`));
    expect(url).toContain('X-Amz-Expires=600');
    expect(url).not.toMatch(/x-amz-checksum/i);

    const answer = await fetch(url, { method: 'PUT', body: 'tar bytes', headers: { 'Content-Type': 'application/x-tar' } });
    expect(answer.status).toBe(200);
    expect(await storage.head('uploads/bbb-1/rec-1/u1.tar')).toMatchObject({ size: 9 });
    expect(created).toContain('uploads/bbb-1/rec-1/u1.tar');
    // SigV4 query signing (s3rver accepts it without checking it: the embedded S3 listens on loopback only)
    const query = new URL(url).searchParams;
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});
