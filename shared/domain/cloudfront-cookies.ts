import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';

/**
 * CloudFront signed cookies with a custom policy (CloudFront Developer Guide, "Set signed cookies using a
 * custom policy"): the playback routes hand them out, CloudFront checks them at the edge on AWS, and
 * `verify` here checks them the same way for the local file server (`npm start`) and the player route.
 *
 * - `CloudFront-Policy`: the policy JSON, base64 with CloudFront's URL-safe characters (`+`→`-`, `=`→`_`, `/`→`~`);
 * - `CloudFront-Signature`: RSA-SHA1 (PKCS#1 v1.5) of the policy JSON bytes, encoded the same way — SHA-1 is
 *   CloudFront's default and needs no fourth cookie; a collision attack needs a chosen document and we sign
 *   only our own policies;
 * - `CloudFront-Key-Pair-Id`: the id of the public key in the distribution's key group.
 *
 * The policy has one statement: `Resource` (a URL pattern, `*` any characters including `/`, `?` one
 * character) and `Condition.DateLessThan.AWS:EpochTime` (seconds); `DateGreaterThan` and `IpAddress` are
 * understood by CloudFront and refused by `verify` (we never issue them).
 */
export const POLICY_COOKIE = 'CloudFront-Policy';
export const SIGNATURE_COOKIE = 'CloudFront-Signature';
export const KEY_PAIR_ID_COOKIE = 'CloudFront-Key-Pair-Id';

export interface SignedCookie {
  name: string;
  value: string;
}

const toCloudFront = (b64: string) => b64.replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
const fromCloudFront = (s: string) => s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
export const cloudFrontBase64 = (bytes: Buffer | string): string => toCloudFront(Buffer.from(bytes).toString('base64'));
const CLOUDFRONT_BASE64 = /^[A-Za-z0-9~_-]+$/;

/** The policy document exactly as signed: compact JSON, keys in CloudFront's documented order. */
export function customPolicy(resource: string, expiresAtSeconds: number): string {
  return JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(expiresAtSeconds) } } }] });
}

/** Does `url` match a policy `Resource` (`*`: any run of characters, `?`: one character, the rest literal)? */
export function resourceMatches(pattern: string, url: string): boolean {
  // iterative glob match with backtracking on the last `*` (linear-ish, no regular expression built from input)
  let p = 0;
  let u = 0;
  let star = -1;
  let mark = 0;
  while (u < url.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === url[u])) {
      p++;
      u++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = u;
    } else if (star !== -1) {
      p = star + 1;
      u = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Signs policies with a private key; the key pair id names the public key CloudFront checks against. */
export class CookieSigner {
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;

  /** `privateKeyPem`: an RSA private key (PKCS#1 or PKCS#8 PEM), as CloudFront key groups take. */
  constructor(
    readonly keyPairId: string,
    privateKeyPem: string,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    if (this.privateKey.asymmetricKeyType !== 'rsa') throw new Error('the playback signing key must be an RSA private key');
    this.publicKey = createPublicKey(this.privateKey);
  }

  /** The public key as CloudFront's PublicKey resource takes it (SPKI PEM). */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The three cookies that let their holder GET every URL matching `resource` until `expiresAtSeconds`. */
  sign(resource: string, expiresAtSeconds: number): SignedCookie[] {
    const policy = customPolicy(resource, expiresAtSeconds);
    const signature = createSign('RSA-SHA1').update(policy).sign(this.privateKey);
    return [
      { name: POLICY_COOKIE, value: cloudFrontBase64(policy) },
      { name: SIGNATURE_COOKIE, value: cloudFrontBase64(signature) },
      { name: KEY_PAIR_ID_COOKIE, value: this.keyPairId },
    ];
  }

  /** CloudFront's check (`verifySignedCookies`) against this signer's public key. */
  verify(url: string, cookies: Readonly<Record<string, string>>, nowSeconds: number): boolean {
    return verifySignedCookies({ [this.keyPairId]: this.publicKey }, url, cookies, nowSeconds);
  }
}

/**
 * What CloudFront does with a request's signed cookies: the key pair id names a trusted public key, the
 * signature verifies over the decoded policy, the policy has one statement whose `Resource` matches the
 * requested URL (`<scheme>://<host><path>[?<query>]`) and whose `DateLessThan` is after now. Anything
 * missing, malformed or unexpected → false (never throws).
 */
export function verifySignedCookies(trusted: Readonly<Record<string, KeyObject>>, url: string, cookies: Readonly<Record<string, string>>, nowSeconds: number): boolean {
  const policyText = cookies[POLICY_COOKIE];
  const signatureText = cookies[SIGNATURE_COOKIE];
  const keyPairId = cookies[KEY_PAIR_ID_COOKIE];
  if (!policyText || !signatureText || !keyPairId) return false;
  if (!Object.hasOwn(trusted, keyPairId)) return false;
  if (!CLOUDFRONT_BASE64.test(policyText) || !CLOUDFRONT_BASE64.test(signatureText) || policyText.length > 4096 || signatureText.length > 2048) return false;
  const policy = Buffer.from(fromCloudFront(policyText), 'base64');
  const signature = Buffer.from(fromCloudFront(signatureText), 'base64');
  try {
    if (!createVerify('RSA-SHA1').update(policy).verify(trusted[keyPairId], signature)) return false;
  } catch {
    return false;
  }
  const statement = singleStatement(policy.toString('utf8'));
  if (!statement) return false;
  return nowSeconds < statement.expires && resourceMatches(statement.resource, url);
}

function singleStatement(json: string): { resource: string; expires: number } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  const statements = (doc as { Statement?: unknown })?.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return undefined;
  const s = statements[0] as { Resource?: unknown; Condition?: Record<string, unknown> };
  const conditions = s?.Condition;
  if (typeof s?.Resource !== 'string' || !conditions || typeof conditions !== 'object') return undefined;
  if (Object.keys(conditions).some((k) => k !== 'DateLessThan')) return undefined;
  const expires = (conditions.DateLessThan as Record<string, unknown> | undefined)?.['AWS:EpochTime'];
  if (typeof expires !== 'number' || !Number.isFinite(expires)) return undefined;
  return { resource: s.Resource, expires };
}
