/**
 * Log lines written in batches: lines queue up and go out in one write per turn of the event loop (or as
 * soon as `maxChars` are queued), instead of one write — one system call — per line. Order is kept: every
 * write takes the whole queue. `flush()` writes the queue now; `flushSync()` hands it to the synchronous
 * writer (for the process's `exit`, when nothing asynchronous runs any more).
 */
export interface BufferedLines {
  /** queues one line (without its newline) */
  write(line: string): void;
  /** writes what is queued now */
  flush(): void;
  /** writes what is queued with the synchronous writer (falls back to `flush`) */
  flushSync(): void;
}

export interface BufferedLinesOptions {
  /** write once this many characters are queued (default 64 Ki) */
  maxChars?: number;
  /** a synchronous writer, for `flushSync` */
  writeSync?: (chunk: string) => void;
  /** runs the flush of a turn (default setImmediate: after the turn's I/O callbacks) */
  schedule?: (flush: () => void) => void;
}

export const DEFAULT_MAX_CHARS = 64 * 1024;

export function bufferedLines(write: (chunk: string) => void, opts: BufferedLinesOptions = {}): BufferedLines {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const schedule = opts.schedule ?? ((f: () => void) => void setImmediate(f));
  let queued = '';
  let scheduled = false;
  const take = (): string => {
    const chunk = queued;
    queued = '';
    return chunk;
  };
  const flush = () => {
    if (queued !== '') write(take());
  };
  const onTurn = () => {
    scheduled = false;
    flush();
  };
  return {
    write(line) {
      queued += `${line}\n`;
      if (queued.length >= maxChars) flush();
      else if (!scheduled) {
        scheduled = true;
        schedule(onTurn);
      }
    },
    flush,
    flushSync() {
      if (queued === '') return;
      if (opts.writeSync) opts.writeSync(take());
      else flush();
    },
  };
}
