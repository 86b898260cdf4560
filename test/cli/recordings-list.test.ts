import { beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from '../../shared/domain/recording.js';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack.
const t = useSlctlFixture('slctl-recordings-list');
const { slctl } = t;

const T0 = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const rec = (recordID: string, over: Partial<Recording>): Recording => ({
  recordID,
  meetingID: 'm1',
  name: 'Maths',
  published: true,
  protected: false,
  state: 'published',
  startTime: T0,
  endTime: T0 + 600_000,
  metadata: {},
  formats: { presentation: { type: 'presentation', url: `/playback/presentation/2.3/${recordID}`, length: 10, thumbnails: [] } },
  ...over,
});
const video = (id: string) => ({ type: 'video', url: `/playback/video/${id}/`, length: 10, thumbnails: [] });

beforeAll(async () => {
  const { store } = t.stack.deps;
  expect(await store.tenants.add({ id: 'tenant-a', name: 'alpha', secrets: ['s'] })).toMatchObject({ ok: true });
  for (const r of [
    rec('rec-1', {}),
    rec('rec-2', { meetingID: 'm2', name: 'Chemistry', published: false, state: 'unpublished', startTime: T0 + 1000 }),
    rec('rec-3', { name: 'Physics', tenantId: 'tenant-a', metadata: { 'tenant-id': 'tenant-a' }, startTime: T0 + 2000, formats: { presentation: rec('rec-3', {}).formats.presentation, video: video('rec-3') } }),
    rec('rec-4', { state: 'deleted', formats: {}, startTime: T0 - 1000 }),
    rec('rec-9', { tenantId: 'tenant-gone', meetingID: 'm9', startTime: T0 + 9000 }), // its tenant was removed
  ]) {
    expect(await store.recordings.save(r)).toBe(true);
  }
});

describe('recordings', () => {
  it("lists every tenant's recordings and those without a tenant, newest first, in any state", async () => {
    expect(await slctl(['recordings'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        ' RECORD ID  MEETING ID    NAME        STATE     PUBLISHED       FORMATS               START           TENANT',
        ' rec-3      m1          Physics    published    true       presentation,video  2023-11-14T22:13:22Z  tenant-a',
        ' rec-2      m2          Chemistry  unpublished  false      presentation        2023-11-14T22:13:21Z',
        ' rec-1      m1          Maths      published    true       presentation        2023-11-14T22:13:20Z',
        ' rec-4      m1          Maths      deleted      true                           2023-11-14T22:13:19Z',
        'Total number of recordings: 4',
      ]),
    });
  }, SPAWN_TIMEOUT);

  it('filters by --meeting and --tenant, and prints JSON', async () => {
    const json = await slctl(['recordings', '--meeting', 'm1', '--json']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse(json.stdout) as { recordID: string; tenantId: string | null }[];
    expect(listed.map((r) => [r.recordID, r.tenantId])).toEqual([
      ['rec-3', 'tenant-a'],
      ['rec-1', null],
      ['rec-4', null],
    ]);
    expect(listed[0]).toEqual({
      recordID: 'rec-3',
      meetingID: 'm1',
      tenantId: 'tenant-a',
      name: 'Physics',
      state: 'published',
      published: true,
      protected: false,
      startTime: T0 + 2000,
      endTime: T0 + 600_000,
      participants: null,
      metadata: { 'tenant-id': 'tenant-a' },
      formats: [
        { type: 'presentation', url: '/playback/presentation/2.3/rec-3', length: 10 },
        { type: 'video', url: '/playback/video/rec-3/', length: 10 },
      ],
    });

    const ofTenant = JSON.parse((await slctl(['recordings', '--tenant', 'tenant-a', '--json'])).stdout) as { recordID: string }[];
    expect(ofTenant.map((r) => r.recordID)).toEqual(['rec-3']);
    // a removed tenant's recordings are still reachable by its id
    const gone = JSON.parse((await slctl(['recordings', '--tenant', 'tenant-gone', '--json'])).stdout) as { recordID: string }[];
    expect(gone.map((r) => r.recordID)).toEqual(['rec-9']);
    expect(await slctl(['recordings', '--tenant', 'tenant-a', '--meeting', 'm2'])).toEqual({ code: 0, stdout: '', stderr: 'No recordings found\n' });
  }, SPAWN_TIMEOUT * 4);
});
