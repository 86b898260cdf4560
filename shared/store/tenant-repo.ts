import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantLimits } from '../domain/tenant-limits.js';
import { isConditionFailed } from './dynamo-client.js';
import { GSI2, keys } from './keys.js';
import { updateExpression } from './server-repo.js';

/** LRS (xAPI) credentials of a tenant: basic auth, or a Keycloak password grant. */
export interface TenantLrs {
  lrsEndpoint?: string;
  lrsUsername?: string;
  lrsPassword?: string;
  kcTokenUrl?: string;
  kcClientId?: string;
  kcClientSecret?: string;
  kcUsername?: string;
  kcPassword?: string;
}

/** admin attributes of a tenant's plan (tenant limits), absent when unlimited */
export const LIMIT_FIELDS = ['maxMeetings', 'maxParticipants'] as const;

export const LRS_FIELDS = ['lrsEndpoint', 'lrsUsername', 'lrsPassword', 'kcTokenUrl', 'kcClientId', 'kcClientSecret', 'kcUsername', 'kcPassword'] as const;

export interface Tenant extends TenantLrs, TenantLimits {
  id: string;
  /** unique; the first label of the tenant's host name */
  name: string;
  /** checksum secrets of the tenant's BBB API */
  secrets: string[];
}

/** A create/join parameter a tenant sets by default (client wins) or as an override (tenant wins). */
export interface TenantSetting {
  id: string;
  tenantId: string;
  param: string;
  value: string;
  override: boolean;
  /** epoch ms; settings are listed and merged in this order */
  createdAt: number;
}

export interface TenantWithSettings extends Tenant {
  settings: TenantSetting[];
}

export type TenantChanges = Partial<Pick<Tenant, 'name' | 'secrets'>> & { [K in keyof TenantLrs]?: string | null } & { [K in keyof TenantLimits]?: number | null };

/** Why a tenant write did not happen. */
export type TenantWriteResult = { ok: true; tenant: Tenant } | { ok: false; reason: 'notFound' } | { ok: false; reason: 'nameTaken'; by: string };

type Item = Record<string, unknown>;

function tenantFromItem(item: Item): Tenant {
  const t: Tenant = { id: item.id as string, name: item.name as string, secrets: (item.secrets as string[] | undefined) ?? [] };
  for (const f of LRS_FIELDS) if (typeof item[f] === 'string' && item[f] !== '') t[f] = item[f] as string;
  for (const f of LIMIT_FIELDS) if (typeof item[f] === 'number' && item[f] > 0) t[f] = item[f] as number;
  return t;
}

function settingFromItem(item: Item): TenantSetting {
  return {
    id: item.id as string,
    tenantId: item.tenantId as string,
    param: item.param as string,
    value: item.value as string,
    override: item.override === true,
    createdAt: (item.createdAt as number) ?? 0,
  };
}

const byCreation = (a: TenantSetting, b: TenantSetting) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Groups tenant and setting items (in any order) into tenants with their settings; orphan settings are dropped. */
function group(items: Item[]): TenantWithSettings[] {
  const tenants = new Map<string, TenantWithSettings>();
  const settings: TenantSetting[] = [];
  for (const item of items) {
    if (item.type === 'tenant') tenants.set(item.id as string, { ...tenantFromItem(item), settings: [] });
    else if (item.type === 'tenantSetting') settings.push(settingFromItem(item));
  }
  for (const s of settings.sort(byCreation)) tenants.get(s.tenantId)?.settings.push(s);
  return [...tenants.values()];
}

/**
 * Tenants, their unique names and their settings. Tenant `TENANT#<id>`/`TENANT` and its settings
 * `TENANT#<id>`/`SETTING#<sid>` share a partition; all of them sit on GSI2 `TENANTS`, so the API's
 * snapshot is one (paged) Query. Names are made unique by a conditional put of `TENANTNAME#<name>`.
 * No transactions: every multi-item change is ordered so that a crash in between leaves at most a stale
 * name item, which the next add of that name takes over.
 */
