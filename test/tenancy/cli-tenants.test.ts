/**
 * The tenant tasks of `slctl` (reference §6.5): output, errors and exit codes, through the real binary.
 * Differences from Scalelite: names are unique DNS labels, unknown ids are one sentence (no stack trace),
 * removing a tenant with meetings asks first (`--yes` for scripts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { addTenant, addTenantSetting, setTenantLrs } from '../../shared/app/tenant-admin.js';
import type { SlctlOptions } from '../cli/run-slctl.js';
import { SPAWN_TIMEOUT, UUID_V4, listing, useSlctlFixture } from '../cli/slctl-fixture.js';

const t = useSlctlFixture('slctl-tenants');
const MT = { MULTITENANCY_ENABLED: 'true' };
/** slctl with multitenancy enabled */
const slctl = (args: string[], opts: SlctlOptions = {}) => t.slctl(args, { ...opts, env: { ...MT, ...opts.env } });
const deps = () => t.stack.deps;
const NOT_FOUND = (id: string) => `Tenant with id ${id} does not exist in the system. Exiting...\n`;

beforeEach(async () => {
  const { store } = deps();
  for (const tenant of await store.tenants.listAll()) {
    for (const m of await store.meetings.listByTenant(tenant.id, Date.now())) await store.meetings.delete(m);
    await store.tenants.remove(tenant.id);
  }
});

describe('every tenant task', () => {
  it('refuses to run unless MULTITENANCY_ENABLED=true', async () => {
    const tasks = [['tenants'], ['tenants:add', 'a', 's'], ['tenants:update', 'x', 'a'], ['tenants:update_lrs_basic', 'x', 'https://l', 'u', 'p'], ['tenants:update_lrs_kc', 'x', 'https://l', 'https://k', 'c', 'cs', 'u', 'p'], ['tenants:remove', 'x'], ['tenantSettings'], ['tenantSettings:add', 'x', 'p', 'v', 'true'], ['tenantSettings:remove', 'x']];
    const refused = { code: 1, stdout: '', stderr: 'Multitenancy is disabled, task can not be completed\n' };
    for (const args of tasks) expect([args[0], await t.slctl(args)]).toEqual([args[0], refused]);
    // unlike Scalelite, which runs them when the variable is set to anything, even `false`
    expect(await t.slctl(['tenants'], { env: { MULTITENANCY_ENABLED: 'false' } })).toEqual(refused);
  }, SPAWN_TIMEOUT * 10);

  it('are listed by --help', async () => {
    const help = await slctl(['--help']);
    for (const task of ['tenants ', 'tenants:add [NAME] [SECRETS]', 'tenants:update [ID] [NAME] [SECRETS]', 'tenants:update_lrs_basic', 'tenants:update_lrs_kc', 'tenants:remove [ID]', 'tenantSettings ', 'tenantSettings:add', 'tenantSettings:remove [ID]']) {
      expect(help.stdout).toContain(`slctl ${task}`);
    }
  }, SPAWN_TIMEOUT);
});

