import { randomUUID } from 'node:crypto';
import { balancerSettingError } from '../domain/balancer-settings.js';
import type { Tenant, TenantChanges, TenantLrs, TenantSetting, TenantWithSettings, TenantWriteResult } from '../store/tenant-repo.js';
import { AdminError } from './admin-error.js';
import type { Deps } from './deps.js';

/** A tenant is reached at `<name>.<URL_HOST>`, so its name is one lower-case DNS label. */
export const TENANT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const invalidName = (name: string) =>
  new AdminError('invalid', `the tenant name "${name}" is not a DNS label (lower-case letters, digits and "-", at most 63 characters)`);

/** `a:b:c` → the secrets; empty entries are dropped (an empty secret would accept unsigned requests). */
export const parseSecrets = (text: string): string[] => text.split(':').filter((s) => s !== '');

export const tenantNotFound = (id: string) => new AdminError('notFound', `no tenant with id ${id}`);

function written(result: TenantWriteResult, id: string, name?: string): Tenant {
  if (result.ok) return result.tenant;
  if (result.reason === 'notFound') throw tenantNotFound(id);
  throw new AdminError('conflict', `a tenant named ${name} already exists (id ${result.by})`);
}

function checkSecrets(secrets: string[]): void {
  if (secrets.length === 0) throw new AdminError('invalid', 'the secrets must not be empty');
}

export async function addTenant(deps: Deps, name: string, secretsText: string): Promise<Tenant> {
  if (!TENANT_NAME.test(name)) throw invalidName(name);
  const secrets = parseSecrets(secretsText);
  checkSecrets(secrets);
  const id = randomUUID();
  return written(await deps.store.tenants.add({ id, name, secrets }), id, name);
}

/** Renames and/or changes the secrets; an undefined field is left as it is. */
export async function updateTenant(deps: Deps, id: string, changes: { name?: string; secrets?: string }): Promise<Tenant> {
  const update: TenantChanges = {};
  if (changes.name !== undefined) {
    if (!TENANT_NAME.test(changes.name)) throw invalidName(changes.name);
    update.name = changes.name;
  }
  if (changes.secrets !== undefined) {
    update.secrets = parseSecrets(changes.secrets);
    checkSecrets(update.secrets);
  }
  return written(await deps.store.tenants.update(id, update), id, changes.name);
}

const BASIC = ['lrsUsername', 'lrsPassword'] as const;
const KEYCLOAK = ['kcTokenUrl', 'kcClientId', 'kcClientSecret', 'kcUsername', 'kcPassword'] as const;

/**
 * Sets the tenant's LRS endpoint and one kind of credentials; the other kind is removed, so the last
 * credentials set are the ones used (Scalelite keeps both, and basic ones win).
 */
export async function setTenantLrs(deps: Deps, id: string, lrs: TenantLrs & { lrsEndpoint: string }): Promise<Tenant> {
  const keycloak = lrs.kcTokenUrl !== undefined;
  const changes: TenantChanges = { lrsEndpoint: lrs.lrsEndpoint };
  for (const f of BASIC) changes[f] = keycloak ? null : (lrs[f] ?? null);
  for (const f of KEYCLOAK) changes[f] = keycloak ? (lrs[f] ?? null) : null;
  return written(await deps.store.tenants.update(id, changes), id);
}

export async function findTenant(deps: Deps, id: string): Promise<TenantWithSettings> {
  const tenant = await deps.store.tenants.get(id);
  if (!tenant) throw tenantNotFound(id);
  return tenant;
}

/** The tenant's live meetings (one Query of GSI2). */
export async function tenantMeetingCount(deps: Deps, id: string): Promise<number> {
  return (await deps.store.meetings.listByTenant(id, deps.clock())).length;
}

/** Removes the tenant with its name and settings (its meetings run on; their records expire), and its limit counters. */
export async function removeTenant(deps: Deps, id: string): Promise<void> {
  if (!(await deps.store.tenants.remove(id))) throw tenantNotFound(id);
  await deps.store.tenantLoads.remove(id);
}

/** `true`/`false` (any case) → the override flag; anything else → undefined. */
export function parseOverride(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

/**
 * Adds a create/join parameter to a tenant — or a setting of the balancer (`lb_…`): those are checked
 * (known name, valid value) before anything is read, and never sent to BBB.
 */
export async function addTenantSetting(deps: Deps, input: { tenantId: string; param: string; value: string; override: boolean }): Promise<TenantSetting> {
  const refused = balancerSettingError(input.param, input.value);
  if (refused) throw new AdminError('invalid', refused);
  const tenant = await findTenant(deps, input.tenantId);
  const clash = tenant.settings.find((s) => s.param === input.param);
  if (clash) throw new AdminError('conflict', `tenant ${tenant.id} already has a setting for ${input.param} (id ${clash.id}); remove it first`);
  const setting: TenantSetting = { id: randomUUID(), ...input, createdAt: deps.clock() };
  await deps.store.tenants.addSetting(setting);
  return setting;
}

export async function removeTenantSetting(deps: Deps, id: string): Promise<TenantSetting> {
  const removed = await deps.store.tenants.removeSetting(id);
  if (!removed) throw new AdminError('notFound', `no tenant setting with id ${id}`);
  return removed;
}
