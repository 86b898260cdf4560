/**
 * DynamoDB round trips of the recording calls, counted at the engine (dynalite's `request` events) on a warm
 * multitenant instance (the tenant from the Registry snapshot): DESIGN §3 budgets — getRecordings 1 Query
 * per meetingID, a page 1 Query (the total from the same pass) + 1 BatchGetItem, publish/update/delete of
 * one recording 1 read + 1 write (+ storage calls). No Scan anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../shared/domain/recording.js';
import { xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { recording, recordings, seed, T0 } from './recording-fixtures.js';

const SECRET = 'rt-recordings-secret';

describe('recording calls: DynamoDB round trips per request', () => {
  let t: TenancyStack;
  let list: Recording[];
  beforeAll(async () => {
    t = await startTenancyStack({ servers: 0, env: { REGISTRY_TTL: '60' } });
    const tenant = await t.tenant('acme', SECRET);
    t.stack.deps.registry.invalidate();
    list = await seed(t.stack.deps, [
      ...recordings(30, { tenantId: tenant.id, meetingID: 'rt-room', startTime: T0 }),
      ...recordings(30, { tenantId: tenant.id, startTime: T0 + 1_000_000 }),
      recording({ tenantId: tenant.id, meetingID: 'rt-other' }),
    ]);
    await t.callAt(hostOf('acme'), 'getRecordings', 'meetingID=warm-up', SECRET); // loads the snapshot once
  });
  afterAll(() => t.close());

  const ops = async (call: string, query: string) => {
    const before = new Map(t.stack.engineOps);
    const res = await t.callAt(hostOf('acme'), call, query, SECRET);
    const counted: Record<string, number> = {};
    for (const [op, n] of t.stack.engineOps) if (n - (before.get(op) ?? 0) > 0) counted[op] = n - (before.get(op) ?? 0);
    expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
    return { res, counted };
  };

  it('getRecordings: 1 Query per meetingID, 1 per recordID entry', async () => {
    expect((await ops('getRecordings', 'meetingID=rt-room')).counted).toEqual({ Query: 1 });
    expect((await ops('getRecordings', 'meetingID=rt-room&state=any&meta_gl-listed=false')).counted).toEqual({ Query: 1 });
    expect((await ops('getRecordings', 'meetingID=rt-room,rt-other,nobody')).counted).toEqual({ Query: 3 });
    expect((await ops('getRecordings', `recordID=${list[0].recordID},${list[40].recordID.slice(0, 40)}`)).counted).toEqual({ Query: 2 });
  });

  it('a page of the tenant’s recordings: 1 Query (with the total) + 1 BatchGetItem; past the end no BatchGetItem', async () => {
    const page = await ops('getRecordings', 'offset=10&limit=20');
    expect(page.counted).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(xmlValue(page.res.body, 'totalElements')).toBe('61');
    expect((await ops('getRecordings', 'offset=100&limit=20')).counted).toEqual({ Query: 1 });
    // every match, unpaginated: the tenant's partition in 1 Query (it is under 1 MB)
    expect((await ops('getRecordings', '')).counted).toEqual({ Query: 1 });
    // a meta filter without a limit: the matching ids from the lean index, then those recordings
    const meta = await ops('getRecordings', 'meta_gl-listed=false');
    expect(meta.counted).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(meta.res.body.match(/<recording>/g)).toHaveLength(61);
  });

  it('publish, update, delete of one recording: 1 read + 1 write (a no-op writes nothing)', async () => {
    const id = list[5].recordID;
    expect((await ops('publishRecordings', `recordID=${id}&publish=false`)).counted).toEqual({ BatchGetItem: 1, PutItem: 1 });
    expect((await ops('publishRecordings', `recordID=${id}&publish=false`)).counted).toEqual({ BatchGetItem: 1 });
    expect((await ops('updateRecordings', `recordID=${id}&meta_color=blue&protect=true`)).counted).toEqual({ BatchGetItem: 1, PutItem: 1 });
    expect((await ops('deleteRecordings', `recordID=${id}`)).counted).toEqual({ BatchGetItem: 1, PutItem: 1 });
    // three recordings at once: one BatchGetItem for the three reads
    const three = [list[6], list[7], list[8]].map((r) => r.recordID).join(',');
    expect((await ops('updateRecordings', `recordID=${three}&meta_color=red`)).counted).toEqual({ BatchGetItem: 1, PutItem: 3 });
  });
});
