/**
 * The custom resource handler that generates the playback signing key (infra/playback-key/index.js), run
 * against an in-memory Secrets Manager that keeps versions and staging labels as the service does.
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CookieSigner, verifySignedCookies } from '../shared/domain/cloudfront-cookies.js';
import { parseConfig } from '../shared/config/parse-config.js';

const require = createRequire(import.meta.url);
const { onEvent } = require('./playback-key/index.js') as {
  onEvent: (event: object, client: FakeSecrets) => Promise<{ PhysicalResourceId: string; Data?: { PublicKeyPem: string; KeyVersion: string } }>;
};

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:PlaybackSigningKey-AbCdEf';

/** Secrets Manager's versions and labels: a label is on one version at most; PutSecretValue moves the labels it names. */
class FakeSecrets {
  versions: { id: string; value: string; stages: string[] }[] = [];
  calls: string[] = [];
  constructor(initial = 'pAsSwOrDgEnErAtEdByClOuDfOrMaTiOn') {
    this.versions.push({ id: randomUUID(), value: initial, stages: ['AWSCURRENT'] });
  }
  async getSecretValue(input: { SecretId: string; VersionStage: string }) {
    this.calls.push(`get ${input.VersionStage}`);
    expect(input.SecretId).toBe(ARN);
    const v = this.versions.find((x) => x.stages.includes(input.VersionStage));
    if (!v) throw Object.assign(new Error(`Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`), { name: 'ResourceNotFoundException' });
    return { ARN, VersionId: v.id, SecretString: v.value, VersionStages: [...v.stages] };
  }
  async putSecretValue(input: { SecretId: string; SecretString: string; VersionStages: string[] }) {
    this.calls.push(`put ${input.VersionStages.join(',')}`);
    expect(input.SecretId).toBe(ARN);
    const previous = this.current();
    for (const v of this.versions) v.stages = v.stages.filter((s) => !input.VersionStages.includes(s) && s !== 'AWSPREVIOUS');
    if (previous && input.VersionStages.includes('AWSCURRENT')) previous.stages.push('AWSPREVIOUS');
    const id = randomUUID();
    this.versions.push({ id, value: input.SecretString, stages: [...input.VersionStages] });
    return { ARN, VersionId: id, VersionStages: input.VersionStages };
  }
  current() {
    return this.versions.find((v) => v.stages.includes('AWSCURRENT'));
  }
}

const event = (RequestType: 'Create' | 'Update' | 'Delete', KeyVersion: string, PhysicalResourceId?: string) => ({
  RequestType,
  PhysicalResourceId,
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:…', SecretArn: ARN, KeyVersion },
  ...(RequestType === 'Update' ? { OldResourceProperties: { SecretArn: ARN } } : {}),
});

/** What the API function does with the secret: parseConfig with CF_PRIVATE_KEY_B64, then a cookie CloudFront would accept with the public key. */
function signsFor(secretString: string, publicKeyPem: string): boolean {
  const config = parseConfig({ CF_KEY_PAIR_ID: 'K2JCJMDEHXQW5F', CF_PRIVATE_KEY_B64: secretString });
  const signer = new CookieSigner(config.cfKeyPairId, config.cfPrivateKeyPem);
  const cookies = Object.fromEntries(signer.sign('https://sl.example.com/presentation/abc/*', 2_000_000_000).map((c) => [c.name, c.value]));
  return verifySignedCookies({ K2JCJMDEHXQW5F: createPublicKey(publicKeyPem) }, 'https://sl.example.com/presentation/abc/slides.xml', cookies, 1_900_000_000);
}

