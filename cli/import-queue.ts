import type { Logger } from '../shared/app/logger.js';

export interface ImportQueue {
  /** Queues an import of `key` (a key already waiting is not queued twice). Never throws. */
  add(key: string): void;
  /** Resolves when every import queued so far has finished (each one imported, or its failure logged). */
  settled(): Promise<void>;
  /** Imports not started yet are dropped (their uploads stay in storage); resolves when the running one ends. */
  stop(): Promise<void>;
}

/**
 * The local stand-in for the importer Lambda's event queue: runs `run(key)` one key at a time, in arrival
 * order, and logs a failure instead of throwing it (the upload stays in storage, retriable). One at a time
 * keeps `slctl serve`'s memory bounded however many uploads arrive together.
 */
export function createImportQueue(run: (key: string) => Promise<unknown>, log: Logger): ImportQueue {
  let tail: Promise<void> = Promise.resolve();
  let stopped = false;
  const waiting = new Set<string>();

  return {
    add(key) {
      if (stopped || waiting.has(key)) return;
      waiting.add(key);
      tail = tail.then(async () => {
        waiting.delete(key);
        if (stopped) return;
        try {
          await run(key);
        } catch (e) {
          log.error('recording import failed: the upload stays in storage for a retry', { key, error: (e as Error)?.stack ?? String(e) });
        }
      });
    },
    settled: () => tail,
    async stop() {
      stopped = true;
      await tail;
    },
  };
}
