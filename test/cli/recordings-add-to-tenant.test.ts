import { beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../shared/domain/recording.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack.
const t = useSlctlFixture('slctl-recordings-tenant');
const { slctl } = t;

const rec = (recordID: string, over: Partial<Recording> = {}): Recording => ({
  recordID,
  meetingID: 'm1',
  name: 'Maths',
  published: true,
  protected: false,
  state: 'published',
  startTime: 1_700_000_000_000,
  endTime: 1_700_000_600_000,
  metadata: { 'bbb-context': 'Course 1' },
  formats: { presentation: { type: 'presentation', url: `/playback/presentation/2.3/${recordID}`, length: 10, thumbnails: [] } },
  ...over,
});
const ids = (list: Recording[]) => list.map((r) => r.recordID).sort();

beforeAll(async () => {
  const { store } = t.stack.deps;
  for (const [id, name] of [
    ['tenant-a', 'alpha'],
    ['tenant-b', 'beta'],
  ]) {
    expect(await store.tenants.add({ id, name, secrets: ['s'] })).toMatchObject({ ok: true });
  }
  for (const r of [rec('free-1'), rec('free-2', { meetingID: 'm2', state: 'deleted', formats: {} }), rec('of-b', { tenantId: 'tenant-b', metadata: { 'tenant-id': 'tenant-b' } })]) {
    expect(await store.recordings.save(r)).toBe(true);
  }
});

describe('recordings:addToTenant', () => {
  it('refuses a missing tenant id (stderr, exit 1) and an unknown one, changing nothing', async () => {
    for (const args of [['recordings:addToTenant'], ['recordings:addToTenant[]'], ['recordings:addToTenant', '  ']]) {
      expect(await slctl(args), args.join(' ')).toEqual({ code: 1, stdout: '', stderr: 'No tenant ID was provided\n' });
    }
    expect(await slctl(['recordings:addToTenant[nope]'])).toEqual({ code: 1, stdout: '', stderr: 'Tenant with id nope does not exist in the system. Exiting...\n' });
    expect(ids(await t.stack.deps.store.recordings.list(undefined, { meta: [] }))).toEqual(['free-1', 'free-2']);
  }, SPAWN_TIMEOUT * 4);

  it('moves every recording without a tenant into the tenant (keys and tenant-id), leaves the others, and can run again', async () => {
    const { recordings } = t.stack.deps.store;
    expect(await slctl(['recordings:addToTenant[tenant-a]'])).toEqual({ code: 0, stderr: '', stdout: 'All existing recordings have been successfully linked to tenant tenant-a\n' });

    // the tenant's partitions now hold them (what getRecordings and playback read), the no-tenant one is empty
    expect(ids(await recordings.list('tenant-a', { meta: [] }))).toEqual(['free-1', 'free-2']);
    expect(ids(await recordings.byMeeting('tenant-a', 'm1', { meta: [] }))).toEqual(['free-1']);
    expect(await recordings.list(undefined, { meta: [] })).toEqual([]);
    expect(await recordings.idsWithoutTenant()).toEqual([]);
    const moved = await recordings.get('free-1');
    expect(moved).toMatchObject({ tenantId: 'tenant-a', metadata: { 'bbb-context': 'Course 1', 'tenant-id': 'tenant-a' }, name: 'Maths', published: true });
    // another tenant's recording stays where it was
    expect(await recordings.get('of-b')).toMatchObject({ tenantId: 'tenant-b', metadata: { 'tenant-id': 'tenant-b' } });
    expect(ids(await recordings.list('tenant-b', { meta: [] }))).toEqual(['of-b']);

    // again: nothing without a tenant is left, nothing changes, same answer
    const version = (await recordings.get('free-1'))!.version;
    expect(await slctl(['recordings:addToTenant', 'tenant-b'])).toEqual({ code: 0, stderr: '', stdout: 'All existing recordings have been successfully linked to tenant tenant-b\n' });
    expect((await recordings.get('free-1'))!.version).toBe(version);
    expect(ids(await recordings.list('tenant-b', { meta: [] }))).toEqual(['of-b']);
  }, SPAWN_TIMEOUT * 2);
});
