import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CookieSigner } from '../shared/domain/cloudfront-cookies.js';

/** The key pair id of the key `slctl serve` makes for itself (CloudFront never sees it). */
export const LOCAL_KEY_PAIR_ID = 'LOCAL';
export const LOCAL_KEY_FILE = 'playback-signing-key.pem';

let inMemory: CookieSigner | undefined;

/**
 * The playback cookie signer of `slctl serve` when CF_KEY_PAIR_ID / CF_PRIVATE_KEY_B64 are not set: an RSA key
 * kept in DATA_DIR (made on first start, mode 0600), so cookies survive a restart; without a data
 * directory (tests) one key per process.
 */
export function localSigner(dataDir: string | undefined): CookieSigner {
  if (!dataDir) {
    inMemory ??= new CookieSigner(LOCAL_KEY_PAIR_ID, newKeyPem());
    return inMemory;
  }
  const file = join(dataDir, LOCAL_KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    mkdirSync(dataDir, { recursive: true });
    pem = newKeyPem();
    writeFileSync(file, pem, { mode: 0o600 });
  }
  return new CookieSigner(LOCAL_KEY_PAIR_ID, pem);
}

const newKeyPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
