import { describe, expect, it } from 'vitest';
import { mergeImport, type FormatImport, type ImportSettings } from './merge-import.js';
import type { Recording } from './recording.js';
import type { RecordingMetadata } from './recording-metadata.js';

const RID = 'abc123-1700000000000';
const settings = (over: Partial<ImportSettings> = {}): ImportSettings => ({ importUnpublished: false, protectedEnabled: false, now: 5000, ...over });

function format(type: string, over: Partial<RecordingMetadata> = {}): FormatImport {
  const metadata: RecordingMetadata = {
    recordID: RID,
    meetingId: 'room-1',
    name: 'Room 1',
    published: true,
    state: 'published',
    participants: 3,
    startTime: 1000,
    endTime: 2000,
    metadata: { 'bbb-origin': 'Greenlight' },
    format: { type, url: `/playback/${type}/${RID}`, length: 2, thumbnails: type === 'presentation' ? [{ url: '/t1.png', width: 1 }] : [] },
    ...over,
  };
  return { metadata, meetingID: metadata.meetingId };
}

const stored = (over: Partial<Recording> = {}): Recording => ({
  recordID: RID,
  meetingID: 'room-1',
  name: 'Old name',
  published: true,
  protected: false,
  state: 'published',
  startTime: 1000,
  endTime: 2000,
  participants: 3,
  metadata: { 'bbb-origin': 'Old', 'gl-listed': 'true' },
  formats: { video: { type: 'video', url: `/playback/video/${RID}`, length: 9, thumbnails: [] } },
  importedAt: 1,
  version: 4,
  ...over,
});