describe('the playback signing key handler', () => {
  it('Create: generates an RSA 2048 key into the secret (base64 of a PKCS#8 PEM) and returns only its public key', async () => {
    const sm = new FakeSecrets();
    const out = await onEvent(event('Create', '1'), sm);
    const stored = sm.current()!;
    expect(stored.stages.sort()).toEqual(['AWSCURRENT', 'key-v1']);
    const pem = Buffer.from(stored.value, 'base64').toString('utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(out.Data!.PublicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(createPublicKey(out.Data!.PublicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(JSON.stringify(out)).not.toContain(stored.value);
    expect(JSON.stringify(out)).not.toContain('PRIVATE');
    expect(out).toMatchObject({ PhysicalResourceId: `${ARN}#playback-key`, Data: { KeyVersion: '1' } });
    // the API function reads exactly this secret and signs cookies the returned public key verifies
    expect(signsFor(stored.value, out.Data!.PublicKeyPem)).toBe(true);
  });

  it('Update of the same version (a new handler, a re-run Create): the same key, nothing written', async () => {
    const sm = new FakeSecrets();
    const first = await onEvent(event('Create', '1'), sm);
    const writes = sm.versions.length;
    const again = await onEvent(event('Update', '1', first.PhysicalResourceId), sm);
    const createdTwice = await onEvent(event('Create', '1'), sm);
    expect(again.Data!.PublicKeyPem).toBe(first.Data!.PublicKeyPem);
    expect(createdTwice.Data!.PublicKeyPem).toBe(first.Data!.PublicKeyPem);
    expect(sm.versions).toHaveLength(writes);
    expect(again.PhysicalResourceId).toBe(first.PhysicalResourceId);
  });

  it('a higher version replaces the key; rolling back to the previous version brings its key back', async () => {
    const sm = new FakeSecrets();
    const v1 = await onEvent(event('Create', '1'), sm);
    const v1Secret = sm.current()!.value;
    const v2 = await onEvent(event('Update', '2', v1.PhysicalResourceId), sm);
    expect(v2.Data!.PublicKeyPem).not.toBe(v1.Data!.PublicKeyPem);
    const v2Secret = sm.current()!.value;
    expect(v2Secret).not.toBe(v1Secret);
    expect(sm.current()!.stages.sort()).toEqual(['AWSCURRENT', 'key-v2']);
    expect(signsFor(v2Secret, v2.Data!.PublicKeyPem)).toBe(true);
    expect(signsFor(v2Secret, v1.Data!.PublicKeyPem)).toBe(false);
    // CloudFormation rolls the update back: the old properties again
    const back = await onEvent(event('Update', '1', v1.PhysicalResourceId), sm);
    expect(back.Data!.PublicKeyPem).toBe(v1.Data!.PublicKeyPem);
    expect(sm.current()!.value).toBe(v1Secret);
    expect(sm.current()!.stages.sort()).toEqual(['AWSCURRENT', 'key-v1']);
    // and forward again: v2's key, not a third one
    const forward = await onEvent(event('Update', '2', v1.PhysicalResourceId), sm);
    expect(forward.Data!.PublicKeyPem).toBe(v2.Data!.PublicKeyPem);
  });

  it('adopts a key an operator put into the secret (e.g. Scalelite’s) when the version is new', async () => {
    const sm = new FakeSecrets();
    await onEvent(event('Create', '1'), sm);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const own = Buffer.from(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()).toString('base64');
    await sm.putSecretValue({ SecretId: ARN, SecretString: own, VersionStages: ['AWSCURRENT'] });
    const out = await onEvent(event('Update', '2', 'x'), sm);
    expect(out.Data!.PublicKeyPem).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(sm.current()!.value).toBe(own);
    expect(sm.current()!.stages.sort()).toEqual(['AWSCURRENT', 'key-v2']);
  });

  it('Delete: nothing is read or written (the secret is retained)', async () => {
    const sm = new FakeSecrets();
    expect(await onEvent(event('Delete', '1', 'phys'), sm)).toEqual({ PhysicalResourceId: 'phys' });
    expect(sm.calls).toEqual([]);
  });

  it('fails clearly on a bad version or a labelled version that holds no key, and passes service errors on', async () => {
    const sm = new FakeSecrets();
    await expect(onEvent(event('Create', '0'), sm)).rejects.toThrow(/KeyVersion "0"/);
    await sm.putSecretValue({ SecretId: ARN, SecretString: 'not a key', VersionStages: ['AWSCURRENT', 'key-v3'] });
    await expect(onEvent(event('Update', '3', 'x'), sm)).rejects.toThrow(/labelled key-v3 holds no RSA private key/);
    const denied = { getSecretValue: async () => Promise.reject(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' })), putSecretValue: async () => ({}) };
    await expect(onEvent(event('Create', '1'), denied as unknown as FakeSecrets)).rejects.toThrow(/not authorized/);
  });
});
