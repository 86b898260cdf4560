/**
 * `POST /bigbluebutton/api/analytics_callback` (reference §1.7): BBB posts a meeting's learning-analytics
 * data — after the meeting ended — with an HS512 JWT signed with its secret; the balancer relays it to the
 * URL the front-end gave at create, re-signed with the tenant's (or the LB) secrets. Always 204.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { LB_SECRET, rawRequest, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

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

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 1 });
    fe = await frontEnd();
    alpha = await t.tenant('alpha', A_SECRETS);
    await t.tenant('beta', 'beta-secret');
    const cb = encodeURIComponent(fe.url);
    for (const id of ['am-1', 'am-2']) {
      const res = await t.callAt(hostOf('alpha'), 'create', `meetingID=${id}&meta_analytics-callback-url=${cb}`, 'alpha-first');
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    }
    // BBB sends the data after the meeting ended: the meeting records are gone by then
    await t.callAt(hostOf('alpha'), 'end', 'meetingID=am-1', 'alpha-first');
    expect(await t.stack.deps.store.meetings.get('am-1', Date.now())).toBeUndefined();
  });
  afterAll(async () => {
    await fe?.close();
    await t?.close();
  });
  beforeEach(() => {
    fe.received.length = 0;
    fe.statuses.length = 0;
  });

  it("relays an ended meeting's data with customer = tenant name, re-signed with the tenant's secret", async () => {
    const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: 'am-1' }, `Bearer ${await bbbToken(t.fakes[0].secret)}`);
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
    const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: 'am-2' }, `Bearer ${await bbbToken(t.fakes[0].secret)}`);
    expect(res.status).toBe(204);
    expect(fe.received).toHaveLength(2);
    const tokens = fe.received.map((r) => String(r.headers.authorization).replace(/^Bearer /, ''));
    expect([await verifies(tokens[0], 'alpha-first'), await verifies(tokens[1], 'alpha-second')]).toEqual([true, true]);
  });

  it('relays nothing without a valid token from a known server (still 204)', async () => {
    for (const auth of [undefined, 'Bearer', 'Basic abc', `Bearer ${await bbbToken('not-a-server-secret')}`, `Bearer ${await bbbToken(t.fakes[0].secret, 1000)}`, `Bearer ${await bbbToken('alpha-first')}`]) {
      const res = await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: 'am-1' }, auth);
      expect([auth, res.status]).toEqual([auth, 204]);
    }
    expect(fe.received).toEqual([]);
  });

  it("another tenant's host does not relay alpha's meeting; an unknown host is a checksumError", async () => {
    const token = `Bearer ${await bbbToken(t.fakes[0].secret)}`;
    expect((await post(t.url, hostOf('beta'), { ...DATA, meeting_id: 'am-1' }, token)).status).toBe(204);
    const unknown = await post(t.url, hostOf('gamma'), { ...DATA, meeting_id: 'am-1' }, token);
    expect([unknown.status, xmlValue(unknown.body, 'messageKey')]).toEqual([200, 'checksumError']);
    expect(fe.received).toEqual([]);
  });

  it('a meeting without a callback URL, or an unknown meeting, relays nothing', async () => {
    await t.callAt(hostOf('alpha'), 'create', 'meetingID=am-none', 'alpha-first');
    const token = `Bearer ${await bbbToken(t.fakes[0].secret)}`;
    for (const id of ['am-none', 'never-created']) expect((await post(t.url, hostOf('alpha'), { ...DATA, meeting_id: id }, token)).status).toBe(204);
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
    t = await startTestStack({ servers: 1 });
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
