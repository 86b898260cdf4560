import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUploadKey } from '../../shared/storage/storage-keys.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, type ClientAlgorithm, type RawResponse, type TestStack } from '../helpers/test-stack.js';

const RID = '183f0bf3a0982a127bdb8161e0c44eb696b3e75c-1700000000000';
const SECRET_1 = 'bbb-secret-one-0123456789';
const SECRET_2 = 'bbb-secret-two-9876543210';

/** `POST /scalelite/recordings/upload?<query signed as uploadRecording>` (the query goes on the wire as given). */
const askUpload = (t: TestStack, query: string, o: { secret?: string; algorithm?: ClientAlgorithm; method?: string; host?: string; signed?: boolean } = {}) =>
  rawRequest(t.url, `/scalelite/recordings/upload?${o.signed === false ? query : signQuery('uploadRecording', query, o.secret ?? SECRET_1, o.algorithm ?? 'sha256')}`, {
    method: o.method ?? 'POST',
    headers: o.host ? { Host: o.host } : undefined,
  });

const json = (r: RawResponse) => JSON.parse(r.body) as Record<string, unknown>;

/** The object key a presigned URL of the embedded S3 names (`/<bucket>/<key>`). */
const keyOf = (uploadUrl: string, bucket: string) => decodeURIComponent(new URL(uploadUrl).pathname).replace(`/${bucket}/`, '');

const addServers = async (t: TestStack) => {
  await t.stack.deps.store.servers.add({ id: 'bbb-1', url: 'https://BBB1.Example.com/bigbluebutton/api', secret: SECRET_1, state: 'enabled' });
  // disabled and never polled: a server that stopped taking meetings still ships its recordings
  await t.stack.deps.store.servers.add({ id: 'bbb-2', url: 'https://bbb2.example.com:8443/bigbluebutton/api/', secret: SECRET_2, state: 'disabled' });
};