describe('mergeImport', () => {
  it('builds a new recording from its formats', () => {
    const r = mergeImport(undefined, [format('podcast'), format('presentation')], settings());
    expect(r).toEqual({
      recordID: RID,
      meetingID: 'room-1',
      name: 'Room 1',
      published: true,
      protected: false,
      state: 'published',
      startTime: 1000,
      endTime: 2000,
      participants: 3,
      metadata: { 'bbb-origin': 'Greenlight' },
      formats: {
        podcast: { type: 'podcast', url: `/playback/podcast/${RID}`, length: 2, thumbnails: [] },
        presentation: { type: 'presentation', url: `/playback/presentation/${RID}`, length: 2, thumbnails: [{ url: '/t1.png', width: 1 }] },
      },
      importedAt: 5000,
    });
  });

  it('updates metadata keys, keeps the others, replaces the imported format and keeps the rest, keeps the version', () => {
    const current = stored();
    const r = mergeImport(current, [format('presentation', { metadata: { 'bbb-origin': 'New', extra: 'x' } })], settings());
    expect(r.metadata).toEqual({ 'bbb-origin': 'New', 'gl-listed': 'true', extra: 'x' });
    expect(Object.keys(r.formats).sort()).toEqual(['presentation', 'video']);
    expect(r.formats.video.length).toBe(9);
    expect(r.name).toBe('Room 1');
    expect(r.version).toBe(4);
    expect(r.importedAt).toBe(5000);
    expect(current.metadata).toEqual({ 'bbb-origin': 'Old', 'gl-listed': 'true' }); // not mutated
    expect(Object.keys(current.formats)).toEqual(['video']);
  });

  it('replaces the thumbnails of a re-imported format', () => {
    const current = stored({ formats: { presentation: { type: 'presentation', url: '/p', length: 1, thumbnails: [{ url: '/a' }, { url: '/b' }] } } });
    const r = mergeImport(current, [format('presentation')], settings());
    expect(r.formats.presentation.thumbnails).toEqual([{ url: '/t1.png', width: 1 }]);
  });

  it('keeps recording fields the metadata does not carry', () => {
    const f = format('video', { name: undefined, participants: undefined, startTime: undefined, endTime: undefined, state: undefined, published: undefined });
    const r = mergeImport(stored({ participants: 9, startTime: 11, endTime: 22, state: 'processed' }), [f], settings());
    expect(r).toMatchObject({ name: 'Old name', participants: 9, startTime: 11, endTime: 22, state: 'processed', published: true });
  });

  describe('published', () => {
    it('is the metadata value for a new recording, false when the metadata has none', () => {
      expect(mergeImport(undefined, [format('video', { published: false, state: 'unpublished' })], settings()).published).toBe(false);
      expect(mergeImport(undefined, [format('video', { published: undefined })], settings()).published).toBe(false);
    });

    it('is false for a new recording with RECORDING_IMPORT_UNPUBLISHED, and the state follows', () => {
      const r = mergeImport(undefined, [format('video')], settings({ importUnpublished: true }));
      expect(r.published).toBe(false);
      expect(r.state).toBe('unpublished');
    });

    it('keeps an existing recording flag with RECORDING_IMPORT_UNPUBLISHED', () => {
      expect(mergeImport(stored({ published: true }), [format('video')], settings({ importUnpublished: true })).published).toBe(true);
      const r = mergeImport(stored({ published: false, state: 'unpublished' }), [format('video')], settings({ importUnpublished: true }));
      expect(r.published).toBe(false);
      expect(r.state).toBe('unpublished');
    });

    it("keeps an admin's choice (publishUpdated) over the metadata", () => {
      const r = mergeImport(stored({ published: false, state: 'unpublished', publishUpdated: true }), [format('video', { published: true, state: 'published' })], settings());
      expect(r.published).toBe(false);
      expect(r.state).toBe('unpublished');
      expect(r.publishUpdated).toBe(true);
      const p = mergeImport(stored({ published: true, publishUpdated: true }), [format('video', { published: false, state: 'unpublished' })], settings({ importUnpublished: true }));
      expect(p.published).toBe(true);
      expect(p.state).toBe('published');
    });

    it('follows the metadata for an existing recording without an admin choice', () => {
      const r = mergeImport(stored({ published: true }), [format('video', { published: false, state: 'published' })], settings());
      expect(r.published).toBe(false);
      expect(r.state).toBe('unpublished');
    });
  });

  describe('state', () => {
    it('follows published and keeps processing, processed and deleted', () => {
      expect(mergeImport(undefined, [format('video', { published: true, state: undefined })], settings()).state).toBe('published');
      expect(mergeImport(undefined, [format('video', { published: true, state: 'unpublished' })], settings()).state).toBe('published');
      for (const s of ['processing', 'processed', 'deleted'] as const) {
        expect(mergeImport(undefined, [format('video', { published: true, state: s })], settings()).state).toBe(s);
        expect(mergeImport(undefined, [format('video', { published: false, state: s })], settings()).state).toBe(s);
      }
    });
  });

  describe('protected', () => {
    it('is PROTECTED_RECORDINGS_ENABLED for a new recording', () => {
      expect(mergeImport(undefined, [format('video')], settings({ protectedEnabled: true })).protected).toBe(true);
      expect(mergeImport(undefined, [format('video')], settings({ protectedEnabled: false })).protected).toBe(false);
    });

    it('is kept for an existing recording', () => {
      expect(mergeImport(stored({ protected: true }), [format('video')], settings({ protectedEnabled: false })).protected).toBe(true);
      expect(mergeImport(stored({ protected: false }), [format('video')], settings({ protectedEnabled: true })).protected).toBe(false);
    });
  });

  describe('tenant', () => {
    it('is the metadata tenant-id, or the stored one when the file has none', () => {
      const t = format('video', { metadata: { 'tenant-id': 'tenant-a' } });
      expect(mergeImport(undefined, [t], settings()).tenantId).toBe('tenant-a');
      expect(mergeImport(stored({ metadata: { 'tenant-id': 'tenant-b' }, tenantId: 'tenant-b' }), [format('video')], settings()).tenantId).toBe('tenant-b');
      expect(mergeImport(stored({ metadata: { 'tenant-id': 'tenant-b' }, tenantId: 'tenant-b' }), [t], settings()).tenantId).toBe('tenant-a');
    });

    it('is none for a blank tenant-id', () => {
      const r = mergeImport(undefined, [format('video', { metadata: { 'tenant-id': ' ' } })], settings());
      expect(r.tenantId).toBeUndefined();
      expect('tenantId' in r).toBe(false);
    });
  });

  it('takes the meetingID resolved by the importer', () => {
    const f = { ...format('video', { meetingId: 't1~room-1', metadata: { 'tenant-id': 't1' } }), meetingID: 'room-1' };
    expect(mergeImport(undefined, [f], settings()).meetingID).toBe('room-1');
  });

  it('leaves out prototype names (__proto__, constructor, prototype), whatever their source', () => {
    const meta = {};
    Object.defineProperty(meta, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    const current = stored({ metadata: { constructor: 'old', kept: 'k' } as Record<string, string> });
    const r = mergeImport(current, [format('video', { metadata: { ...meta, constructor: 'y', prototype: 'z', Constructor: 'C' } as Record<string, string> })], settings());
    expect(Object.getPrototypeOf(r.metadata)).toBe(Object.prototype);
    expect(Object.keys(r.metadata)).toEqual(['kept', 'Constructor']);
  });

  it('refuses formats of another recording', () => {
    expect(() => mergeImport(stored({ recordID: 'other-1' }), [format('video')], settings())).toThrow(/record id/);
    expect(() => mergeImport(undefined, [format('video'), format('podcast', { recordID: 'other-1' })], settings())).toThrow(/record id/);
    expect(() => mergeImport(undefined, [], settings())).toThrow(/nothing/);
  });
});
