import { describe, expect, it } from 'vitest';
import { parseRange, resolveRange } from '../../shared/domain/byte-range.js';
import { contentTypeFor, servedContentType } from '../../shared/domain/content-type.js';
import { safeRelativePath } from '../../shared/domain/safe-path.js';

describe('safeRelativePath', () => {
  it('decodes each segment once and keeps a trailing slash', () => {
    expect(safeRelativePath('')).toBe('');
    expect(safeRelativePath('metadata.xml')).toBe('metadata.xml');
    expect(safeRelativePath('presentation/d2f0/')).toBe('presentation/d2f0/');
    expect(safeRelativePath('presentation/%C3%9Cbersicht%201.svg')).toBe('presentation/Übersicht 1.svg');
    expect(safeRelativePath('%252e%252e/x')).toBe('%2e%2e/x'); // once: a literal name, not a dot segment
  });

  it('refuses anything that could leave the directory or is no file name', () => {
    for (const raw of ['..', '.', 'a/../b', 'a/./b', '%2e%2e/x', '%2E/x', '..%2Fx', 'a%2fb', 'a%5Cb', 'a\\b', '/etc/passwd', 'a//b', 'x%00.png', 'x%0a', 'x%7F', '%E0%A4%A', `${'a'.repeat(801)}`]) {
      expect(safeRelativePath(raw), raw).toBeUndefined();
    }
  });
});

describe('parseRange / resolveRange', () => {
  it('reads one bytes range, open, closed or suffix', () => {
    expect(parseRange('bytes=0-99')).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-')).toEqual({ start: 100 });
    expect(parseRange('bytes=-20')).toEqual({ suffix: 20 });
    expect(parseRange(' Bytes = 5 - 6 ')).toEqual({ start: 5, end: 6 });
  });

  it('ignores what it does not serve', () => {
    for (const h of [undefined, '', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,3-4', 'items=0-1', 'bytes=a-b']) expect(parseRange(h), String(h)).toBeUndefined();
  });

  it('fits the range to the size; nothing left is unsatisfiable', () => {
    expect(resolveRange({ start: 10, end: 1000 }, 100)).toEqual({ start: 10, end: 99 });
    expect(resolveRange({ start: 10 }, 100)).toEqual({ start: 10, end: 99 });
    expect(resolveRange({ suffix: 500 }, 100)).toEqual({ start: 0, end: 99 });
    expect(resolveRange({ suffix: 30 }, 100)).toEqual({ start: 70, end: 99 });
    expect(resolveRange({ start: 100 }, 100)).toBeUndefined();
    expect(resolveRange({ suffix: 0 }, 100)).toBeUndefined();
    expect(resolveRange({ suffix: 5 }, 0)).toBeUndefined();
  });
});

describe('content types', () => {
  it('by extension, keeping a specific stored type', () => {
    expect(contentTypeFor('presentation/d/slide-1.PNG')).toBe('image/png');
    expect(contentTypeFor('video/webcams.webm')).toBe('video/webm');
    expect(contentTypeFor('video-0.m4v')).toBe('video/mp4');
    expect(contentTypeFor('audio.ogg')).toBe('audio/ogg');
    expect(contentTypeFor('notes.pdf')).toBe('application/pdf');
    expect(contentTypeFor('Makefile')).toBe('application/octet-stream');
    expect(contentTypeFor('.hidden')).toBe('application/octet-stream');
    expect(servedContentType('binary/octet-stream', 'a.xml')).toBe('text/xml; charset=utf-8');
    expect(servedContentType(undefined, 'a.svg')).toBe('image/svg+xml');
    expect(servedContentType('image/png', 'a.bin')).toBe('image/png');
  });
});
