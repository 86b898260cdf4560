/** TenantRepo on the embedded engine: unique names without transactions, and what removal cleans up. */
import { randomUUID } from 'node:crypto';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { keys } from '../../shared/store/keys.js';
import type { TenantRepo } from '../../shared/store/tenant-repo.js';
import { startTenancyStack, type TenancyStack } from './tenancy-stack.js';

describe('TenantRepo', () => {
  let t: TenancyStack;
  let repo: TenantRepo;
  const db = () => createDocumentClient({ endpoint: t.stack.dynamoEndpoint });
  const table = () => t.stack.config.dynamodbTable;
  const tenant = (name: string) => ({ id: randomUUID(), name, secrets: ['s'] });

  beforeAll(async () => {
    t = await startTenancyStack({ servers: 0 });
    repo = t.stack.deps.store.tenants;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const x of await repo.listAll()) await repo.remove(x.id);
  });

  it('concurrent adds of one name: exactly one wins, the others learn who has it', async () => {
    const contenders = Array.from({ length: 6 }, () => tenant('same'));
    const results = await Promise.all(contenders.map((c) => repo.add(c)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winnerId = (winners[0] as { tenant: { id: string } }).tenant.id;
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, reason: 'nameTaken', by: winnerId });
    expect((await repo.listAll()).map((x) => x.id)).toEqual([winnerId]);
  });

  it('a name left behind by a crashed removal (its tenant is gone) is taken over', async () => {
    const client = db();
    await client.send(new PutCommand({ TableName: table(), Item: { ...keys.tenantName('orphan'), type: 'tenantName', name: 'orphan', tenantId: 'gone' } }));
    client.destroy();
    expect((await repo.add(tenant('orphan'))).ok).toBe(true);
  });

  it('rename frees the old name; a rename onto a taken name changes nothing', async () => {
    const a = tenant('a1');
    const b = tenant('b1');
    await repo.add(a);
    await repo.add(b);
    expect(await repo.update(a.id, { name: 'a2' })).toMatchObject({ ok: true, tenant: { name: 'a2' } });
    expect((await repo.add(tenant('a1'))).ok).toBe(true);
    expect(await repo.update(a.id, { name: 'b1' })).toEqual({ ok: false, reason: 'nameTaken', by: b.id });
    expect((await repo.get(a.id))?.name).toBe('a2');
    expect(await repo.update('nope', { name: 'zz' })).toEqual({ ok: false, reason: 'notFound' });
    expect((await repo.add(tenant('zz'))).ok).toBe(true); // the failed update did not keep the name
  });

  it('remove deletes the tenant, its name and its settings: nothing of it is left in the table', async () => {
    const a = tenant('gone-soon');
    await repo.add(a);
    await repo.addSetting({ id: 's1', tenantId: a.id, param: 'record', value: 'true', override: true, createdAt: 1 });
    await repo.addSetting({ id: 's2', tenantId: a.id, param: 'welcome', value: 'x', override: false, createdAt: 2 });
    expect((await repo.get(a.id))?.settings.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(await repo.remove(a.id)).toBe(true);
    expect(await repo.remove(a.id)).toBe(false);
    const client = db();
    const left = await client.send(new ScanCommand({ TableName: table() }));
    client.destroy();
    expect((left.Items ?? []).filter((i) => JSON.stringify(i).includes(a.id) || i.name === 'gone-soon')).toEqual([]);
  });

  it('listAll is one Query that returns every tenant with its settings', async () => {
    const a = tenant('la');
    const b = tenant('lb');
    await repo.add(a);
    await repo.add(b);
    await repo.addSetting({ id: 'x', tenantId: b.id, param: 'p', value: 'v', override: false, createdAt: 1 });
    const before = t.stack.engineOps.get('Query') ?? 0;
    const all = await repo.listAll();
    expect((t.stack.engineOps.get('Query') ?? 0) - before).toBe(1);
    expect(Object.fromEntries(all.map((x) => [x.name, x.settings.map((s) => s.param)]))).toEqual({ la: [], lb: ['p'] });
  });
});