describe('tenants:add', () => {
  it('adds a tenant and prints OK and its id, in both call forms', async () => {
    const r = await slctl(['tenants:add', 'alpha', 'a1:a2']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const id = /^OK\nNew Tenant id: (.+)\n$/.exec(r.stdout)?.[1];
    expect(id).toMatch(UUID_V4);
    expect(await deps().store.tenants.get(id!)).toMatchObject({ name: 'alpha', secrets: ['a1', 'a2'], settings: [] });
    const rake = await slctl(['tenants:add[beta,b1]']);
    expect(rake.stdout).toMatch(/^OK\nNew Tenant id: [0-9a-f-]{36}\n$/);
  }, SPAWN_TIMEOUT * 2);

  it('requires a name and secrets', async () => {
    for (const args of [['tenants:add'], ['tenants:add', 'alpha'], ['tenants:add[alpha,]'], ['tenants:add[,s]']]) {
      expect(await slctl(args)).toEqual({ code: 1, stdout: '', stderr: 'Error: both name and secrets are required to create a Tenant\n' });
    }
  }, SPAWN_TIMEOUT * 4);

  it('refuses a taken name (no hijack) and a name that is no DNS label', async () => {
    const first = await addTenant(deps(), 'alpha', 's');
    expect(await slctl(['tenants:add', 'alpha', 'other'])).toEqual({ code: 1, stdout: '', stderr: `Error: a tenant named alpha already exists (id ${first.id})\n` });
    expect(await slctl(['tenants:add', 'Alpha.Corp', 's'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: the tenant name "Alpha.Corp" is not a DNS label (lower-case letters, digits and "-", at most 63 characters)\n',
    });
    expect((await deps().store.tenants.listAll()).map((x) => x.secrets)).toEqual([['s']]);
  }, SPAWN_TIMEOUT * 2);
});

describe('tenants', () => {
  it("prints Scalelite's listing (by name) with the LRS lines that are set — passwords and client secret masked — and the total", async () => {
    const b = await addTenant(deps(), 'beta', 'b1:b2');
    const a = await addTenant(deps(), 'alpha', 'a1');
    await setTenantLrs(deps(), b.id, { lrsEndpoint: 'https://lrs.example/x', lrsUsername: 'lu', lrsPassword: 'lp' });
    await setTenantLrs(deps(), a.id, { lrsEndpoint: 'https://lrs.example/y', kcTokenUrl: 'https://kc/t', kcClientId: 'ci', kcClientSecret: 'cs', kcUsername: 'ku', kcPassword: 'kp' });
    expect(await slctl(['tenants'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        `id: ${a.id}`,
        '\tname: alpha',
        '\tsecrets: a1',
        '\tlrs_endpoint: https://lrs.example/y',
        '\tkc_token_url: https://kc/t',
        '\tkc_client_id: ci',
        '\tkc_client_secret: *****',
        '\tkc_username: ku',
        '\tkc_password: *****',
        `id: ${b.id}`,
        '\tname: beta',
        '\tsecrets: b1:b2',
        '\tlrs_endpoint: https://lrs.example/x',
        '\tlrs_username: lu',
        '\tlrs_password: *****',
        'Total number of tenants: 2',
      ]),
    });
  }, SPAWN_TIMEOUT);

  it('with no tenants prints the total only', async () => {
    expect(await slctl(['tenants'])).toEqual({ code: 0, stdout: 'Total number of tenants: 0\n', stderr: '' });
  }, SPAWN_TIMEOUT);
});

describe('tenants:update', () => {
  it('renames and/or replaces the secrets; an empty argument keeps the value', async () => {
    const a = await addTenant(deps(), 'alpha', 'old');
    expect(await slctl(['tenants:update', a.id, 'gamma'])).toEqual({ code: 0, stdout: `OK\nUpdated Tenant id: ${a.id}\n`, stderr: '' });
    expect(await slctl([`tenants:update[${a.id},,new1:new2]`])).toEqual({ code: 0, stdout: `OK\nUpdated Tenant id: ${a.id}\n`, stderr: '' });
    expect(await deps().store.tenants.get(a.id)).toMatchObject({ name: 'gamma', secrets: ['new1', 'new2'] });
    // the old name is free again
    expect((await addTenant(deps(), 'alpha', 's')).name).toBe('alpha');
  }, SPAWN_TIMEOUT * 2);

  it('requires an id and a name or secrets; an unknown id or a taken name is one sentence, exit 1', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    await addTenant(deps(), 'beta', 's');
    const usage = 'Error: id and either name or secrets are required to update a Tenant\n';
    for (const args of [['tenants:update'], ['tenants:update', a.id], [`tenants:update[${a.id},,]`]]) expect(await slctl(args)).toEqual({ code: 1, stdout: '', stderr: usage });
    expect(await slctl(['tenants:update', 'nope', 'x'])).toEqual({ code: 1, stdout: '', stderr: NOT_FOUND('nope') });
    const taken = await slctl(['tenants:update', a.id, 'beta']);
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(taken.stderr).toMatch(/^Error: a tenant named beta already exists \(id [0-9a-f-]{36}\)\n$/);
  }, SPAWN_TIMEOUT * 5);
});

