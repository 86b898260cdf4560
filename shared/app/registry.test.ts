import { describe, expect, it } from 'vitest';
import type { Server } from '../domain/entities.js';
import type { TenantWithSettings } from '../store/tenant-repo.js';
import { makeServer } from '../../test/helpers/server-fixture.js';
import { Registry, STALE_RETRY_MS } from './registry.js';

const server = (id: string, load = 0): Server => makeServer({ id, url: `https://${id}/bigbluebutton/api`, load });

describe('Registry', () => {
  it('serves the snapshot for REGISTRY_TTL, then reloads (admin changes arrive within the TTL)', async () => {
    let now = 0;
    let list = [server('a')];
    let loads = 0;
    const r = new Registry(async () => { loads++; return list; }, 5000, () => now);
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a']);
    list = [server('a'), server('b')];
    now = 4999;
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a']);
    now = 5000;
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a', 'b']);
    expect(loads).toBe(2);
  });

  it('with TTL 0 reads on every call; concurrent readers share one load', async () => {
    let loads = 0;
    const r = new Registry(async () => { loads++; await new Promise((res) => setTimeout(res, 5)); return [server('a')]; }, 0, () => 0);
    await Promise.all([r.listServers(), r.listServers(), r.listServers()]);
    expect(loads).toBe(1);
    await r.listServers();
    expect(loads).toBe(2);
  });

  it('an unknown server id triggers a reload (a server added since the snapshot), at most once a second', async () => {
    let now = 0;
    let loads = 0;
    let list = [server('a')];
    const r = new Registry(async () => { loads++; return list; }, 60_000, () => now);
    await r.listServers();
    list = [server('a'), server('new')];
    expect(await r.server('new')).toBeUndefined(); // the snapshot is younger than a second
    now = 1000;
    expect((await r.server('new'))?.id).toBe('new');
    expect(await r.server('gone')).toBeUndefined();
    expect(await r.server('gone')).toBeUndefined();
    expect(loads).toBe(2);
  });

  it('addLoad books a reservation at once and can take it back; noteLoad never lowers a booked load', async () => {
    const r = new Registry(async () => [server('a', 10)], 60_000, () => 0);
    await r.listServers();
    r.addLoad('a', 15);
    expect(r.cachedLoad('a')).toBe(25);
    r.noteLoad('a', 20);
    expect(r.cachedLoad('a')).toBe(25);
    r.noteLoad('a', 40);
    expect(r.cachedLoad('a')).toBe(40);
    r.addLoad('a', -15);
    expect(r.cachedLoad('a')).toBe(25);
  });

  it('noteLoad updates the cached load; invalidate forces a reload', async () => {
    let loads = 0;
    const r = new Registry(async () => { loads++; return [server('a', 3)]; }, 60_000, () => 0);
    await r.listServers();
    r.noteLoad('a', 18);
    expect((await r.server('a'))?.load).toBe(18);
    r.invalidate();
    expect((await r.server('a'))?.load).toBe(3);
    expect(loads).toBe(2);
  });

  describe('tenants', () => {
    const tenant = (id: string, name: string): TenantWithSettings => ({ id, name, secrets: [`${name}-secret`], settings: [] });

    it('loads tenants together with the servers and finds them by name without another load', async () => {
      let serverLoads = 0;
      let tenantLoads = 0;
      const r = new Registry(async () => { serverLoads++; return [server('a')]; }, 60_000, () => 0, async () => { tenantLoads++; return [tenant('t1', 'one'), tenant('t2', 'two')]; });
      expect((await r.tenantByName('one'))?.id).toBe('t1');
      expect((await r.tenantByName('two'))?.id).toBe('t2');
      await r.listServers();
      expect([serverLoads, tenantLoads]).toEqual([1, 1]);
    });

    it('an unknown name does not reload (a client cannot make every request read the table)', async () => {
      let loads = 0;
      const r = new Registry(async () => [server('a')], 60_000, () => 0, async () => { loads++; return [tenant('t1', 'one')]; });
      expect(await r.tenantByName('one')).toBeDefined();
      for (let i = 0; i < 5; i++) expect(await r.tenantByName(`nope-${i}`)).toBeUndefined();
      expect(loads).toBe(1);
    });

    it('a tenant added since the snapshot is known after REGISTRY_TTL', async () => {
      let now = 0;
      let list = [tenant('t1', 'one')];
      const r = new Registry(async () => [], 5000, () => now, async () => list);
      expect(await r.tenantByName('new')).toBeUndefined();
      list = [...list, tenant('t3', 'new')];
      now = 5000;
      expect((await r.tenantByName('new'))?.id).toBe('t3');
    });

    it('without a tenant loader there are no tenants', async () => {
      const r = new Registry(async () => [server('a')], 60_000, () => 0);
      expect(await r.tenantByName('a')).toBeUndefined();
    });
  });
});

describe('Registry when a reload fails', () => {
  it('serves the previous snapshot, tells why, and tries again after STALE_RETRY_MS', async () => {
    let now = 0;
    let loads = 0;
    let fail = false;
    const errors: string[] = [];
    const r = new Registry(
      async () => {
        loads++;
        if (fail) throw new Error('ProvisionedThroughputExceededException');
        return [server('a'), server('b')];
      },
      5000,
      () => now,
      undefined,
      (e) => errors.push(e.message),
    );
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a', 'b']);
    fail = true;
    now = 6000;
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a', 'b']);
    expect(await r.server('a')).toMatchObject({ id: 'a' });
    expect(errors).toEqual(['ProvisionedThroughputExceededException']);
    expect(loads).toBe(2); // no retry within STALE_RETRY_MS
    now = 6000 + STALE_RETRY_MS;
    fail = false;
    expect((await r.listServers()).map((s) => s.id)).toEqual(['a', 'b']);
    expect(loads).toBe(3);
  });

  it('fails only when no snapshot was ever loaded', async () => {
    const r = new Registry(async () => { throw new Error('unreachable'); }, 5000, () => 0, undefined, () => {});
    await expect(r.listServers()).rejects.toThrow('unreachable');
  });
});