export class TenantRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async queryAll(input: { IndexName?: string; KeyConditionExpression: string; ExpressionAttributeValues: Item; ConsistentRead?: boolean }): Promise<Item[]> {
    const out: Item[] = [];
    let start: Item | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ TableName: this.table, ...input, ExclusiveStartKey: start }));
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Every tenant with its settings, by id. One Query (paged) on GSI2. */
  async listAll(): Promise<TenantWithSettings[]> {
    return group(await this.queryAll({ IndexName: GSI2, KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': keys.tenantsPartition() } }));
  }

  /** One tenant with its settings: one consistent Query of its partition. */
  async get(id: string): Promise<TenantWithSettings | undefined> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.tenantPartition(id) }, ConsistentRead: true });
    return group(items)[0];
  }

  /** Reserves a name for a tenant; a name whose tenant no longer exists (a crashed removal) is taken over. */
  private async claimName(name: string, tenantId: string): Promise<{ ok: true } | { ok: false; by: string }> {
    const put = (condition: string, values?: Item) =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.tenantName(name), type: 'tenantName', name, tenantId },
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    try {
      await put('attribute_not_exists(pk) OR tenantId = :me', { ':me': tenantId });
      return { ok: true };
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
    const owner = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.tenantName(name), ConsistentRead: true }));
    const ownerId = owner.Item?.tenantId as string | undefined;
    if (ownerId && (await this.get(ownerId))) return { ok: false, by: ownerId };
    try {
      await put(ownerId ? 'tenantId = :stale' : 'attribute_not_exists(pk)', ownerId ? { ':stale': ownerId } : undefined);
      return { ok: true };
    } catch (e) {
      if (isConditionFailed(e)) return { ok: false, by: ownerId ?? '?' };
      throw e;
    }
  }

  private async releaseName(name: string, tenantId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.table, Key: keys.tenantName(name), ConditionExpression: 'tenantId = :me', ExpressionAttributeValues: { ':me': tenantId } }),
      );
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
    }
  }

  /** Adds a tenant under a name no other tenant has. */
  async add(tenant: Tenant): Promise<TenantWriteResult> {
    const claim = await this.claimName(tenant.name, tenant.id);
    if (!claim.ok) return { ok: false, reason: 'nameTaken', by: claim.by };
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.tenant(tenant.id), ...keys.tenantIndex(tenant.id), type: 'tenant', ...tenant },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { ok: true, tenant };
  }

  /** Changes name, secrets, LRS fields or limits (`null` removes an LRS field or a limit). A new name is claimed first. */
  async update(id: string, changes: TenantChanges): Promise<TenantWriteResult> {
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'notFound' };
    const rename = changes.name !== undefined && changes.name !== current.name;
    if (rename) {
      const claim = await this.claimName(changes.name!, id);
      if (!claim.ok) return { ok: false, reason: 'nameTaken', by: claim.by };
    }
    const expr = updateExpression({ ...changes } as Item);
    let updated: Tenant = current;
    if (expr) {
      try {
        const res = await this.db.send(
          new UpdateCommand({ TableName: this.table, Key: keys.tenant(id), ...expr, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_NEW' }),
        );
        updated = tenantFromItem(res.Attributes!);
      } catch (e) {
        if (!isConditionFailed(e)) throw e;
        if (rename) await this.releaseName(changes.name!, id);
        return { ok: false, reason: 'notFound' };
      }
    }
    if (rename) await this.releaseName(current.name, id);
    return { ok: true, tenant: updated };
  }

  /** Removes the tenant, then its name and its settings. False when it does not exist. */
  async remove(id: string): Promise<boolean> {
    const current = await this.get(id);
    if (!current) return false;
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.tenant(id), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
    await this.releaseName(current.name, id);
    for (const s of current.settings) await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.tenantSetting(id, s.id) }));
    return true;
  }

  async addSetting(setting: TenantSetting): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.tenantSetting(setting.tenantId, setting.id), ...keys.tenantSettingIndex(setting.tenantId, setting.id), type: 'tenantSetting', ...setting },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Removes a setting found by its id alone (one Query of GSI2 `TENANTS`); undefined when unknown. */
  async removeSetting(settingId: string): Promise<TenantSetting | undefined> {
    const setting = (await this.listAll()).flatMap((t) => t.settings).find((s) => s.id === settingId);
    if (!setting) return undefined;
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.tenantSetting(setting.tenantId, setting.id), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
    return setting;
  }
}
