import { describe, expect, it } from 'vitest';
import { contentDispositionFor, parseEntryPath } from './recording-entry-path.js';

const RID = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3-1700000000000';

describe('parseEntryPath', () => {
  it('splits <format>/<record_id>/<path>', () => {
    expect(parseEntryPath(`presentation/${RID}/metadata.xml`)).toEqual({ ok: true, format: 'presentation', recordID: RID, path: 'metadata.xml' });
    expect(parseEntryPath(`./video/${RID}/video-0.m4v`)).toEqual({ ok: true, format: 'video', recordID: RID, path: 'video-0.m4v' });
    expect(parseEntryPath(`presentation/${RID}/presentation/d1/thumbnails/thumb-1.png`)).toMatchObject({ ok: true, path: 'presentation/d1/thumbnails/thumb-1.png' });
    expect(parseEntryPath(`notes/${RID}/Protokoll – Überblick 週.pdf`)).toMatchObject({ ok: true, path: 'Protokoll – Überblick 週.pdf' });
  });

  it('refuses what could leave the recording or cannot be served', () => {
    const refused = [
      `/presentation/${RID}/x`,
      `presentation/${RID}/../x`,
      `presentation/../${RID}/x`,
      `../presentation/${RID}/x`,
      `presentation//${RID}/x`,
      `presentation/${RID}/./x`,
      `presentation/${RID}/a\\b`,
      `presentation/${RID}/a\u0000b`,
      `presentation/${RID}`,
      `presentation/${RID}/`,
      `metadata.xml`,
      `pres entation/${RID}/x`,
      `presentation/bad..id/x`,
      `presentation/${RID}/${'x'.repeat(801)}`,
    ];
    for (const name of refused) expect(parseEntryPath(name).ok, name).toBe(false);
    expect(parseEntryPath(`presentation/${RID}/../x`)).toEqual({ ok: false, reason: 'parent directory reference (..)' });
    expect(parseEntryPath(`/etc/passwd`)).toEqual({ ok: false, reason: 'absolute path' });
  });
});

describe('contentDispositionFor', () => {
  it('makes .pdf and .ogg downloads, as Scalelite', () => {
    expect(contentDispositionFor('notes.pdf')).toBe('attachment');
    expect(contentDispositionFor('audio.OGG')).toBe('attachment');
    expect(contentDispositionFor('video-0.m4v')).toBeUndefined();
    expect(contentDispositionFor('pdf')).toBeUndefined();
  });
});