describe('tenants:update_lrs_basic / tenants:update_lrs_kc', () => {
  it('set the LRS endpoint and credentials', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    const ok = { code: 0, stdout: `OK\nUpdated Tenant id: ${a.id}\n`, stderr: '' };
    expect(await slctl(['tenants:update_lrs_basic', a.id, 'https://lrs.example/xapi', 'user', 'pass'])).toEqual(ok);
    expect(await deps().store.tenants.get(a.id)).toMatchObject({ lrsEndpoint: 'https://lrs.example/xapi', lrsUsername: 'user', lrsPassword: 'pass' });
    expect(await slctl([`tenants:update_lrs_kc[${a.id},https://lrs.example/b,https://kc.example/token,cid,csecret,ku,kp]`])).toEqual(ok);
    const kc = await deps().store.tenants.get(a.id);
    expect(kc).toMatchObject({ lrsEndpoint: 'https://lrs.example/b', kcTokenUrl: 'https://kc.example/token', kcClientId: 'cid', kcClientSecret: 'csecret', kcUsername: 'ku', kcPassword: 'kp' });
    expect(kc).not.toHaveProperty('lrsUsername');
  }, SPAWN_TIMEOUT * 2);

  it('require all their arguments, a URL, and a known id', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    expect(await slctl(['tenants:update_lrs_basic', a.id, 'https://lrs.example/xapi', 'user'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: id, LRS_ENDPOINT, LRS_USERNAME, LRS_PASSWORD are required to update a Tenant\n',
    });
    expect(await slctl(['tenants:update_lrs_kc', a.id, 'https://lrs.example/xapi', 'https://kc', 'cid', 'cs', 'ku'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: LRS_ENDPOINT, KC_TOKEN_URL, KC_CLIENT_ID, KC_CLIENT_SECRET, KC_USERNAME, KC_PASSWORD are required to update a Tenant\n',
    });
    expect(await slctl(['tenants:update_lrs_basic', a.id, 'lrs.example', 'u', 'p'])).toEqual({ code: 1, stdout: '', stderr: 'Error: LRS_ENDPOINT must start with http:// or https://\n' });
    expect(await slctl(['tenants:update_lrs_basic', 'nope', 'https://lrs.example', 'u', 'p'])).toEqual({ code: 1, stdout: '', stderr: NOT_FOUND('nope') });
    expect(await slctl(['tenants:update_lrs_kc', 'nope', 'https://l', 'https://k', 'c', 'cs', 'u', 'p'])).toEqual({ code: 1, stdout: '', stderr: NOT_FOUND('nope') });
  }, SPAWN_TIMEOUT * 5);
});

describe('tenants:remove', () => {
  const placeTenantMeeting = async (tenantId: string, meetingID: string) => {
    const now = Date.now();
    await deps().store.meetings.create({ meetingID, serverId: 'bbb-x', tenantId, moderatorPW: 'mp', voiceBridge: '71000', createdAt: now, expiresAt: Math.floor(now / 1000) + 3600 }, now);
  };
  const WARNING = (name: string, id: string, n: string) => [
    `WARNING: Tenant ${name} (id ${id}) has ${n} running. They go on on their`,
    `          servers, but ${name}'s API will no longer answer for them.`,
  ];
  const PROMPT = 'If you still wish to continue please enter `yes`';

  it('removes a tenant without meetings, with its name and settings', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    await addTenantSetting(deps(), { tenantId: a.id, param: 'record', value: 'true', override: true });
    expect(await slctl(['tenants:remove', a.id])).toEqual({ code: 0, stdout: 'Tenant was successfully deleted.\n', stderr: '' });
    expect(await deps().store.tenants.listAll()).toEqual([]);
    expect((await addTenant(deps(), 'alpha', 's')).name).toBe('alpha');
  }, SPAWN_TIMEOUT);

  it('an unknown or missing id is one sentence, exit 1', async () => {
    expect(await slctl(['tenants:remove', 'nope'])).toEqual({ code: 1, stdout: '', stderr: NOT_FOUND('nope') });
    expect(await slctl(['tenants:remove'])).toEqual({ code: 1, stdout: '', stderr: 'Error: id is required to remove a Tenant\n' });
  }, SPAWN_TIMEOUT * 2);

  it('a tenant with meetings: asks; anything but yes keeps it (exit 1); yes removes it', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    await placeTenantMeeting(a.id, 'tm-1');
    await placeTenantMeeting(a.id, 'tm-2');
    for (const input of ['no\n', '']) {
      expect(await slctl(['tenants:remove', a.id], { input })).toEqual({ code: 1, stdout: listing([...WARNING('alpha', a.id, '2 meetings'), PROMPT]), stderr: 'Tenant was not removed.\n' });
    }
    expect(await deps().store.tenants.get(a.id)).toBeDefined();
    expect(await slctl(['tenants:remove', a.id], { input: 'yes\n' })).toEqual({
      code: 0,
      stdout: listing([...WARNING('alpha', a.id, '2 meetings'), PROMPT, 'Tenant was successfully deleted.']),
      stderr: '',
    });
    expect(await deps().store.tenants.get(a.id)).toBeUndefined();
  }, SPAWN_TIMEOUT * 3);

  it('--yes skips the question', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    await placeTenantMeeting(a.id, 'tm-3');
    expect(await slctl(['tenants:remove', a.id, '--yes'])).toEqual({
      code: 0,
      stdout: listing([...WARNING('alpha', a.id, '1 meeting'), 'Tenant was successfully deleted.']),
      stderr: '',
    });
  }, SPAWN_TIMEOUT);
});

