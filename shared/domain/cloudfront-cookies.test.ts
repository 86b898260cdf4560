import { spawnSync } from 'node:child_process';
import { createSign, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CookieSigner, customPolicy, KEY_PAIR_ID_COOKIE, POLICY_COOKIE, resourceMatches, SIGNATURE_COOKIE, verifySignedCookies } from './cloudfront-cookies.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const signer = new CookieSigner('K2JCJMDEHXQW5F', PEM);
const RESOURCE = 'https://t1.sl.example.com/*/abc-1700000000000/*';
const NOW = 1_800_000_000;

const asRecord = (cookies: { name: string; value: string }[]) => Object.fromEntries(cookies.map((c) => [c.name, c.value]));
/** CloudFront's decoding of its base64 variant, written out independently of the module. */
const decode = (s: string) => Buffer.from(s.split('-').join('+').split('_').join('=').split('~').join('/'), 'base64');

describe('CloudFront signed cookies', () => {
  it('carry the policy JSON in CloudFront base64, its RSA-SHA1 signature, and the key pair id', () => {
    const cookies = asRecord(signer.sign(RESOURCE, NOW + 60));
    expect(Object.keys(cookies).sort()).toEqual([KEY_PAIR_ID_COOKIE, POLICY_COOKIE, SIGNATURE_COOKIE].sort());
    expect(cookies[KEY_PAIR_ID_COOKIE]).toBe('K2JCJMDEHXQW5F');
    for (const v of [cookies[POLICY_COOKIE], cookies[SIGNATURE_COOKIE]]) expect(v).toMatch(/^[A-Za-z0-9~_-]+$/);
    const policy = decode(cookies[POLICY_COOKIE]).toString('utf8');
    expect(JSON.parse(policy)).toEqual({ Statement: [{ Resource: RESOURCE, Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 } } }] });
    expect(policy).toBe(customPolicy(RESOURCE, NOW + 60));
    // what CloudFront does with the public key of the key group
    expect(verify('RSA-SHA1', Buffer.from(policy), signer.publicKeyPem(), decode(cookies[SIGNATURE_COOKIE]))).toBe(true);
    expect(verify('RSA-SHA1', Buffer.from(policy.replace('abc', 'abd')), signer.publicKeyPem(), decode(cookies[SIGNATURE_COOKIE]))).toBe(false);
  });

  it('verify with OpenSSL against the exported public key, as a second implementation', () => {
    const probe = spawnSync('openssl', ['version']);
    expect(probe.status, 'openssl is on every CI machine (Debian base)').toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'cf-cookie-'));
    const cookies = asRecord(signer.sign(RESOURCE, NOW + 60));
    writeFileSync(join(dir, 'public.pem'), signer.publicKeyPem());
    writeFileSync(join(dir, 'policy.json'), decode(cookies[POLICY_COOKIE]));
    writeFileSync(join(dir, 'signature.bin'), decode(cookies[SIGNATURE_COOKIE]));
    const r = spawnSync('openssl', ['dgst', '-sha1', '-verify', join(dir, 'public.pem'), '-signature', join(dir, 'signature.bin'), join(dir, 'policy.json')], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('Verified OK');
  });

  it('let a request through only for a matching URL before the expiry, with a trusted key', () => {
    const cookies = asRecord(signer.sign(RESOURCE, NOW + 60));
    const url = 'https://t1.sl.example.com/presentation/abc-1700000000000/metadata.xml';
    expect(signer.verify(url, cookies, NOW)).toBe(true);
    expect(signer.verify(url, cookies, NOW + 60)).toBe(false); // DateLessThan is strict
    expect(signer.verify('https://t2.sl.example.com/presentation/abc-1700000000000/metadata.xml', cookies, NOW)).toBe(false);
    expect(signer.verify('https://t1.sl.example.com/presentation/abd-1700000000000/metadata.xml', cookies, NOW)).toBe(false);
    expect(signer.verify('http://t1.sl.example.com/presentation/abc-1700000000000/metadata.xml', cookies, NOW)).toBe(false);
    const other = new CookieSigner('K2JCJMDEHXQW5F', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(other.verify(url, cookies, NOW)).toBe(false); // same id, another key
    expect(verifySignedCookies({ OTHER: signer.publicKey }, url, cookies, NOW)).toBe(false); // key id not trusted
  });

  it('refuse tampered, missing or malformed cookies without throwing', () => {
    const cookies = asRecord(signer.sign(RESOURCE, NOW + 60));
    const url = 'https://t1.sl.example.com/video/abc-1700000000000/video-0.m4v';
    const forged = Buffer.from(customPolicy('https://t1.sl.example.com/*', NOW + 6000)).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
    for (const bad of <Record<string, string>[]>[
      { ...cookies, [POLICY_COOKIE]: forged },
      { ...cookies, [SIGNATURE_COOKIE]: cookies[SIGNATURE_COOKIE].slice(1) },
      { ...cookies, [SIGNATURE_COOKIE]: 'not base64 at all!' },
      { ...cookies, [POLICY_COOKIE]: '' },
      { [POLICY_COOKIE]: cookies[POLICY_COOKIE], [SIGNATURE_COOKIE]: cookies[SIGNATURE_COOKIE] },
      {},
    ]) {
      expect(signer.verify(url, bad, NOW)).toBe(false);
    }
  });

  it('refuse a validly signed policy with a condition it does not check, or several statements', () => {
    const url = 'https://h/presentation/x/a';
    const key = signer.publicKey;
    const cf = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
    const signed = (policy: string) => ({
      [KEY_PAIR_ID_COOKIE]: 'K',
      [POLICY_COOKIE]: cf(Buffer.from(policy)),
      [SIGNATURE_COOKIE]: cf(createSign('RSA-SHA1').update(policy).sign(privateKey)),
    });
    const withStart = JSON.stringify({ Statement: [{ Resource: 'https://h/*', Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 }, DateGreaterThan: { 'AWS:EpochTime': NOW - 60 } } }] });
    const two = JSON.stringify({ Statement: [{ Resource: 'https://h/*', Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 } } }, { Resource: 'https://h/*', Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 60 } } }] });
    const ok = customPolicy('https://h/*', NOW + 60);
    expect(verifySignedCookies({ K: key }, url, signed(ok), NOW)).toBe(true);
    expect(verifySignedCookies({ K: key }, url, signed(withStart), NOW)).toBe(false);
    expect(verifySignedCookies({ K: key }, url, signed(two), NOW)).toBe(false);
  });

  it('refuse a key that is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => new CookieSigner('K', ec)).toThrow(/RSA/);
  });
});

describe('resourceMatches (CloudFront policy wildcards)', () => {
  it.each([
    ['https://h/*/id/*', 'https://h/presentation/id/metadata.xml', true],
    ['https://h/*/id/*', 'https://h/recordings/id/presentation/a/b.png', true],
    ['https://h/*/id/*', 'https://h/presentation/id', false],
    ['https://h/*/id/*', 'https://h/presentation/idx/a', false],
    ['https://h/a?c', 'https://h/abc', true],
    ['https://h/a?c', 'https://h/ac', false],
    ['https://h/*', 'https://h/', true],
    ['https://h/x', 'https://h/x/', false],
    ['*', '', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
  ])('%s ~ %s → %s', (pattern, url, expected) => {
    expect(resourceMatches(pattern, url)).toBe(expected);
  });
});
