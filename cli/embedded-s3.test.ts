import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Storage } from '../shared/storage/s3-storage.js';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION, startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const storageOn = (s3: EmbeddedS3) => {
  const st = createS3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS });
  cleanup.push(() => st.destroy());
  return st;
};

describe('embedded S3', () => {
  it('listens on loopback with the bucket created, and reports created objects only', async () => {
    const s3 = await startEmbeddedS3({ bucket: 'events-test' });
    cleanup.push(() => s3.close());
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const seen: string[] = [];
    s3.onObjectCreated((key, bucket) => seen.push(`${bucket}:${key}`));

    const st = storageOn(s3);
    await st.put('uploads/srv/rec/1.tar', 'x');
    expect(seen).toEqual(['events-test:uploads/srv/rec/1.tar']); // reported before the PUT was answered
    await st.delete('uploads/srv/rec/1.tar');
    await st.put('recordings/rec/presentation/é & ü.xml', 'y');
    expect(seen).toEqual(['events-test:uploads/srv/rec/1.tar', 'events-test:recordings/rec/presentation/é & ü.xml']);
  });

  it('keeps the objects in a given directory across restarts, and removes its own temporary one on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embedded-s3-test-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));

    const first = await startEmbeddedS3({ bucket: 'keep-test', directory: join(dir, 's3') });
    const st1 = createS3Storage({ bucket: 'keep-test', endpoint: first.endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS });
    await st1.put('recordings/r/video/video-0.m4v', 'frames');
    st1.destroy();
    await first.close();
    expect(existsSync(join(dir, 's3'))).toBe(true);

    const second = await startEmbeddedS3({ bucket: 'keep-test', directory: join(dir, 's3') });
    cleanup.push(() => second.close());
    expect(await storageOn(second).head('recordings/r/video/video-0.m4v')).toMatchObject({ size: 6 });

    const temporary = await startEmbeddedS3({ bucket: 'temp-test' });
    expect(existsSync(temporary.directory)).toBe(true);
    await temporary.close();
    expect(existsSync(temporary.directory)).toBe(false);
  });
});
