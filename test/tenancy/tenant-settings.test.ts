/**
 * Tenant settings on create and join (reference §1.6), weakest to strongest: env defaults, tenant defaults,
 * the request, env overrides, tenant overrides; and the effective `meta_server-tag` of §2.2.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const SECRET = 'tenant-secret-0123456789';

describe('tenant settings: precedence on create and join', () => {
  let t: TenancyStack;
  let tenant: Tenant;
  let plain: Tenant;
  beforeAll(async () => {
    t = await startTenancyStack({
      servers: 1,
      env: {
        DEFAULT_CREATE_PARAMS: 'p1=env-default,p2=env-default,p3=env-default',
        OVERRIDE_CREATE_PARAMS: 'p5=env-override,p6=env-override',
        DEFAULT_JOIN_PARAMS: 'j1=env-default,j2=env-default',
        OVERRIDE_JOIN_PARAMS: 'j4=env-override,j5=env-override',
      },
    });
    tenant = await t.tenant('acme', SECRET);
    plain = await t.tenant('plain', SECRET);
    // create parameters
    await t.setting(tenant.id, 'p2', 'tenant-default', false);
    await t.setting(tenant.id, 'p3', 'tenant-default', false);
    await t.setting(tenant.id, 'p4', 'tenant-default', false);
    await t.setting(tenant.id, 'p6', 'tenant-override', true);
    await t.setting(tenant.id, 'p7', 'tenant-override', true);
    await t.setting(tenant.id, 'record', 'false', true);
    // join parameters (settings apply to create and join alike)
    await t.setting(tenant.id, 'j2', 'tenant-default', false);
    await t.setting(tenant.id, 'j3', 'tenant-default', false);
    await t.setting(tenant.id, 'j5', 'tenant-override', true);
  });
  afterAll(() => t.close());
  beforeEach(() => t.fakes[0].clearRequests());

  const lastCreate = () => t.fakes[0].requestsFor('create').at(-1)!;

  it('create: each layer beats the ones below it', async () => {
    const res = await t.callAt(hostOf('acme'), 'create', 'meetingID=prec&p3=request&p4=request&p5=request&p6=request&record=true', SECRET);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    const { params, paramOrder } = lastCreate();
    expect(params).toMatchObject({
      p1: 'env-default', // env default alone
      p2: 'tenant-default', // tenant default > env default
      p3: 'request', // request > tenant default > env default
      p4: 'request', // request > tenant default
      p5: 'env-override', // env override > request
      p6: 'tenant-override', // tenant override > env override > request
      p7: 'tenant-override', // tenant override alone
      record: 'false', // a tenant override also beats the client's own value
    });
    // Scalelite's key order: env default keys, tenant default keys, request keys, then new override keys
    const order = paramOrder.filter((k) => /^p\d$/.test(k) || k === 'meetingID');
    expect(order).toEqual(['p1', 'p2', 'p3', 'p4', 'meetingID', 'p5', 'p6', 'p7']);
  });

  it('join: the same layers, from the join lists and the same tenant settings', async () => {
    await t.callAt(hostOf('acme'), 'create', 'meetingID=prec-join', SECRET);
    const res = await t.callAt(hostOf('acme'), 'join', 'meetingID=prec-join&fullName=Ann&role=VIEWER&j3=request&j4=request&j5=request', SECRET);
    expect(res.status).toBe(302);
    const q = new URL(res.headers.location!).searchParams;
    expect(Object.fromEntries(['j1', 'j2', 'j3', 'j4', 'j5', 'p2', 'record'].map((k) => [k, q.get(k)]))).toEqual({
      j1: 'env-default',
      j2: 'tenant-default',
      j3: 'request',
      j4: 'env-override',
      j5: 'tenant-override',
      p2: 'tenant-default',
      record: 'false',
    });
  });

  it("another tenant's settings do not apply", async () => {
    await t.callAt(hostOf('plain'), 'create', 'meetingID=prec-plain&p4=request', SECRET);
    expect(lastCreate().params).toMatchObject({ p1: 'env-default', p2: 'env-default', p4: 'request' });
    expect(lastCreate().params).not.toHaveProperty('p7');
    expect(lastCreate().params).not.toHaveProperty('record');
    expect(plain.id).not.toBe(tenant.id);
  });

  it('a setting change reaches the API within REGISTRY_TTL (here 0: at once)', async () => {
    const later = await t.tenant('later', SECRET);
    await t.callAt(hostOf('later'), 'create', 'meetingID=prec-later', SECRET);
    expect(lastCreate().params).not.toHaveProperty('welcome');
    await t.setting(later.id, 'welcome', 'Hello from later', true);
    await t.callAt(hostOf('later'), 'create', 'meetingID=prec-later-2', SECRET);
    expect(lastCreate().params.welcome).toBe('Hello from later');
  });
});

describe('tenant settings: the effective meta_server-tag (§2.2)', () => {
  /** one fake BBB per tag, so that where a create lands shows which tag won */
  const TAGS = ['tenant-override', 'env-override', 'request', 'tenant-default', 'env-default'];

  async function taggedStack(env: Record<string, string>) {
    const t = await startTenancyStack({ servers: 1, env });
    for (const tag of TAGS) {
      const fake = await FakeBbb.start();
      t.fakes.push(fake);
      await t.addServer(fake, { id: tag, tag });
    }
    return t;
  }
  const placedOn = async (t: TenancyStack, tenant: string, meetingID: string) =>
    (await t.stack.deps.store.meetings.get({ meetingID, tenantId: (await t.stack.deps.registry.tenantByName(tenant))!.id }, Date.now()))?.serverId;

  let withEnvOverride: TenancyStack;
  let withEnvDefault: TenancyStack;
  beforeAll(async () => {
    withEnvOverride = await taggedStack({ OVERRIDE_CREATE_PARAMS: 'meta_server-tag=env-override!', DEFAULT_CREATE_PARAMS: 'meta_server-tag=env-default!' });
    withEnvDefault = await taggedStack({ DEFAULT_CREATE_PARAMS: 'meta_server-tag=env-default!' });
    for (const t of [withEnvOverride, withEnvDefault]) {
      const over = await t.tenant('over', SECRET);
      await t.setting(over.id, 'meta_server-tag', 'tenant-override!', true);
      const under = await t.tenant('under', SECRET);
      await t.setting(under.id, 'meta_server-tag', 'tenant-default!', false);
      await t.tenant('bare', SECRET);
    }
  });
  afterAll(async () => {
    await withEnvOverride?.close();
    await withEnvDefault?.close();
  });

  it('tenant override > env override > request > tenant default > env default', async () => {
    const cases: [TenancyStack, string, string, string][] = [
      [withEnvOverride, 'over', '&meta_server-tag=request!', 'tenant-override'],
      [withEnvOverride, 'under', '&meta_server-tag=request!', 'env-override'],
      [withEnvDefault, 'under', '&meta_server-tag=request!', 'request'],
      [withEnvDefault, 'under', '', 'tenant-default'],
      [withEnvDefault, 'bare', '', 'env-default'],
    ];
    for (const [i, [t, tenant, query, expected]] of cases.entries()) {
      const res = await t.callAt(hostOf(tenant), 'create', `meetingID=tag-${i}${query}`, SECRET);
      expect([i, xmlValue(res.body, 'returncode')]).toEqual([i, 'SUCCESS']);
      expect([i, await placedOn(t, tenant, `tag-${i}`)]).toEqual([i, expected]);
      // BBB gets the chosen server's tag, never the setting's raw value
      const sent = t.fakes.find((f) => f.requestsFor('create').some((r) => r.params.meetingID?.endsWith(`~tag-${i}`)))!;
      expect(sent.requestsFor('create').at(-1)!.params['meta_server-tag']).toBe(expected);
    }
  });

  it('a meta_server-tag setting is not added to join', async () => {
    await withEnvDefault.callAt(hostOf('under'), 'create', 'meetingID=tag-join', SECRET);
    const res = await withEnvDefault.callAt(hostOf('under'), 'join', 'meetingID=tag-join&fullName=Ann&role=VIEWER', SECRET);
    expect(new URL(res.headers.location!).searchParams.has('meta_server-tag')).toBe(false);
  });
});