describe('POST /scalelite/recordings/upload', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ autoImport: false });
    await addServers(t);
  });
  afterAll(() => t?.close());

  it('answers a presigned PUT under uploads/ that takes the tar straight into S3', async () => {
    const r = await askUpload(t, `server=bbb-1&recordID=${RID}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const body = json(r);
    expect(Object.keys(body).sort()).toEqual(['expiresIn', 'method', 'uploadUrl']);
    expect(body).toMatchObject({ method: 'PUT', expiresIn: 3600 });
    const uploadUrl = body.uploadUrl as string;
    expect(uploadUrl.startsWith(`${t.stack.s3Endpoint}/`)).toBe(true);

    const key = keyOf(uploadUrl, t.stack.storage.bucket);
    expect(parseUploadKey(key)).toMatchObject({ serverId: 'bbb-1', recordID: RID });
    expect(await t.stack.storage.head(key)).toBeUndefined();

    const tar = Buffer.alloc(3 * 512, 7);
    const put = await fetch(uploadUrl, { method: 'PUT', body: tar, headers: { 'Content-Type': 'application/x-tar' } });
    expect(put.status).toBe(200);
    expect(await t.stack.storage.head(key)).toMatchObject({ size: tar.length });
  });

  it('hands out a fresh key per request, so a re-upload never overwrites one being imported', async () => {
    const a = json(await askUpload(t, `server=bbb-1&recordID=${RID}`));
    const b = json(await askUpload(t, `server=bbb-1&recordID=${RID}`));
    expect(keyOf(a.uploadUrl as string, 'x')).not.toBe(keyOf(b.uploadUrl as string, 'x'));
  });

  it('finds the server by the host name of its URL, case-insensitively, with its own secret', async () => {
    for (const name of ['bbb1.example.com', 'BBB1.EXAMPLE.COM']) {
      const r = await askUpload(t, `server=${name}&recordID=${RID}`);
      expect(r.status).toBe(200);
      expect(parseUploadKey(keyOf(json(r).uploadUrl as string, t.stack.storage.bucket))?.serverId).toBe('bbb-1');
    }
    const two = await askUpload(t, `server=bbb2.example.com&recordID=${RID}`, { secret: SECRET_2 });
    expect(two.status).toBe(200);
    expect(parseUploadKey(keyOf(json(two).uploadUrl as string, t.stack.storage.bucket))?.serverId).toBe('bbb-2');
  });

  it('tells servers that share a host name apart by whose secret signed', async () => {
    await t.stack.deps.store.servers.add({ id: 'shared-a', url: 'https://shared.example.com/a/bigbluebutton/api', secret: 'secret-a-0123456789', state: 'enabled' });
    await t.stack.deps.store.servers.add({ id: 'shared-b', url: 'https://shared.example.com:444/bigbluebutton/api', secret: 'secret-b-0123456789', state: 'enabled' });
    for (const [secret, id] of [['secret-a-0123456789', 'shared-a'], ['secret-b-0123456789', 'shared-b']]) {
      const r = await askUpload(t, `server=shared.example.com&recordID=${RID}`, { secret });
      expect(r.status).toBe(200);
      expect(parseUploadKey(keyOf(json(r).uploadUrl as string, t.stack.storage.bucket))?.serverId).toBe(id);
    }
  });

  it('accepts SHA-1, SHA-256, SHA-384 and SHA-512 (by length) over the raw query in any parameter order', async () => {
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
      expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { algorithm })).status).toBe(200);
    }
    // the raw bytes are signed: extra parameters and escapes included, exactly as sent
    expect((await askUpload(t, `recordID=${RID}&note=it%27s+%C3%A9&server=bbb-1`)).status).toBe(200);
  });

  it('refuses a wrong checksum and an unknown server with the same 401 answer', async () => {
    const wrong = await askUpload(t, `server=bbb-1&recordID=${RID}`, { secret: 'not-the-secret' });
    const unknown = await askUpload(t, `server=bbb-9&recordID=${RID}`);
    const unknownHost = await askUpload(t, `server=nowhere.example.com&recordID=${RID}`);
    for (const r of [wrong, unknown, unknownHost]) {
      expect(r.status).toBe(401);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
    }
    expect(json(wrong)).toEqual({ error: expect.any(String) });
    expect(unknown.body).toBe(wrong.body);
    expect(unknownHost.body).toBe(wrong.body);
  });

  it('accepts only the named server’s secret: not another server’s, not the LB secret', async () => {
    expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { secret: SECRET_2 })).status).toBe(401);
    expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { secret: LB_SECRET })).status).toBe(401);
    expect((await askUpload(t, `server=bbb1.example.com&recordID=${RID}`, { secret: LB_SECRET })).status).toBe(401);
  });

  it('refuses a query changed after signing, a missing checksum and two checksums', async () => {
    const signed = signQuery('uploadRecording', `server=bbb-1&recordID=${RID}`, SECRET_1, 'sha256');
    expect((await askUpload(t, signed.replace(RID, `${RID.slice(0, -1)}1`), { signed: false })).status).toBe(401);
    expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { signed: false })).status).toBe(401);
    expect((await askUpload(t, `${signed}&checksum=${signed.split('checksum=')[1]}`, { signed: false })).status).toBe(401);
    expect((await askUpload(t, '', { signed: false })).status).toBe(401);
  });

  it('answers 400 JSON for a missing or malformed record id (after the signature checked out)', async () => {
    for (const recordID of ['', '../../etc', 'a%2Fb', '-leading-dash', 'x'.repeat(200)]) {
      const r = await askUpload(t, `server=bbb-1&recordID=${recordID}`);
      expect(r.status, recordID).toBe(400);
      expect(json(r).error).toMatch(/recordID/);
    }
    expect((await askUpload(t, 'server=bbb-1')).status).toBe(400);
    // unsigned, the same malformed id is a 401: nothing is told to a stranger
    expect((await askUpload(t, 'server=bbb-1&recordID=../x', { secret: 'wrong' })).status).toBe(401);
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      const r = await askUpload(t, `server=bbb-1&recordID=${RID}`, { method });
      expect(r.status, method).toBe(405);
      expect(r.headers.allow).toBe('POST');
      if (method !== 'HEAD') expect(json(r).error).toMatch(/POST/);
    }
  });

  it('answers a JSON 500 with a request id when storage fails, never a bare error', async () => {
    const storage = t.stack.deps.storage!;
    t.stack.deps.storage = { ...storage, presignPut: () => Promise.reject(new Error('credentials expired')) };
    try {
      const r = await askUpload(t, `server=bbb-1&recordID=${RID}`);
      expect(r.status).toBe(500);
      expect(json(r).error).toMatch(/request id [0-9a-f-]{36}/);
      expect(r.body).not.toContain('credentials expired');
    } finally {
      t.stack.deps.storage = storage;
    }
  });
});

describe('upload requests under other settings', () => {
  it('refuses everything with 503 JSON when recordings are disabled', async () => {
    const t = await startTestStack({ env: { RECORDING_DISABLED: 'true' }, autoImport: false });
    try {
      await addServers(t);
      const r = await askUpload(t, `server=bbb-1&recordID=${RID}`);
      expect(r.status).toBe(503);
      expect(json(r)).toEqual({ error: expect.stringMatching(/disabled/) });
    } finally {
      await t.close();
    }
  });

  it('honours LOADBALANCER_CHECKSUM_ALGORITHM and RECORDING_UPLOAD_URL_TTL, and refuses tenant secrets', async () => {
    const t = await startTestStack({
      env: { MULTITENANCY_ENABLED: 'true', LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA256:SHA512', RECORDING_UPLOAD_URL_TTL: '120' },
      autoImport: false,
    });
    try {
      await addServers(t);
      await t.stack.deps.store.tenants.add({ id: 'tenant-1', name: 'acme', secrets: ['acme-tenant-secret'] });
      const host = 'acme.sl.example.com';

      const ok = await askUpload(t, `server=bbb-1&recordID=${RID}`, { host });
      expect(ok.status).toBe(200);
      expect(json(ok).expiresIn).toBe(120);
      expect(new URL(json(ok).uploadUrl as string).searchParams.get('X-Amz-Expires')).toBe('120');
      expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { host, algorithm: 'sha512' })).status).toBe(200);

      expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { host, algorithm: 'sha1' })).status).toBe(401);
      expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { host, secret: 'acme-tenant-secret' })).status).toBe(401);
      expect((await askUpload(t, `server=bbb-1&recordID=${RID}`, { host, secret: LB_SECRET })).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
