/**
 * Recordings as an import leaves them (shared/domain/merge-import.ts), built directly for the API suites:
 * BBB-shaped record ids (`<sha1 of the meeting>-<start ms>`), a presentation format with thumbnails, a
 * podcast, the metadata BBB copies from create (with `tenant-id` for a tenant's recording). Seeded with
 * the store's own `save`, so the items carry every index key the real import writes.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Deps } from '../../shared/app/deps.js';
import type { PlaybackFormat, Recording } from '../../shared/domain/recording.js';

export const T0 = Date.UTC(2024, 0, 15, 9, 0, 0);

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** BBB's record id of a meeting started at `startTime`: the internal meeting id (sha1 of the external id) and the time. */
export const bbbRecordId = (meetingID: string, startTime: number) => `${sha1(meetingID)}-${startTime}`;

export function presentation(recordID: string, length = 33): PlaybackFormat {
  const slide = `${sha1(`${recordID}/slides`)}-${recordID.slice(-13)}`;
  return {
    type: 'presentation',
    url: `/playback/presentation/2.3/${recordID}`,
    length,
    thumbnails: [1, 2, 3].map((n) => ({ url: `/presentation/${recordID}/presentation/${slide}/thumbnails/thumb-${n}.png`, width: 176, height: 136, alt: n === 1 ? 'Welcome to' : 'Slide "two" & <more>' })),
  };
}

export const podcast = (recordID: string, length = 33): PlaybackFormat => ({ type: 'podcast', url: `/podcast/${recordID}/audio.ogg`, length, thumbnails: [] });
export const video = (recordID: string, length = 33): PlaybackFormat => ({ type: 'video', url: `/playback/video/${recordID}/`, length, thumbnails: [] });

export interface RecordingSpec extends Partial<Omit<Recording, 'formats'>> {
  /** format builders (default: presentation + podcast) */
  formats?: ((recordID: string) => PlaybackFormat)[];
}

let sequence = 0;

/** One recording; every field can be given. A tenant's recording carries `tenant-id` in its metadata, as imported. */
export function recording(spec: RecordingSpec = {}): Recording {
  const n = sequence++;
  const meetingID = spec.meetingID ?? `room-${n}`;
  const startTime = spec.startTime ?? T0 + n * 60_000;
  const recordID = spec.recordID ?? bbbRecordId(meetingID, startTime);
  const formats: Record<string, PlaybackFormat> = {};
  for (const build of spec.formats ?? [presentation, podcast]) {
    const f = build(recordID);
    formats[f.type] = f;
  }
  const metadata: Record<string, string> = { 'bbb-origin': 'Greenlight', 'bbb-origin-version': 'v3', 'gl-listed': 'false', ...spec.metadata };
  if (spec.tenantId !== undefined && spec.metadata?.['tenant-id'] === undefined) metadata['tenant-id'] = spec.tenantId;
  const published = spec.published ?? (spec.state === undefined || spec.state === 'published');
  const r: Recording = {
    recordID,
    meetingID,
    name: spec.name ?? `Room ${n}`,
    published,
    protected: spec.protected ?? false,
    state: 'state' in spec ? spec.state : published ? 'published' : 'unpublished',
    startTime,
    endTime: spec.endTime ?? startTime + 45 * 60_000,
    participants: 'participants' in spec ? spec.participants : 3,
    metadata,
    formats,
    importedAt: startTime + 60 * 60_000,
  };
  if (spec.tenantId !== undefined) r.tenantId = spec.tenantId;
  if (spec.publishUpdated !== undefined) r.publishUpdated = spec.publishUpdated;
  return r;
}

/** Several recordings of one spec (distinct start times, so distinct ids). */
export const recordings = (count: number, spec: RecordingSpec = {}): Recording[] =>
  Array.from({ length: count }, (_, i) => recording({ ...spec, startTime: spec.startTime === undefined ? undefined : spec.startTime + i * 1000 }));

/** Stores new recordings (as the import does: `save` of a recording that is not stored yet). */
export async function seed(deps: Deps, list: readonly Recording[]): Promise<Recording[]> {
  const written = await Promise.all(list.map((r) => deps.store.recordings.save({ ...r, version: undefined })));
  expect(written.every(Boolean)).toBe(true);
  return [...list];
}