describe('tenantSettings', () => {
  it("lists each tenant's settings; a tenant without any gets a line on stderr", async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    await addTenant(deps(), 'beta', 's');
    const s1 = await addTenantSetting(deps(), { tenantId: a.id, param: 'record', value: 'false', override: true });
    const s2 = await addTenantSetting(deps(), { tenantId: a.id, param: 'welcome', value: 'Hi there', override: false });
    expect(await slctl(['tenantSettings'])).toEqual({
      code: 0,
      stdout: listing([
        'Tenant: alpha',
        `  id: ${s1.id}`,
        '\tparam: record',
        '\tvalue: false',
        '\toverride: true',
        `  id: ${s2.id}`,
        '\tparam: welcome',
        '\tvalue: Hi there',
        '\toverride: false',
        'Tenant: beta',
      ]),
      stderr: '  No custom settings are configured\n',
    });
  }, SPAWN_TIMEOUT);
});

describe('tenantSettings:add / tenantSettings:remove', () => {
  it('adds a setting (both call forms) and removes it', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    const r = await slctl(['tenantSettings:add', a.id, 'record', 'false', 'TRUE']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const id = /^OK\nNew TenantSetting id: (.+)\n$/.exec(r.stdout)?.[1];
    expect(id).toMatch(UUID_V4);
    expect((await slctl([`tenantSettings:add[${a.id},meta_server-tag,blue!,false]`])).code).toBe(0);
    expect((await deps().store.tenants.get(a.id))?.settings.map((s) => [s.param, s.value, s.override])).toEqual([
      ['record', 'false', true],
      ['meta_server-tag', 'blue!', false],
    ]);
    expect(await slctl([`tenantSettings:remove[${id}]`])).toEqual({ code: 0, stdout: 'TenantSetting was successfully deleted.\n', stderr: '' });
    expect((await deps().store.tenants.get(a.id))?.settings.map((s) => s.param)).toEqual(['meta_server-tag']);
  }, SPAWN_TIMEOUT * 3);

  it('requires all four arguments, override true or false, a known tenant, one setting per parameter', async () => {
    const a = await addTenant(deps(), 'alpha', 's');
    const existing = await addTenantSetting(deps(), { tenantId: a.id, param: 'record', value: 'true', override: false });
    const usage = 'Error: tenant_id, param, value and override are required to create a TenantSetting\n';
    for (const args of [['tenantSettings:add', a.id, 'record', 'true'], [`tenantSettings:add[${a.id},record,,true]`]]) expect(await slctl(args)).toEqual({ code: 1, stdout: '', stderr: usage });
    expect(await slctl(['tenantSettings:add', a.id, 'welcome', 'x', 'yes'])).toEqual({ code: 1, stdout: '', stderr: 'Error: override must be true or false, not yes\n' });
    expect(await slctl(['tenantSettings:add', 'nope', 'welcome', 'x', 'true'])).toEqual({ code: 1, stdout: '', stderr: NOT_FOUND('nope') });
    expect(await slctl(['tenantSettings:add', a.id, 'record', 'false', 'true'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: tenant ${a.id} already has a setting for record (id ${existing.id}); remove it first\n`,
    });
  }, SPAWN_TIMEOUT * 5);

  it('removing an unknown setting is one sentence, exit 1', async () => {
    expect(await slctl(['tenantSettings:remove', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'TenantSetting with id nope does not exist in the system. Exiting...\n' });
  }, SPAWN_TIMEOUT);
});
