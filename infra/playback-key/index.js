'use strict';
/**
 * Custom resource handler of the playback signing key (infra/playback-key.ts), run by CDK's
 * CustomResourceProvider on nodejs22.x with the runtime's AWS SDK. The private key never leaves Secrets
 * Manager: it is generated here, written to the stack's secret, and only its public key is returned.
 *
 * The secret holds the base64 of a PKCS#8 PEM RSA private key (what CF_PRIVATE_KEY_B64 reads). Each key
 * version is a Secrets Manager secret version with the staging label `key-v<n>` besides AWSCURRENT:
 *
 * - Create/Update for version n, a version labelled `key-v<n>` exists → that key; made AWSCURRENT again
 *   when it is not (CloudFormation rolling an update back to the previous playbackKeyVersion);
 * - none exists, and the current value is a key no other version label claims (one an operator put there,
 *   e.g. Scalelite's) → that key, labelled `key-v<n>`;
 * - otherwise (a new stack, or a higher playbackKeyVersion) → a new RSA 2048 key, labelled `key-v<n>`
 *   and AWSCURRENT: a new version replaces the key.
 * - Delete → nothing (the secret is retained with the stack's other secrets).
 *
 * Returns `PublicKeyPem` (SPKI PEM, what CloudFront's PublicKey takes) and `KeyVersion`.
 */
const { createPrivateKey, createPublicKey, generateKeyPairSync } = require('node:crypto');

const LABEL_PREFIX = 'key-v';

/** The private key in `secretString` (base64 of a PEM RSA private key), or undefined when it holds none. */
function readKey(secretString) {
  if (typeof secretString !== 'string' || secretString.trim() === '') return undefined;
  const pem = Buffer.from(secretString.trim(), 'base64').toString('utf8');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) return undefined;
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch {
    return undefined;
  }
}

const publicPem = (privateKey) => createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privateKey, secretString: Buffer.from(pem, 'utf8').toString('base64') };
}

const isMissing = (e) => e && (e.name === 'ResourceNotFoundException' || e.__type === 'ResourceNotFoundException');

/** GetSecretValue, or undefined when the secret has no version with that label. */
async function getVersion(client, secretId, stage) {
  try {
    return await client.getSecretValue({ SecretId: secretId, VersionStage: stage });
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * The handler's logic with its Secrets Manager client given: `{ getSecretValue(input), putSecretValue(input) }`
 * returning the API's output shapes (tests pass a fake; `handler` the SDK's client).
 */
async function onEvent(event, client, generate = newKey) {
  const props = event.ResourceProperties || {};
  const secretId = props.SecretArn;
  const physicalId = event.PhysicalResourceId || `${secretId}#playback-key`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId };
  if (typeof secretId !== 'string' || secretId === '') throw new Error('SecretArn is missing');
  const version = String(props.KeyVersion || '');
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new Error(`KeyVersion "${version}" is not a positive whole number`);
  const label = `${LABEL_PREFIX}${version}`;
  const put = (secretString) => client.putSecretValue({ SecretId: secretId, SecretString: secretString, VersionStages: ['AWSCURRENT', label] });
  const done = (privateKey) => ({ PhysicalResourceId: physicalId, Data: { PublicKeyPem: publicPem(privateKey), KeyVersion: version } });

  const labelled = await getVersion(client, secretId, label);
  if (labelled) {
    const key = readKey(labelled.SecretString);
    if (!key) throw new Error(`the secret's version labelled ${label} holds no RSA private key; remove the label or use another playbackKeyVersion`);
    if (!(labelled.VersionStages || []).includes('AWSCURRENT')) await put(labelled.SecretString);
    return done(key);
  }

  const current = await getVersion(client, secretId, 'AWSCURRENT');
  const currentKey = current && readKey(current.SecretString);
  const claimed = current && (current.VersionStages || []).some((s) => s.startsWith(LABEL_PREFIX));
  if (currentKey && !claimed) {
    await put(current.SecretString);
    return done(currentKey);
  }
  const fresh = generate();
  await put(fresh.secretString);
  return done(fresh.privateKey);
}

async function handler(event) {
  // the Node.js 22 runtime ships AWS SDK v3
  const { SecretsManager } = require('@aws-sdk/client-secrets-manager');
  return onEvent(event, new SecretsManager({}));
}

module.exports = { handler, onEvent, readKey };
