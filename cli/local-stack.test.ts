import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Deps } from '../shared/app/deps.js';
import type { Logger } from '../shared/app/logger.js';
import { silentLogger } from '../shared/app/logger.js';
import type { Env } from '../shared/config/env-names.js';
import { createS3Storage } from '../shared/storage/s3-storage.js';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION, startEmbeddedS3 } from './embedded-s3.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const baseEnv = (): Env => ({ LOADBALANCER_SECRET: 'lb', DYNAMODB_TABLE: `t-${randomUUID().slice(0, 8)}`, PORT: '0', REGISTRY_TTL: '0', S3_BUCKET_NAME: 'local-recordings' });

/** A local stack whose importer records the keys it is given (and fails on keys containing `fail`). */
async function stackWithImporter(o: Partial<LocalStackOptions> = {}) {
  const imported: string[] = [];
  const importer = async (deps: Deps, key: string) => {
    expect(deps.storage).toBeDefined();
    imported.push(key);
    if (key.includes('fail')) throw new Error(`cannot read ${key}`);
  };
  const stack = await startLocalStack({ env: baseEnv(), log: silentLogger, importer, ...o });
  cleanup.push(() => stack.close());
  return { stack, imported };
}

const upload = async (stack: LocalStack, key: string, body = 'tar') => {
  const url = await stack.storage.presignPut(key, 60);
  const r = await fetch(url, { method: 'PUT', body });
  expect(r.status).toBe(200);
};

describe('local stack: embedded S3', () => {
  it('runs an S3 on loopback with the S3_BUCKET_NAME bucket, shared with the use cases', async () => {
    const { stack } = await stackWithImporter();
    expect(stack.s3Embedded).toBe(true);
    expect(stack.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.storage.bucket).toBe('local-recordings');
    expect(stack.deps.storage).toBe(stack.storage);
    await stack.storage.put('recordings/r/presentation/metadata.xml', '<recording/>');
    expect(await stack.deps.storage!.head('recordings/r/presentation/metadata.xml')).toMatchObject({ size: 12 });
  });

  it('imports each upload the S3 reports, in arrival order, and only keys under uploads/', async () => {
    const { stack, imported } = await stackWithImporter();
    await upload(stack, 'uploads/bbb-1/rec-1/a.tar');
    await upload(stack, 'uploads/bbb-1/rec-2/b.tar');
    await stack.storage.put('recordings/rec-1/presentation/metadata.xml', 'x');
    await stack.storage.put('uploads-not/x.tar', 'x');
    await stack.importsSettled();
    expect(imported).toEqual(['uploads/bbb-1/rec-1/a.tar', 'uploads/bbb-1/rec-2/b.tar']);
  });

  it('logs a failed import with its key and keeps importing; the upload stays in storage', async () => {
    const errors: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = { ...silentLogger, error: (msg, fields) => void errors.push({ msg, fields }) };
    const { stack, imported } = await stackWithImporter({ log });
    await upload(stack, 'uploads/bbb-1/rec-1/fail.tar');
    await upload(stack, 'uploads/bbb-1/rec-1/ok.tar');
    await stack.importsSettled();
    expect(imported).toEqual(['uploads/bbb-1/rec-1/fail.tar', 'uploads/bbb-1/rec-1/ok.tar']);
    expect(errors).toEqual([{ msg: expect.stringMatching(/import failed/), fields: expect.objectContaining({ key: 'uploads/bbb-1/rec-1/fail.tar' }) }]);
    expect(await stack.storage.head('uploads/bbb-1/rec-1/fail.tar')).toMatchObject({ size: 3 });
    const health = await fetch(`${stack.url}/health_check`);
    expect(await health.text()).toBe('success');
  });

  it('imports nothing by itself with autoImport: false', async () => {
    const { stack, imported } = await stackWithImporter({ autoImport: false });
    await upload(stack, 'uploads/bbb-1/rec-1/a.tar');
    await stack.importsSettled();
    expect(imported).toEqual([]);
    expect(await stack.storage.head('uploads/bbb-1/rec-1/a.tar')).toBeDefined();
  });

  it('persists objects under the data directory and retries the uploads an earlier run left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-data-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = baseEnv();

    const first = await startLocalStack({ env, dataDir, log: silentLogger, autoImport: false });
    await upload(first, 'uploads/bbb-1/rec-1/left.tar');
    await first.storage.put('recordings/rec-0/video/video-0.m4v', 'frames');
    await first.close();

    const imported: string[] = [];
    const second = await startLocalStack({ env, dataDir, log: silentLogger, importer: async (_d, key) => void imported.push(key) });
    cleanup.push(() => second.close());
    await second.importsSettled();
    expect(imported).toEqual(['uploads/bbb-1/rec-1/left.tar']);
    expect(await second.storage.head('recordings/rec-0/video/video-0.m4v')).toMatchObject({ size: 6 });
  });

  it('uses S3_ENDPOINT instead when it is set (no embedded S3, credentials from the environment)', async () => {
    const external = await startEmbeddedS3({ bucket: 'external-bucket' });
    cleanup.push(() => external.close());
    const { stack } = await stackWithImporter({
      env: { ...baseEnv(), S3_ENDPOINT: external.endpoint, S3_BUCKET_NAME: 'external-bucket', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    expect(stack.s3Embedded).toBe(false);
    expect(stack.s3Endpoint).toBe(external.endpoint);
    await stack.storage.put('recordings/r/notes/notes.pdf', 'pdf');

    const direct = createS3Storage({ bucket: 'external-bucket', endpoint: external.endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS });
    cleanup.push(() => direct.destroy());
    expect(await direct.head('recordings/r/notes/notes.pdf')).toMatchObject({ size: 3 });
  });
});
