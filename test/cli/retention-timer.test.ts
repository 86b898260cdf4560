/**
 * The schedule `slctl serve` runs the retention job on (cli/local-stack.ts `repeatEvery`), with fake timers:
 * the first run one interval after start, the next one interval after the previous run ended (never two at
 * once), a failing run reported and the schedule kept, and nothing after stop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { repeatEvery, RETENTION_INTERVAL_MS } from '../../cli/local-stack.js';

const HOUR = RETENTION_INTERVAL_MS;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A job whose runs end when the test says so. */
function controlledJob() {
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let started = 0;
  const job = () =>
    new Promise<void>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  return { job, started: () => started, finish: () => pending.shift()!.resolve(), fail: (e: Error) => pending.shift()!.reject(e) };
}

describe('repeatEvery (the local retention schedule)', () => {
  it('is hourly by default', () => {
    expect(HOUR).toBe(3_600_000);
  });

  it('runs one interval after start, never while a run is under way, and again one interval after it ended', async () => {
    const j = controlledJob();
    const errors: unknown[] = [];
    const schedule = repeatEvery(j.job, HOUR, (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(HOUR - 1);
    expect(j.started()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(j.started()).toBe(1);
    await vi.advanceTimersByTimeAsync(5 * HOUR); // the run takes five hours: no second one meanwhile
    expect(j.started()).toBe(1);
    j.finish();
    await vi.advanceTimersByTimeAsync(HOUR - 1);
    expect(j.started()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(j.started()).toBe(2);
    j.finish();
    await schedule.stop();
    expect(errors).toEqual([]);
  });

  it('a run that fails is reported and the schedule goes on', async () => {
    const j = controlledJob();
    const errors: unknown[] = [];
    const schedule = repeatEvery(j.job, HOUR, (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(HOUR);
    j.fail(new Error('table unreachable'));
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(errors.map((e) => (e as Error).message)).toEqual(['table unreachable']);
    expect(j.started()).toBe(2);
    j.finish();
    await schedule.stop();
  });

  it('stop waits for the run under way and no run starts after it', async () => {
    const j = controlledJob();
    const schedule = repeatEvery(j.job, HOUR, () => {});
    await vi.advanceTimersByTimeAsync(HOUR);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    j.finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(10 * HOUR);
    expect(j.started()).toBe(1);
  });
});
