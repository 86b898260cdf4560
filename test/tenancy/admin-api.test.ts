/**
 * The admin REST API `/scalelite/api/*` (reference §1.8, §8.3): servers and tenants, JSON in and out,
 * signed like the BBB API but with its own credential (ADMIN_SECRET).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTenantLrs } from '../../shared/app/tenant-admin.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import { hostOf, memoryLog, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const ADMIN = 'admin-secret-0123456789';

interface Json {
  status: number;
  json: unknown;
  raw: RawResponse;
}

function adminClient(baseUrl: () => string, secret = ADMIN) {
  const parse = (raw: RawResponse): Json => ({ status: raw.status, json: raw.headers['content-type']?.includes('json') ? JSON.parse(raw.body) : undefined, raw });
  return {
    get: async (call: string, query = '', s = secret) => parse(await rawRequest(baseUrl(), `/scalelite/api/${call}?${signQuery(call, query, s, 'sha256')}`)),
    /** the body is JSON; only `checksum` (over `call + secret`) goes in the query, as Scalelite's clients do */
    post: async (call: string, body: unknown, s = secret, contentType = 'application/json') =>
      parse(
        await rawRequest(baseUrl(), `/scalelite/api/${call}?${signQuery(call, '', s, 'sha256')}`, {
          method: 'POST',
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'Content-Type': contentType },
        }),
      ),
  };
}

