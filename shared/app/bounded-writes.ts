/**
 * Writes running in the background, at most `limit` at once: `add` waits for a free slot (and rethrows
 * the first failure; a key already being written is waited for, so the tar's last copy of a file wins),
 * `drain` waits for all and rethrows, `settle` waits for all and ignores failures.
 */
export function boundedWrites(limit: number) {
  const running = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  const check = () => {
    if (failure) throw failure.error;
  };
  return {
    async add(key: string, write: () => Promise<void>): Promise<void> {
      check();
      while (running.size >= limit || running.has(key)) {
        await (running.get(key) ?? Promise.race(running.values()));
        check();
      }
      const p: Promise<void> = write().then(
        () => void running.delete(key),
        (error: unknown) => {
          running.delete(key);
          failure ??= { error };
        },
      );
      running.set(key, p);
    },
    async drain(): Promise<void> {
      await Promise.all(running.values());
      check();
    },
    async settle(): Promise<void> {
      await Promise.all(running.values());
    },
  };
}
