/**
 * DESIGN §3: on a warm instance the tenant lookup costs no DynamoDB round trip — the tenants and their
 * settings come from the Registry snapshot, reloaded with the servers at most every REGISTRY_TTL.
 * Counted at the engine (dynalite's `request` events), per request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const SECRET = 'rt-secret';

describe('DynamoDB round trips per request, multitenant, warm snapshot', () => {
  let t: TenancyStack;
  beforeAll(async () => {
    t = await startTenancyStack({ servers: 2, env: { REGISTRY_TTL: '60' } });
    const tenant = await t.tenant('acme', SECRET);
    await t.setting(tenant.id, 'record', 'true', true);
    await t.setting(tenant.id, 'meta_server-tag', 'none', false);
    t.stack.deps.registry.invalidate();
    // warm-up: the snapshot (servers + tenants) is loaded once here
    await t.callAt(hostOf('acme'), 'create', 'meetingID=warm-up', SECRET);
  });
  afterAll(() => t.close());

  const ops = async (call: string, query: string) => {
    const before = new Map(t.stack.engineOps);
    const res = await t.callAt(hostOf('acme'), call, query, SECRET);
    const counted: Record<string, number> = {};
    for (const [op, n] of t.stack.engineOps) if (n - (before.get(op) ?? 0) > 0) counted[op] = n - (before.get(op) ?? 0);
    return { res, counted, total: Object.values(counted).reduce((a, b) => a + b, 0) };
  };

  it('create new ≤ 3, create existing ≤ 2, join 1, isMeetingRunning / getMeetingInfo 1 read, getMeetings ≤ 2 Queries, end 1 read + 1 write', async () => {
    const created = await ops('create', 'meetingID=rt-1&moderatorPW=mp');
    expect(xmlValue(created.res.body, 'returncode')).toBe('SUCCESS');
    expect(created.total).toBeLessThanOrEqual(3);
    expect((await ops('create', 'meetingID=rt-1&moderatorPW=mp')).total).toBeLessThanOrEqual(2);
    const join = await ops('join', 'meetingID=rt-1&fullName=Ann&password=mp');
    expect(join.res.status).toBe(302);
    expect(join.counted).toEqual({ GetItem: 1 });
    expect((await ops('isMeetingRunning', 'meetingID=rt-1')).counted).toEqual({ GetItem: 1 });
    expect((await ops('getMeetingInfo', 'meetingID=rt-1')).counted).toEqual({ GetItem: 1 });
    expect((await ops('getMeetings', '')).counted).toEqual({ Query: 1 });
    expect((await ops('end', 'meetingID=rt-1&password=mp')).counted).toEqual({ GetItem: 1, UpdateItem: 1 }); // marked ended
  });

  it('a create with an analytics-callback URL costs no more: the URL rides on the voice-bridge write', async () => {
    const created = await ops('create', 'meetingID=rt-cb&meta_analytics-callback-url=https%3A%2F%2Flms.example%2Fa');
    expect(xmlValue(created.res.body, 'returncode')).toBe('SUCCESS');
    expect(created.counted).toEqual({ UpdateItem: 3 }); // find-or-create the meeting, the voice bridge, the load
    const tenantId = (await t.stack.deps.registry.tenantByName('acme'))!.id;
    expect(await t.stack.deps.store.meetings.findCallbacks(`${tenantId}~rt-cb`)).toMatchObject({ meetingID: 'rt-cb', tenantId, analyticsCallbackUrl: 'https://lms.example/a' });
  });

  it('an unknown tenant host costs nothing either (no reload per request)', async () => {
    const before = [...t.stack.engineOps.values()].reduce((a, b) => a + b, 0);
    for (let i = 0; i < 5; i++) {
      const res = await t.callAt(hostOf(`nobody-${i}`), 'getMeetings', '', SECRET);
      expect(xmlValue(res.body, 'messageKey')).toBe('checksumError');
    }
    expect([...t.stack.engineOps.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });
});