describe('admin API: servers', () => {
  let t: TestStack;
  let fake: FakeBbb;
  const api = adminClient(() => t.url);
  beforeAll(async () => {
    t = await startTestStack({ env: { ADMIN_SECRET: ADMIN } });
    fake = await FakeBbb.start();
    t.fakes.push(fake);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const s of await t.stack.deps.store.servers.list()) await t.stack.deps.store.servers.remove(s.id);
  });

  it('getServers: 404 when there are none, else every server with its JSON fields in order', async () => {
    expect(await api.get('getServers')).toMatchObject({ status: 404, json: { error: 'No servers are configured' } });
    await t.addServer(fake, { id: 'bbb-a', tag: 'fast', loadMultiplier: 2.5 });
    const { status, json } = await api.get('getServers');
    expect(status).toBe(200);
    expect(json).toEqual([
      { id: 'bbb-a', url: fake.url, secret: fake.secret, tag: 'fast', bbb_version: '3.0.4', state: 'enabled', load: 0, load_multiplier: '2.5', online: 'online' },
    ]);
    expect(Object.keys((json as object[])[0])).toEqual(['id', 'url', 'secret', 'tag', 'bbb_version', 'state', 'load', 'load_multiplier', 'online']);
  });

  it('getServerInfo: one server, 404 for an unknown id', async () => {
    await t.addServer(fake, { id: 'bbb-a' });
    expect(await api.get('getServerInfo', 'id=bbb-a')).toMatchObject({ status: 200, json: { id: 'bbb-a', state: 'enabled', online: 'online' } });
    expect(await api.get('getServerInfo', 'id=nonexistent-id')).toMatchObject({ status: 404, json: { error: "Couldn't find server with id=nonexistent-id" } });
  });

  it('addServer: 201, disabled/unavailable/offline; wrapped and unwrapped bodies; 400 without url or secret', async () => {
    const a = await api.post('addServer', { server: { url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's1', load_multiplier: '1.5', tag: 'x' } });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ url: 'https://bbb1.example.com/bigbluebutton/api', secret: 's1', tag: 'x', state: 'disabled', load: 'unavailable', load_multiplier: '1.5', online: 'offline' });
    const b = await api.post('addServer', { url: 'https://bbb2.example.com/bigbluebutton/api', secret: 's2' });
    expect(b).toMatchObject({ status: 201, json: { load_multiplier: '1.0', tag: '' } });
    expect((await t.stack.deps.store.servers.list()).length).toBe(2);
    for (const body of [{ server: { url: 'https://x' } }, { secret: 'only' }, {}]) {
      expect(await api.post('addServer', body)).toMatchObject({ status: 400, json: { error: 'Server needs a URL and a secret' } });
    }
    expect(await api.post('addServer', { url: 'ftp://x', secret: 's' })).toMatchObject({ status: 400, json: { error: 'Server URL must start with http:// or https://' } });
    // Scalelite's defaults for a zero or non-numeric multiplier; a negative one is refused (never stored)
    expect(await api.post('addServer', { url: 'https://bbb3.example.com/bigbluebutton/api', secret: 's3', load_multiplier: 0 })).toMatchObject({ status: 201, json: { load_multiplier: '1.0' } });
    expect(await api.post('addServer', { url: 'https://bbb4.example.com/bigbluebutton/api', secret: 's4', load_multiplier: 'fast' })).toMatchObject({ status: 201, json: { load_multiplier: '1.0' } });
    expect(await api.post('addServer', { url: 'https://bbb5.example.com/bigbluebutton/api', secret: 's5', load_multiplier: '-2' })).toMatchObject({ status: 400, json: { error: 'Load-multiplier must be a positive number' } });
    expect((await t.stack.deps.store.servers.list()).length).toBe(4);
  });

  it('updateServer: state, multiplier, secret, tag set and removed; 400 for bad values; 404', async () => {
    await t.addServer(fake, { id: 'bbb-a' });
    for (const [state, expected] of [['cordon', 'cordoned'], ['disable', 'disabled'], ['enable', 'enabled']]) {
      expect(await api.post('updateServer', { id: 'bbb-a', server: { state } })).toMatchObject({ status: 200, json: { state: expected } });
    }
    expect(await api.post('updateServer', { id: 'bbb-a', server: { state: 'invalid_state' } })).toMatchObject({ status: 400, json: { error: 'Invalid state parameter: invalid_state' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { load_multiplier: '2.5' } })).toMatchObject({ status: 200, json: { load_multiplier: '2.5' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { load_multiplier: 0 } })).toMatchObject({ status: 400, json: { error: 'Load-multiplier must be a non-zero number' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { load_multiplier: -1 } })).toMatchObject({ status: 400, json: { error: 'Load-multiplier must be a positive number' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { tag: 'blue' } })).toMatchObject({ status: 200, json: { tag: 'blue' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { tag: '' } })).toMatchObject({ status: 200, json: { tag: '' } });
    expect(await api.post('updateServer', { id: 'bbb-a', server: { secret: fake.secret } })).toMatchObject({ status: 200, json: { secret: fake.secret } });
    expect(await t.stack.deps.store.servers.get('bbb-a')).toMatchObject({ state: 'enabled', loadMultiplier: 2.5 });
    expect((await t.stack.deps.store.servers.get('bbb-a'))?.tag).toBeUndefined();
    expect(await api.post('updateServer', { id: 'nonexistent-id', server: { state: 'enable' } })).toMatchObject({ status: 404 });
    expect(await api.post('updateServer', { server: { state: 'enable' } })).toMatchObject({ status: 400, json: { error: 'param is missing or the value is empty: id' } });
  });

  it('deleteServer: 200 and gone; 404 for an unknown id', async () => {
    await t.addServer(fake, { id: 'bbb-a' });
    expect(await api.post('deleteServer', { id: 'bbb-a' })).toMatchObject({ status: 200, json: { success: 'Server id=bbb-a was destroyed' } });
    expect(await t.stack.deps.store.servers.get('bbb-a')).toBeUndefined();
    expect(await api.post('deleteServer', { id: 'bbb-a' })).toMatchObject({ status: 404, json: { error: "Couldn't find server with id=bbb-a" } });
  });

  it('panicServer: ends every meeting on BBB with its moderator password, forgets them, disables the server', async () => {
    await t.addServer(fake, { id: 'bbb-a' });
    for (const id of ['p1', 'p2']) await t.call('create', `meetingID=${id}&moderatorPW=mp-${id}`);
    fake.clearRequests();
    expect(await api.post('panicServer', { id: 'bbb-a' })).toMatchObject({
      status: 200,
      json: { success: 'Server id=bbb-a has been disabled and the meetings have been destroyed' },
    });
    expect(fake.requestsFor('end').map((r) => [r.params.meetingID, r.params.password]).sort()).toEqual([['p1', 'mp-p1'], ['p2', 'mp-p2']]);
    expect(await t.stack.deps.store.meetings.listByServer('bbb-a', Date.now())).toEqual([]);
    expect((await t.stack.deps.store.servers.get('bbb-a'))?.state).toBe('disabled');
  });

  it('panicServer with keep_state keeps the state; an end that fails does not stop the others', async () => {
    await t.addServer(fake, { id: 'bbb-a' });
    await t.call('create', 'meetingID=k1');
    fake.meetings.delete('k1'); // BBB answers notFound for it
    await t.call('create', 'meetingID=k2');
    fake.clearRequests();
    expect(await api.post('panicServer', { id: 'bbb-a', keep_state: true })).toMatchObject({ status: 200 });
    expect(fake.requestsFor('end')).toHaveLength(2);
    expect((await t.stack.deps.store.servers.get('bbb-a'))?.state).toBe('enabled');
    expect(await api.post('panicServer', { id: 'nonexistent-id' })).toMatchObject({ status: 404 });
  });

  it('tenants endpoints answer 412 while multitenancy is disabled', async () => {
    for (const call of ['getTenants', 'getTenantInfo']) expect(await api.get(call, 'id=x')).toMatchObject({ status: 412, json: { message: 'Multitenancy is disabled' } });
    for (const call of ['addTenant', 'updateTenant', 'deleteTenant']) expect(await api.post(call, { id: 'x' })).toMatchObject({ status: 412, json: { message: 'Multitenancy is disabled' } });
  });
});

