/** Tenant limits through the admin API's updateTenant (issue 16 item 3): `max_meetings`, `max_participants` (0 = none). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, signQuery } from '../helpers/test-stack.js';
import { startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const ADMIN = 'admin-secret-limits-0123456789';

describe('admin API: updateTenant with limits', () => {
  let t: TenancyStack;
  const post = async (call: string, body: unknown) => {
    const raw = await rawRequest(t.url, `/scalelite/api/${call}?${signQuery(call, '', ADMIN, 'sha256')}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    return { status: raw.status, json: JSON.parse(raw.body) as Record<string, unknown> };
  };
  beforeAll(async () => {
    t = await startTenancyStack({ servers: 0, env: { ADMIN_SECRET: ADMIN } });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    for (const tenant of await t.stack.deps.store.tenants.listAll()) await t.stack.deps.store.tenants.remove(tenant.id);
  });

  it('sets, keeps and removes limits (numbers or digits; 0 = none), alone or with a rename', async () => {
    const a = await t.tenant('alpha', 'a1');
    expect(await post('updateTenant', { id: a.id, tenant: { max_meetings: 10, max_participants: '200' } })).toMatchObject({ status: 200, json: { tenant: { id: a.id, name: 'alpha' } } });
    expect(await t.stack.deps.store.tenants.get(a.id)).toMatchObject({ maxMeetings: 10, maxParticipants: 200 });
    expect((await post('updateTenant', { id: a.id, tenant: { name: 'gamma', max_participants: 0 } })).status).toBe(200);
    const after = await t.stack.deps.store.tenants.get(a.id);
    expect(after).toMatchObject({ name: 'gamma', maxMeetings: 10 });
    expect(after?.maxParticipants).toBeUndefined();
  });

  it('refuses bad numbers (400, nothing changed) and unknown tenants (404)', async () => {
    const a = await t.tenant('alpha', 'a1');
    for (const bad of [-1, 1.5, 'ten', 10_001, true, null, {}]) {
      expect(await post('updateTenant', { id: a.id, tenant: { name: 'renamed', max_meetings: bad } })).toEqual({
        status: 400,
        json: { error: 'max_meetings must be a whole number from 0 (no limit) to 10000' },
      });
    }
    expect(await t.stack.deps.store.tenants.get(a.id)).toEqual({ id: a.id, name: 'alpha', secrets: ['a1'], settings: [] });
    expect(await post('updateTenant', { id: 'nope', tenant: { max_meetings: 3 } })).toEqual({ status: 404, json: { error: "Couldn't find Tenant with id=nope" } });
  });
});
