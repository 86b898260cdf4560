/**
 * One HTTP byte range (RFC 9110 §14.1.2) as asked: `bytes=10-`, `bytes=10-19`, or the last N bytes
 * `bytes=-N`. Only `bytes` and a single range are served; anything else is ignored (the whole file is
 * served, as the RFC allows).
 */
export type RangeRequest = { start: number; end?: number } | { suffix: number };

/** The range asked by a `Range` header, or undefined to serve the whole file. */
export function parseRange(header: string | undefined): RangeRequest | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') return { suffix: safeNumber(m[2]) };
  const start = safeNumber(m[1]);
  if (m[2] === '') return { start };
  const end = safeNumber(m[2]);
  return end < start ? undefined : { start, end };
}

/** The inclusive byte span of `range` in a file of `size` bytes; undefined when none of it exists (416). */
export function resolveRange(range: RangeRequest, size: number): { start: number; end: number } | undefined {
  if ('suffix' in range) {
    if (range.suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start >= size) return undefined;
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** Digits as a number (huge values saturate: a range past any file's end). */
const safeNumber = (digits: string): number => Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