describe('admin API: authentication and pipeline', () => {
  let withAdmin: TestStack;
  let withoutAdmin: TestStack;
  const log = memoryLog();
  beforeAll(async () => {
    withAdmin = await startTestStack({ env: { ADMIN_SECRET: ADMIN } });
    withoutAdmin = await startTestStack({ log });
  });
  afterAll(async () => {
    await withAdmin?.close();
    await withoutAdmin?.close();
  });

  it('ADMIN_SECRET signs the admin API; the LB secret does not (XML checksumError, HTTP 200)', async () => {
    const admin = adminClient(() => withAdmin.url);
    expect((await admin.post('addServer', { url: 'https://b.example.com/bigbluebutton/api', secret: 's' })).status).toBe(201);
    const lb = adminClient(() => withAdmin.url, LB_SECRET);
    for (const res of [await lb.get('getServers'), await lb.post('addServer', { url: 'https://c.example.com/', secret: 's' })]) {
      expect([res.status, xmlValue(res.raw.body, 'messageKey')]).toEqual([200, 'checksumError']);
    }
    expect((await withAdmin.stack.deps.store.servers.list()).length).toBe(1);
  });

  it('sha1 and sha256 of `call + secret` are accepted for a body-only POST; a missing or wrong checksum is not', async () => {
    for (const alg of ['sha1', 'sha256']) {
      const checksum = createHash(alg).update(`getServers${ADMIN}`).digest('hex');
      const res = await rawRequest(withAdmin.url, `/scalelite/api/getServers?checksum=${checksum}`);
      expect(res.status).toBe(200);
    }
    for (const path of ['/scalelite/api/getServers', `/scalelite/api/getServers?checksum=${'x'.repeat(40)}`]) {
      expect(xmlValue((await rawRequest(withAdmin.url, path)).body, 'messageKey')).toBe('checksumError');
    }
  });

  it('a POST body that is not JSON is unsupportedContentType; bad JSON is a 400; wrong method or call is unsupportedRequest', async () => {
    const admin = adminClient(() => withAdmin.url);
    const form = await admin.post('addServer', 'url=https://x&secret=s', ADMIN, 'application/x-www-form-urlencoded');
    expect(xmlValue(form.raw.body, 'messageKey')).toBe('unsupportedContentType');
    expect(await admin.post('addServer', '{not json')).toMatchObject({ status: 400, json: { error: 'The body is not valid JSON' } });
    expect(xmlValue((await admin.post('getServers', {})).raw.body, 'messageKey')).toBe('unsupportedRequest');
    expect(xmlValue((await admin.get('addServer')).raw.body, 'messageKey')).toBe('unsupportedRequest');
    expect(xmlValue((await admin.get('dropTable')).raw.body, 'messageKey')).toBe('unsupportedRequest');
  });

  it('without ADMIN_SECRET the LB secrets sign it, and a warning says so at start', async () => {
    expect((await adminClient(() => withoutAdmin.url, LB_SECRET).get('getServers')).status).toBe(404);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toContainEqual(expect.stringMatching(/^ADMIN_SECRET is not set/));
  });
});

