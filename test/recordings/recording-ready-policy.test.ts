/**
 * The recording-ready callback in multitenant mode (the tenant's secrets, its own meetings only) and under
 * the default outgoing-URL policy (https to public addresses only: a loopback URL is never called).
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceRecording, deliverDueCallbacks } from '../../shared/app/recording-ready.js';
import type { Recording } from '../../shared/domain/recording.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { startReadyReceiver, verifiedToken, type ReadyReceiver } from './recording-ready-receiver.js';

const MIN = 60_000;

const recording = (recordID: string, meetingID: string, tenantId?: string): Recording => ({
  recordID,
  meetingID,
  tenantId,
  name: 'Lecture',
  published: true,
  protected: false,
  startTime: 0,
  endTime: 0,
  metadata: {},
  formats: {},
});

describe('recording-ready callback, multitenant', () => {
  let t: TenancyStack;
  let alpha: Tenant;
  let beta: Tenant;
  let rxA: ReadyReceiver;
  let rxB: ReadyReceiver;

  beforeAll(async () => {
    // SHA-256 not allowed: Scalelite signs with HS512
    t = await startTenancyStack({ servers: 1, env: { ALLOW_PRIVATE_CALLBACK_URLS: 'true', LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA1:SHA512' } });
    rxA = await startReadyReceiver();
    rxB = await startReadyReceiver();
    alpha = await t.tenant('alpha', 'alpha-first:alpha-second');
    beta = await t.tenant('beta', 'beta-only');
    // both tenants run the same meetingID, each with its own receiver
    for (const [name, secret, rx] of [['alpha', 'alpha-first', rxA], ['beta', 'beta-only', rxB]] as const) {
      const res = await t.callAt(hostOf(name), 'create', `meetingID=same&meta_bbb-recording-ready-url=${encodeURIComponent(rx.url)}`, secret);
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    }
  });
  afterAll(async () => {
    await rxA?.close();
    await rxB?.close();
    await t?.close();
  });

  it("goes to the recording's tenant's URL, signed with its secrets in turn, with the front-end's meetingID", async () => {
    const r = recording('alpha-rec-1', 'same', alpha.id);
    rxA.statuses.push(401); // the first secret is refused: Scalelite tries the next one
    await announceRecording(t.stack.deps, r, { uploadKey: 'uploads/bbb-1/alpha-rec-1/u1.tar' });

    expect(rxB.posts).toHaveLength(0);
    expect(rxA.posts).toHaveLength(2);
    const [first, second] = rxA.posts;
    const expected = { header: { alg: 'HS512' }, payload: { meeting_id: 'same', record_id: 'alpha-rec-1' } };
    expect(await verifiedToken(first.token, 'alpha-first', 'HS512')).toEqual(expected);
    expect(await verifiedToken(second.token, 'alpha-second', 'HS512')).toEqual(expected);
    expect(await verifiedToken(second.token, 'beta-only', 'HS512')).toBeUndefined();
    expect(await t.stack.deps.store.callbackOutbox.get('alpha-rec-1', 'uploads/bbb-1/alpha-rec-1/u1.tar')).toMatchObject({ state: 'delivered', tenantId: alpha.id });
  });

  it("the other tenant's recording of the same meetingID goes to that tenant's URL only", async () => {
    rxA.reset();
    const r = recording('beta-rec-1', 'same', beta.id);
    await announceRecording(t.stack.deps, r, { uploadKey: 'uploads/bbb-1/beta-rec-1/u1.tar' });
    expect(rxA.posts).toHaveLength(0);
    expect(rxB.posts).toHaveLength(1);
    expect((await verifiedToken(rxB.posts[0].token, 'beta-only', 'HS512'))?.payload).toEqual({ meeting_id: 'same', record_id: 'beta-rec-1' });
  });

  it('a recording without a tenant finds no tenant meeting to announce', async () => {
    rxA.reset();
    rxB.reset();
    await announceRecording(t.stack.deps, recording('no-tenant-rec', 'same'), { uploadKey: 'uploads/bbb-1/no-tenant-rec/u1.tar' });
    expect(rxA.posts.length + rxB.posts.length).toBe(0);
  });
});

describe('recording-ready callback, default outgoing-URL policy (https, public addresses only)', () => {
  let time = Date.UTC(2026, 2, 2, 9, 0, 0);
  let t: TestStack;
  let rx: ReadyReceiver;
  let tcp: Server;
  let connections = 0;

  beforeAll(async () => {
    t = await startTestStack({ servers: 1, clock: () => time });
    rx = await startReadyReceiver();
    // counts every connection made to its port, TLS or not
    tcp = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => tcp?.close(() => r()));
    await rx?.close();
    await t?.close();
  });

  it.each([
    ['https to 127.0.0.1', () => `https://127.0.0.1:${(tcp.address() as AddressInfo).port}/ready`],
    ['http to 127.0.0.1', () => rx.url],
  ])('a URL %s is never called, and not retried', async (_, url) => {
    const meetingID = `m-${connections}-${rx.posts.length}-${Math.random().toString(36).slice(2, 8)}`;
    const res = await t.call('create', `meetingID=${meetingID}&meta_bbb-recording-ready-url=${encodeURIComponent(url())}`);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    const r = recording(`rec-${meetingID}`, meetingID);
    await announceRecording(t.stack.deps, r, { uploadKey: `uploads/bbb-1/${r.recordID}/u.tar` });
    const entry = await t.stack.deps.store.callbackOutbox.get(r.recordID, `uploads/bbb-1/${r.recordID}/u.tar`);
    expect(entry).toMatchObject({ state: 'stopped', attempts: 1 });
    expect(entry?.lastResult).toMatch(/^refused: /);
    time += 2 * 60 * MIN;
    expect((await deliverDueCallbacks(t.stack.deps)).due).toBe(0);
    expect(connections).toBe(0);
    expect(rx.posts).toHaveLength(0);
  });
});
