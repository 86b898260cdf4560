/**
 * `meta_secret-lrs-payload` (reference §2.6): the tenant's LRS credentials, encrypted with the chosen
 * server's secret. Decrypted here independently: skip 8 bytes, 8-byte salt, PBKDF2-SHA256 10000 → key+IV,
 * AES-256-CBC. Keycloak against a local fake token endpoint; its tokens are cached until shortly before
 * `expires_in` (the stack's clock is moved on an hour before each test, so every test starts uncached).
 */
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYCLOAK_MAX_RESPONSE_BYTES, TOKEN_EXPIRY_MARGIN_MS, encryptLrsPayload } from '../../shared/app/lrs-payload.js';
import { setTenantLrs } from '../../shared/app/tenant-admin.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { xmlValue } from '../helpers/test-stack.js';
import { injectDynamoFaults } from '../helpers/dynamo-faults.js';
import { hostOf, memoryLog, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

function decryptLrsPayload(base64: string, secret: string): string {
  const raw = Buffer.from(base64, 'base64');
  const salt = raw.subarray(8, 16);
  const keyIv = pbkdf2Sync(secret, salt, 10_000, 48, 'sha256');
  const decipher = createDecipheriv('aes-256-cbc', keyIv.subarray(0, 32), keyIv.subarray(32));
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
}

describe('encryptLrsPayload', () => {
  it('decrypts to the JSON with the secret; Base64 without newlines; fresh salt each time', async () => {
    const json = JSON.stringify({ lrs_endpoint: 'https://lrs.example/xapi', lrs_username: 'u', lrs_password: 'p'.repeat(200) });
    const a = await encryptLrsPayload(json, 'server-secret');
    const b = await encryptLrsPayload(json, 'server-secret');
    expect(a).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(decryptLrsPayload(a, 'server-secret')).toBe(json);
    expect(() => decryptLrsPayload(a, 'other-secret')).toThrow();
  });

  it('lays out 8 random bytes, the salt, then the ciphertext', async () => {
    let n = 0;
    const counting = (size: number) => Buffer.alloc(size, ++n); // 1st call: salt (0x01…), 2nd: the leading bytes (0x02…)
    const raw = Buffer.from(await encryptLrsPayload('{}', 's', counting), 'base64');
    expect([...raw.subarray(0, 8)]).toEqual(Array(8).fill(2));
    expect([...raw.subarray(8, 16)]).toEqual(Array(8).fill(1));
    expect(raw.length).toBe(16 + 16); // one AES block for "{}" with PKCS#7 padding
  });
});

interface TokenRequest {
  contentType?: string;
  form: Record<string, string>;
}

/** A Keycloak token endpoint: answers `answer()` and records the requests. */
async function fakeKeycloak(answer: () => { status: number; body: string } | 'hang' | 'endless') {
  const requests: TokenRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ contentType: req.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)) });
      const a = answer();
      if (a === 'hang') return; // never answers: the client's deadline must end it
      if (a === 'endless') {
        // a body without end: the client's size cap must end it
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/realms/lrs/protocol/openid-connect/token`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('meta_secret-lrs-payload on create', () => {
  const SECRET = 'lrs-tenant-secret';
  let t: TenancyStack;
  let log: ReturnType<typeof memoryLog>;
  let kcAnswer: () => { status: number; body: string } | 'hang' | 'endless';
  let now = Date.now();
  let kc: Awaited<ReturnType<typeof fakeKeycloak>>;
  let basic: Tenant;
  let keycloak: Tenant;

  beforeAll(async () => {
    log = memoryLog();
    t = await startTenancyStack({ servers: 1, log, clock: () => now, env: { RESPONSE_TIMEOUT: '0.3', CONNECT_TIMEOUT: '0.3' } });
    kc = await fakeKeycloak(() => kcAnswer());
    basic = await t.tenant('basic', SECRET);
    await setTenantLrs(t.stack.deps, basic.id, { lrsEndpoint: 'https://lrs.example/xapi', lrsUsername: 'lrs-user', lrsPassword: 'lrs-pass' });
    keycloak = await t.tenant('keycloak', SECRET);
    await setTenantLrs(t.stack.deps, keycloak.id, {
      lrsEndpoint: 'https://lrs.example/xapi',
      kcTokenUrl: kc.url,
      kcClientId: 'bbb',
      kcClientSecret: 'client-s3cret',
      kcUsername: 'svc',
      kcPassword: 'svc-pass',
    });
    await t.tenant('none', SECRET);
  });
  afterAll(async () => {
    await kc?.close();
    await t?.close();
  });
  beforeEach(() => {
    now += 3600_000; // every cached token has expired
    t.fakes[0].clearRequests();
    kc.requests.length = 0;
    log.lines.length = 0;
    kcAnswer = () => ({ status: 200, body: JSON.stringify({ access_token: 'kc-access-token', expires_in: 300 }) });
  });

  const create = async (tenant: string, meetingID: string) => {
    const res = await t.callAt(hostOf(tenant), 'create', `meetingID=${meetingID}`, SECRET);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    return t.fakes[0].requestsFor('create').at(-1)!.params;
  };

  it("basic credentials: decrypts with the chosen server's secret to endpoint, user name and password", async () => {
    const params = await create('basic', 'lrs-basic');
    const json = decryptLrsPayload(params['meta_secret-lrs-payload'], t.fakes[0].secret);
    expect(json).toBe('{"lrs_endpoint":"https://lrs.example/xapi","lrs_username":"lrs-user","lrs_password":"lrs-pass"}');
    expect(kc.requests).toEqual([]);
  });

  it('Keycloak: posts the password grant, and the payload carries the token', async () => {
    const params = await create('keycloak', 'lrs-kc');
    expect(kc.requests).toEqual([
      {
        contentType: 'application/x-www-form-urlencoded',
        form: { client_id: 'bbb', client_secret: 'client-s3cret', username: 'svc', password: 'svc-pass', grant_type: 'password' },
      },
    ]);
    expect(JSON.parse(decryptLrsPayload(params['meta_secret-lrs-payload'], t.fakes[0].secret))).toEqual({
      lrs_endpoint: 'https://lrs.example/xapi',
      lrs_token: 'kc-access-token',
    });
  });

  it('Keycloak refuses (not 200): the create goes on without the parameter, and a warning is logged', async () => {
    kcAnswer = () => ({ status: 401, body: '{"error":"invalid_grant"}' });
    const params = await create('keycloak', 'lrs-kc-401');
    expect(params).not.toHaveProperty('meta_secret-lrs-payload');
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.fields?.status])).toEqual([
      ['LRS token request refused; create goes on without meta_secret-lrs-payload', 401],
    ]);
  });

  it('Keycloak answers without a token, or never: omitted with a warning, within the timeout', async () => {
    kcAnswer = () => ({ status: 200, body: '{"token_type":"bearer"}' });
    expect(await create('keycloak', 'lrs-kc-empty')).not.toHaveProperty('meta_secret-lrs-payload');
    kcAnswer = () => 'hang';
    const started = Date.now();
    expect(await create('keycloak', 'lrs-kc-hang')).not.toHaveProperty('meta_secret-lrs-payload');
    expect(Date.now() - started).toBeLessThan(3000);
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toEqual([
      'LRS token response has no access_token; create goes on without meta_secret-lrs-payload',
      'LRS token request failed; create goes on without meta_secret-lrs-payload',
    ]);
    // no credential in any log line
    expect(JSON.stringify(log.lines)).not.toMatch(/svc-pass|client-s3cret|kc-access-token/);
  });

  it('no Keycloak call once the time before the create is spent: a request keeps within its deadline', async () => {
    // the placement took 26.5 s (a throttled table): of the request's 27 s only the create's own 0.6 s remain
    const slow = injectDynamoFaults(t.stack.db, (c) => {
      if (c.command === 'UpdateItemCommand' && c.pk?.startsWith('VOICEBRIDGE#')) now += 26_500;
      return undefined;
    });
    try {
      const params = await create('keycloak', 'lrs-kc-late');
      expect(params).not.toHaveProperty('meta_secret-lrs-payload');
      expect(kc.requests).toEqual([]);
      expect(log.lines.map((l) => l.msg)).toContain('LRS token not requested: no time left in the request; create goes on without meta_secret-lrs-payload');
    } finally {
      slow();
    }
  });

  it('a tenant without an LRS endpoint sends no payload', async () => {
    expect(await create('none', 'lrs-none')).not.toHaveProperty('meta_secret-lrs-payload');
  });

  it('the last credentials set win: Keycloak after basic removes the basic ones, and back', async () => {
    const switching = await t.tenant('switching', SECRET);
    await setTenantLrs(t.stack.deps, switching.id, { lrsEndpoint: 'https://lrs.example/a', lrsUsername: 'u', lrsPassword: 'p' });
    await setTenantLrs(t.stack.deps, switching.id, { lrsEndpoint: 'https://lrs.example/b', kcTokenUrl: kc.url, kcClientId: 'c', kcClientSecret: 'cs', kcUsername: 'ku', kcPassword: 'kp' });
    expect(JSON.parse(decryptLrsPayload((await create('switching', 'lrs-sw-1'))['meta_secret-lrs-payload'], t.fakes[0].secret))).toEqual({
      lrs_endpoint: 'https://lrs.example/b',
      lrs_token: 'kc-access-token',
    });
    const stored = await t.stack.deps.store.tenants.get(switching.id);
    expect(stored).not.toHaveProperty('lrsUsername');
    await setTenantLrs(t.stack.deps, switching.id, { lrsEndpoint: 'https://lrs.example/c', lrsUsername: 'u2', lrsPassword: 'p2' });
    const again = await t.stack.deps.store.tenants.get(switching.id);
    expect(again).toMatchObject({ lrsEndpoint: 'https://lrs.example/c', lrsUsername: 'u2', lrsPassword: 'p2' });
    expect(again).not.toHaveProperty('kcTokenUrl');
  });
  it('Keycloak tokens are cached: two creates of the tenant fetch one token, used by both', async () => {
    const first = await create('keycloak', 'lrs-cache-1');
    const second = await create('keycloak', 'lrs-cache-2');
    expect(kc.requests).toHaveLength(1);
    for (const params of [first, second]) {
      expect(JSON.parse(decryptLrsPayload(params['meta_secret-lrs-payload'], t.fakes[0].secret)).lrs_token).toBe('kc-access-token');
    }
  });

  it('concurrent creates share one token request', async () => {
    const results = await Promise.all(['lrs-conc-1', 'lrs-conc-2', 'lrs-conc-3'].map((id) => t.callAt(hostOf('keycloak'), 'create', `meetingID=${id}`, SECRET)));
    expect(results.map((r) => xmlValue(r.body, 'returncode'))).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(kc.requests).toHaveLength(1);
    expect(t.fakes[0].requestsFor('create').map((r) => 'meta_secret-lrs-payload' in r.params)).toEqual([true, true, true]);
  });

  it('a cached token is used until expires_in minus the margin, then a fresh one is fetched', async () => {
    let n = 0;
    kcAnswer = () => ({ status: 200, body: JSON.stringify({ access_token: `token-${++n}`, expires_in: 300 }) });
    const tokenOf = (params: Record<string, string>) => JSON.parse(decryptLrsPayload(params['meta_secret-lrs-payload'], t.fakes[0].secret)).lrs_token;
    expect(tokenOf(await create('keycloak', 'lrs-exp-1'))).toBe('token-1');
    now += 300_000 - TOKEN_EXPIRY_MARGIN_MS - 1;
    expect(tokenOf(await create('keycloak', 'lrs-exp-2'))).toBe('token-1');
    now += 1;
    expect(tokenOf(await create('keycloak', 'lrs-exp-3'))).toBe('token-2');
    expect(kc.requests).toHaveLength(2);
  });

  it('not cached: an answer without expires_in or one shorter than the margin, and failures', async () => {
    const answers = [
      { status: 200, body: JSON.stringify({ access_token: 'no-expiry' }) },
      { status: 200, body: JSON.stringify({ access_token: 'short', expires_in: TOKEN_EXPIRY_MARGIN_MS / 1000 }) },
      { status: 401, body: '{"error":"invalid_grant"}' },
      { status: 200, body: JSON.stringify({ access_token: 'after-failure', expires_in: 300 }) },
    ];
    kcAnswer = () => answers.shift() ?? { status: 500, body: '' };
    const payloads = [];
    for (const id of ['lrs-nc-1', 'lrs-nc-2', 'lrs-nc-3', 'lrs-nc-4', 'lrs-nc-5']) payloads.push((await create('keycloak', id))['meta_secret-lrs-payload']);
    const tokens = payloads.map((p) => (p === undefined ? undefined : JSON.parse(decryptLrsPayload(p, t.fakes[0].secret)).lrs_token));
    expect(tokens).toEqual(['no-expiry', 'short', undefined, 'after-failure', 'after-failure']);
    expect(kc.requests).toHaveLength(4);
  });

  it('tokens are cached per account: another tenant with other Keycloak credentials fetches its own', async () => {
    const other = await t.tenant('keycloak-other', SECRET);
    await setTenantLrs(t.stack.deps, other.id, { lrsEndpoint: 'https://lrs.example/xapi', kcTokenUrl: kc.url, kcClientId: 'bbb', kcClientSecret: 'client-s3cret', kcUsername: 'svc', kcPassword: 'other-pass' });
    await create('keycloak', 'lrs-acct-1');
    await create('keycloak-other', 'lrs-acct-2');
    await create('keycloak-other', 'lrs-acct-3');
    expect(kc.requests.map((r) => r.form.password)).toEqual(['svc-pass', 'other-pass']);
  });

  it('a token answer over the size cap fails cleanly: the create goes on without the parameter', async () => {
    kcAnswer = () => 'endless';
    expect(await create('keycloak', 'lrs-kc-huge')).not.toHaveProperty('meta_secret-lrs-payload');
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.fields?.error])).toEqual([
      ['LRS token request failed; create goes on without meta_secret-lrs-payload', `answer larger than ${KEYCLOAK_MAX_RESPONSE_BYTES} bytes`],
    ]);
  });
});
