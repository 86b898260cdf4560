import { writeSync } from 'node:fs';
import { bufferedLines } from '../shared/app/buffered-lines.js';
import { createLogger, type Logger, type LogLevel } from '../shared/app/logger.js';

/** The JSON-lines log of `slctl serve`, written to stdout in batches. */
export interface StdoutLog {
  log: Logger;
  /** writes the queued lines now */
  flush(): void;
  /** flushes and stops watching the process's exit */
  close(): void;
}

/** Writes all of `chunk` to `fd` synchronously (a non-blocking pipe may take it in parts, or say EAGAIN). */
export function writeAllSync(fd: number, chunk: string): void {
  const bytes = Buffer.from(chunk, 'utf8');
  let offset = 0;
  for (let attempts = 0; offset < bytes.length && attempts < 10_000; attempts++) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return; // a closed stdout: nothing to write to
    }
  }
}

/**
 * `slctl serve`'s log: one JSON line per event (shared/app/logger.ts), queued and written to stdout once per
 * turn of the event loop or per 64 KiB (shared/app/buffered-lines.ts) — a write per line cost more CPU
 * than the rest of a join (docs/BENCHMARKS.md). Nothing is lost when the process ends: the queue is
 * flushed on `beforeExit`, and written synchronously (fs.writeSync on the stream's fd) on `exit`, which
 * Node also emits after `process.exit()`, an uncaught exception or an unhandled rejection. Signals:
 * serve's SIGINT/SIGTERM handler closes the stack, which closes this log.
 */
export function openStdoutLog(level: LogLevel, out: Pick<NodeJS.WriteStream, 'write'> & { fd?: number } = process.stdout): StdoutLog {
  const fd = out.fd ?? 1;
  const lines = bufferedLines((chunk) => void out.write(chunk), { writeSync: (chunk) => writeAllSync(fd, chunk) });
  const onExit = () => lines.flushSync();
  const onBeforeExit = () => lines.flush();
  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);
  return {
    log: createLogger(level, lines.write),
    flush: lines.flush,
    close() {
      lines.flush();
      process.off('exit', onExit);
      process.off('beforeExit', onBeforeExit);
    },
  };
}
