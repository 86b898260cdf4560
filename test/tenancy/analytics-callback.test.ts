/**
 * `POST /bigbluebutton/api/analytics_callback` (reference §1.7): BBB posts a meeting's learning-analytics
 * data — after the meeting ended — with an HS512 JWT signed with its secret; the balancer relays it to the
 * URL the front-end gave at create, re-signed with the tenant's (or the LB) secrets. Always 204.
 * The token must come from the meeting's own server; the URL must be https on a public address unless
 * ALLOW_PRIVATE_CALLBACK_URLS (set here where the front-end is a local receiver).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { SignJWT, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { LB_SECRET, rawRequest, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import type { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { hostOf, memoryLog, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** The front-end's analytics endpoint: answers the statuses queued (then 200) and records what it got. */
async function frontEnd() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(body || '{}') as Record<string, unknown> });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/analytics`, received, statuses, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const bbbToken = (secret: string, expSeconds = Math.floor(Date.now() / 1000) + 3600) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).setExpirationTime(expSeconds).sign(new TextEncoder().encode(secret));

const verifies = async (token: string, secret: string) => {
  try {
    await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS512'] });
    return true;
  } catch {
    return false;
  }
};

/** Runs a create and tells which fake got it and the meetingID BBB knows the meeting by (what BBB posts as `meeting_id`). */
async function placed(fakes: FakeBbb[], create: () => Promise<RawResponse>): Promise<{ fake: FakeBbb; other?: FakeBbb; bbbId: string }> {
  for (const f of fakes) f.clearRequests();
  const res = await create();
  expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
  const fake = fakes.find((f) => f.requestsFor('create').length > 0)!;
  return { fake, other: fakes.find((f) => f !== fake), bbbId: fake.requestsFor('create')[0].params.meetingID };
}

const DATA = { version: '1.0', meeting_id: 'm', internal_meeting_id: 'int-1', data: { duration: 42, attendees: [{ name: 'Ann' }] } };

function post(baseUrl: string, host: string, body: object, authorization?: string): Promise<RawResponse> {
  return rawRequest(baseUrl, '/bigbluebutton/api/analytics_callback', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { Host: host, 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) },
  });
}

describe('analytics_callback, multitenant', () => {
  const A_SECRETS = 'alpha-first:alpha-second';
  let t: TenancyStack;
  let fe: Awaited<ReturnType<typeof frontEnd>>;
  let alpha: Tenant;
  const at: Record<string, Awaited<ReturnType<typeof placed>>> = {};
  const tokenOf = async (id: string, exp?: number) => `Bearer ${await bbbToken(at[id].fake.secret, exp)}`;

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 2, env: { ALLOW_PRIVATE_CALLBACK_URLS: 'true' } });
    fe = await frontEnd();
    alpha = await t.tenant('alpha', A_SECRETS);
    await t.tenant('beta', 'beta-secret');
    const cb = encodeURIComponent(fe.url);
    for (const id of ['am-1', 'am-2']) {
      at[id] = await placed(t.fakes, () => t.callAt(hostOf('alpha'), 'create', `meetingID=${id}&meta_analytics-callback-url=${cb}`, 'alpha-first'));
    }
    // BBB sends the data after the meeting ended: the meeting records are gone by then
    await t.callAt(hostOf('alpha'), 'end', 'meetingID=am-1', 'alpha-first');
    expect(await t.stack.deps.store.meetings.get({ meetingID: 'am-1', tenantId: alpha.id }, Date.now())).toBeUndefined();
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });
  beforeEach(() => {
    fe.received.length = 0;
    fe.statuses.length = 0;
  });

  it("relays an ended meeting's data with the front-end's meetingID and customer = tenant name, re-signed with the tenant's secret", async () => {
    const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: at['am-1'].bbbId }, await tokenOf('am-1'));
    expect([res.status, res.body]).toEqual([204, '']);
    expect(fe.received).toHaveLength(1);
    const [got] = fe.received;
    expect(got.path).toBe('/analytics');
    expect(got.body).toEqual({ ...DATA, meeting_id: 'am-1', customer: 'alpha' });
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('BigBlueButton Analytics Callback');
    const token = String(got.headers.authorization).replace(/^Bearer /, '');
    expect(await verifies(token, 'alpha-first')).toBe(true);
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(Object.keys(payload)).toEqual(['exp']);
    expect(payload.exp - Date.now() / 1000).toBeGreaterThan(24 * 3600 - 60);
  });

  it('tries the next tenant secret until the front-end accepts one', async () => {
    fe.statuses.push(401);
    const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: at['am-2'].bbbId }, await tokenOf('am-2'));
    expect(res.status).toBe(204);
    expect(fe.received).toHaveLength(2);
    const tokens = fe.received.map((r) => String(r.headers.authorization).replace(/^Bearer /, ''));
    expect([await verifies(tokens[0], 'alpha-first'), await verifies(tokens[1], 'alpha-second')]).toEqual([true, true]);
  });

  it('relays nothing without a valid token from a known server (still 204)', async () => {
    for (const auth of [undefined, 'Bearer', 'Basic abc', `Bearer ${await bbbToken('not-a-server-secret')}`, await tokenOf('am-1', 1000), `Bearer ${await bbbToken('alpha-first')}`]) {
      const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: at['am-1'].bbbId }, auth);
      expect([auth, res.status]).toEqual([auth, 204]);
    }
    expect(fe.received).toEqual([]);
  });

  it("a token signed by another known server is refused: only the meeting's own server speaks for it", async () => {
    const other = t.fakes.find((f) => f !== at['am-1'].fake)!;
    const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: at['am-1'].bbbId }, `Bearer ${await bbbToken(other.secret)}`);
    expect(res.status).toBe(204);
    expect(fe.received).toEqual([]);
    // the same data signed by its own server goes through
    await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: at['am-1'].bbbId }, await tokenOf('am-1'));
    expect(fe.received.map((r) => r.body.meeting_id)).toEqual(['am-1']);
  });

  it("another tenant's host does not relay alpha's meeting; an unknown host is a checksumError", async () => {
    const token = await tokenOf('am-1');
    expect((await post(t.url, hostOf('beta'), { ...DATA, meeting_id: at['am-1'].bbbId }, token)).status).toBe(204);
    const unknown = await post(t.url, hostOf('gamma'), { ...DATA, meeting_id: at['am-1'].bbbId }, token);
    expect([unknown.status, xmlValue(unknown.body, 'messageKey')]).toEqual([200, 'checksumError']);
    expect(fe.received).toEqual([]);
  });

  it('a meeting without a callback URL, or an unknown meeting, relays nothing', async () => {
    const none = await placed(t.fakes, () => t.callAt(hostOf('alpha'), 'create', 'meetingID=am-none', 'alpha-first'));
    const token = `Bearer ${await bbbToken(none.fake.secret)}`;
    for (const id of [none.bbbId, 'never-created']) expect((await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: id }, token)).status).toBe(204);
    expect(fe.received).toEqual([]);
    expect(alpha.id).toBeDefined();
  });

  it('GET is not served', async () => {
    const res = await rawRequest(t.url, '/bigbluebutton/api/analytics_callback', { headers: { Host: hostOf('alpha') } });
    expect(xmlValue(res.body, 'messageKey')).toBe('unsupportedRequest');
  });
});

describe('analytics_callback, single tenant', () => {
  let t: TestStack;
  let fe: Awaited<ReturnType<typeof frontEnd>>;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1, env: { ALLOW_PRIVATE_CALLBACK_URLS: 'true' } });
    fe = await frontEnd();
    await t.call('create', `meetingID=sm-1&meta_analytics-callback-url=${encodeURIComponent(fe.url)}`);
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });

  it("customer is 'scalelite' and the relay is signed with the LB secret", async () => {
    const res = await post(t.url, 'anything.example.org', { ...DATA, meeting_id: 'sm-1' }, `Bearer ${await bbbToken(t.fakes[0].secret)}`);
    expect(res.status).toBe(204);
    expect(fe.received.map((r) => r.body.customer)).toEqual(['scalelite']);
    expect(await verifies(String(fe.received[0].headers.authorization).replace(/^Bearer /, ''), LB_SECRET)).toBe(true);
  });
});

/** A TCP listener that only counts connections: whatever the scheme, a call that reaches it is seen. */
async function tcpCounter() {
  let connections = 0;
  const reset = () => (connections = 0);
  const server = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => connections, reset, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('analytics_callback, default policy: https to public addresses only', () => {
  let t: TestStack;
  let fe: Awaited<ReturnType<typeof frontEnd>>;
  let tcp: Awaited<ReturnType<typeof tcpCounter>>;
  let log: ReturnType<typeof memoryLog>;
  beforeAll(async () => {
    log = memoryLog();
    // short timeouts: were a refused address tried anyway, the test would fail on its outcome, not hang
    t = await startTestStack({ servers: 1, log, env: { CONNECT_TIMEOUT: '0.3', RESPONSE_TIMEOUT: '0.3' } });
    fe = await frontEnd();
    tcp = await tcpCounter();
  });
  afterAll(async () => {
    await fe?.close();
    await tcp?.close();
    await t?.close();
  });

  const urls = () => ({
    'https-loopback': `https://127.0.0.1:${tcp.port}/analytics`,
    'http-loopback': fe.url,
    'name-resolving-to-loopback': `https://localhost:${tcp.port}/analytics`,
    'ipv4-mapped-loopback': `https://[::ffff:127.0.0.1]:${tcp.port}/analytics`,
    'ipv6-loopback': `https://[::1]:${tcp.port}/analytics`,
    'private-10': 'https://10.1.2.3/analytics',
    'metadata-169.254.169.254': 'https://169.254.169.254/latest/meta-data/',
    'cgnat': 'https://100.64.0.1/analytics',
  });

  const NAMES = ['https-loopback', 'http-loopback', 'name-resolving-to-loopback', 'ipv4-mapped-loopback', 'ipv6-loopback', 'private-10', 'metadata-169.254.169.254', 'cgnat'] as const;

  it('names every case', () => expect(Object.keys(urls())).toEqual([...NAMES]));

  it.each(NAMES)('a callback URL on %s is never called; the answer is still 204', async (name) => {
    const url = urls()[name];
    const id = `pol-${name}`;
    const create = await t.call('create', `meetingID=${id}&meta_analytics-callback-url=${encodeURIComponent(url)}`);
    expect(xmlValue(create.body, 'returncode')).toBe('SUCCESS');
    log.lines.length = 0;
    tcp.reset();
    const res = await post(t.url, 'anything.example.org', { ...DATA, meeting_id: id }, `Bearer ${await bbbToken(t.fakes[0].secret)}`);
    expect([res.status, res.body]).toEqual([204, '']);
    expect(fe.received).toEqual([]);
    expect(tcp.connections()).toBe(0);
    expect(log.lines.filter((l) => l.msg === 'request').map((l) => l.fields?.outcome)).toEqual(['refusedUrl']);
    expect(log.lines.find((l) => l.msg === 'analytics callback URL refused')?.fields).toMatchObject({ meetingID: id });
  });
});
