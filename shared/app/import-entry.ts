import type { Readable } from 'node:stream';

/**
 * One file (or directory) of a recording as an import reads it: from a tar (`tarEntries`) or a published
 * tree on disk (`publishedTreeEntries`). The importer takes entries one at a time and either reads the
 * body to its end or does not open it; the source drains what was not opened before the next entry.
 */
export interface ImportEntry {
  /** `<format>/<record_id>/<path>` as the source names it (may start with `./`; checked by parseEntryPath) */
  name: string;
  type: 'file' | 'directory' | 'other';
  /** bytes of the body */
  size: number;
  /** The bytes, streamed (call at most once). A failure of the source itself rejects as SourceReadError. */
  open(): Readable;
}

/** The source could not be read (not a tar, truncated, an unreadable file): no retry will change that by itself. */
export class SourceReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceReadError';
  }
}