describe('admin API: tenants', () => {
  let t: TenancyStack;
  const api = adminClient(() => t.url);
  beforeAll(async () => {
    t = await startTenancyStack({ servers: 1, env: { ADMIN_SECRET: ADMIN } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const tenant of await t.stack.deps.store.tenants.listAll()) await t.stack.deps.store.tenants.remove(tenant.id);
  });

  it('getTenants: a message when there are none, else id, name and secrets of each', async () => {
    expect(await api.get('getTenants')).toMatchObject({ status: 200, json: { message: 'No tenants exist' } });
    const a = await t.tenant('alpha', 'a1:a2');
    expect(await api.get('getTenants')).toMatchObject({ status: 200, json: [{ id: a.id, name: 'alpha', secrets: 'a1:a2' }] });
  });

  it('getTenantInfo: name, secrets and LRS fields — never the LRS or Keycloak passwords; 404 for an unknown id', async () => {
    const a = await t.tenant('alpha', 'a1');
    await setTenantLrs(t.stack.deps, a.id, { lrsEndpoint: 'https://lrs/x', kcTokenUrl: 'https://kc/token', kcClientId: 'cid', kcClientSecret: 'csecret', kcUsername: 'ku', kcPassword: 'kpass' });
    const info = await api.get('getTenantInfo', `id=${a.id}`);
    expect(info).toMatchObject({ status: 200, json: { id: a.id, name: 'alpha', secrets: 'a1', lrs_endpoint: 'https://lrs/x', kc_token_url: 'https://kc/token', kc_client_id: 'cid', kc_username: 'ku' } });
    expect(info.raw.body).not.toMatch(/csecret|kpass|password|client_secret/);
    const b = await t.tenant('beta', 'b1');
    await setTenantLrs(t.stack.deps, b.id, { lrsEndpoint: 'https://lrs/y', lrsUsername: 'lu', lrsPassword: 'lpass' });
    const basic = await api.get('getTenantInfo', `id=${b.id}`);
    expect(basic.json).toMatchObject({ lrs_username: 'lu' });
    expect(basic.raw.body).not.toContain('lpass');
    expect(await api.get('getTenantInfo', 'id=nonexistent-id')).toMatchObject({ status: 404, json: { error: "Couldn't find Tenant with id=nonexistent-id" } });
  });

  it('addTenant: 201 with the tenant, which answers on its host at once; 400 without name or secrets', async () => {
    const res = await api.post('addTenant', { tenant: { name: 'gamma', secrets: 'g-secret' } });
    expect(res.status).toBe(201);
    const id = (res.json as { tenant: { id: string } }).tenant.id;
    expect(res.json).toEqual({ tenant: { id, name: 'gamma', secrets: 'g-secret' } });
    expect(xmlValue((await t.callAt(hostOf('gamma'), 'getMeetings', '', 'g-secret')).body, 'returncode')).toBe('SUCCESS');
    const message = 'Error: both name and secrets are required to create a Tenant';
    for (const body of [{ tenant: { name: 'x' } }, { secrets: 's' }, { name: ' ', secrets: 's' }]) expect(await api.post('addTenant', body)).toMatchObject({ status: 400, json: { message } });
  });

  it('addTenant: a taken name is a 409 (no hijack); a name that is not a DNS label is a 400', async () => {
    const first = await api.post('addTenant', { name: 'alpha', secrets: 'one' });
    const again = await api.post('addTenant', { name: 'alpha', secrets: 'two' });
    expect(again.status).toBe(409);
    expect((again.json as { error: string }).error).toMatch(/^a tenant named alpha already exists/);
    const firstId = (first.json as { tenant: { id: string } }).tenant.id;
    expect(xmlValue((await t.callAt(hostOf('alpha'), 'getMeetings', '', 'one')).body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue((await t.callAt(hostOf('alpha'), 'getMeetings', '', 'two')).body, 'messageKey')).toBe('checksumError');
    for (const name of ['Alpha', 'a.b', 'under_score', '-x', 'x'.repeat(64)]) expect([name, (await api.post('addTenant', { name, secrets: 's' })).status]).toEqual([name, 400]);
    expect((await t.stack.deps.store.tenants.listAll()).map((x) => x.id)).toEqual([firstId]);
  });

  it('updateTenant: renames (new host answers, old does not) and replaces secrets; blank keeps; 404; 409', async () => {
    const a = await t.tenant('alpha', 'old');
    await t.tenant('beta', 'b');
    expect(await api.post('updateTenant', { id: a.id, tenant: { name: 'delta', secrets: '' } })).toMatchObject({ status: 200, json: { tenant: { id: a.id, name: 'delta', secrets: 'old' } } });
    expect(await api.post('updateTenant', { id: a.id, tenant: { secrets: 'new1:new2' } })).toMatchObject({ status: 200, json: { tenant: { name: 'delta', secrets: 'new1:new2' } } });
    expect(xmlValue((await t.callAt(hostOf('delta'), 'getMeetings', '', 'new2')).body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue((await t.callAt(hostOf('alpha'), 'getMeetings', '', 'new2')).body, 'messageKey')).toBe('checksumError');
    expect(await api.post('updateTenant', { id: a.id, tenant: { name: 'beta' } })).toMatchObject({ status: 409 });
    expect(await api.post('updateTenant', { id: 'nonexistent-id', tenant: { name: 'x' } })).toMatchObject({ status: 404, json: { error: "Couldn't find Tenant with id=nonexistent-id" } });
    // the old name is free again
    expect((await api.post('addTenant', { name: 'alpha', secrets: 's' })).status).toBe(201);
  });

  it('deleteTenant: 200, its host stops answering, its settings go too; 404 for an unknown id', async () => {
    const a = await t.tenant('alpha', 's');
    await t.setting(a.id, 'record', 'true', true);
    expect(await api.post('deleteTenant', { id: a.id })).toMatchObject({ status: 200, json: { success: `Tenant id=${a.id} was destroyed` } });
    expect(xmlValue((await t.callAt(hostOf('alpha'), 'getMeetings', '', 's')).body, 'messageKey')).toBe('checksumError');
    expect(await t.stack.deps.store.tenants.get(a.id)).toBeUndefined();
    expect(await api.post('deleteTenant', { id: a.id })).toMatchObject({ status: 404, json: { error: `Couldn't find Tenant with id=${a.id}` } });
    expect((await api.post('addTenant', { name: 'alpha', secrets: 's' })).status).toBe(201);
  });

  it('works on any host (the tenant hosts included), with the admin secret only', async () => {
    const a = await t.tenant('alpha', 'tenant-secret');
    const onTenantHost = await rawRequest(t.url, `/scalelite/api/getTenants?${signQuery('getTenants', '', ADMIN)}`, { headers: { Host: hostOf('alpha') } });
    expect(onTenantHost.status).toBe(200);
    const withTenantSecret = await rawRequest(t.url, `/scalelite/api/getTenants?${signQuery('getTenants', '', 'tenant-secret')}`, { headers: { Host: hostOf('alpha') } });
    expect(xmlValue(withTenantSecret.body, 'messageKey')).toBe('checksumError');
    expect(a.id).toBeDefined();
  });
});
