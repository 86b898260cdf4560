import { describe, expect, it } from 'vitest';
import type { Logger } from '../shared/app/logger.js';
import { createImportQueue } from './import-queue.js';

const recordingLogger = () => {
  const errors: { msg: string; fields?: Record<string, unknown> }[] = [];
  const log: Logger = { info() {}, warn() {}, error: (msg, fields) => void errors.push({ msg, fields }) };
  return { log, errors };
};

/** A run function whose calls the test finishes by hand. */
const controlledRun = () => {
  const calls: { key: string; finish: (e?: Error) => void }[] = [];
  let active = 0;
  let maxActive = 0;
  const run = (key: string) =>
    new Promise<void>((resolve, reject) => {
      active++;
      maxActive = Math.max(maxActive, active);
      calls.push({
        key,
        finish: (e) => {
          active--;
          if (e) reject(e);
          else resolve();
        },
      });
    });
  return { run, calls, maxActive: () => maxActive };
};

/** Lets queued promise callbacks run (no timers involved). */
const drain = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('import queue', () => {
  it('runs imports one at a time, in arrival order', async () => {
    const { log } = recordingLogger();
    const c = controlledRun();
    const q = createImportQueue(c.run, log);
    q.add('uploads/a');
    q.add('uploads/b');
    q.add('uploads/c');
    await drain();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/a']);
    c.calls[0].finish();
    await drain();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/a', 'uploads/b']);
    c.calls[1].finish();
    await drain();
    c.calls[2].finish();
    await q.settled();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/a', 'uploads/b', 'uploads/c']);
    expect(c.maxActive()).toBe(1);
  });

  it('logs a failed import with its key and goes on with the next', async () => {
    const { log, errors } = recordingLogger();
    const c = controlledRun();
    const q = createImportQueue(c.run, log);
    q.add('uploads/bad');
    q.add('uploads/good');
    await drain();
    c.calls[0].finish(new Error('tar is corrupt'));
    await drain();
    c.calls[1].finish();
    await expect(q.settled()).resolves.toBeUndefined();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/bad', 'uploads/good']);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/import failed/);
    expect(errors[0].fields).toMatchObject({ key: 'uploads/bad', error: expect.stringContaining('tar is corrupt') });
  });

  it('does not queue a key that is already waiting', async () => {
    const { log } = recordingLogger();
    const c = controlledRun();
    const q = createImportQueue(c.run, log);
    q.add('uploads/a');
    q.add('uploads/b');
    q.add('uploads/b');
    await drain();
    c.calls[0].finish();
    await drain();
    c.calls[1].finish();
    await q.settled();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/a', 'uploads/b']);
  });

  it('stop lets the running import finish and drops the waiting ones', async () => {
    const { log } = recordingLogger();
    const c = controlledRun();
    const q = createImportQueue(c.run, log);
    q.add('uploads/a');
    q.add('uploads/b');
    await drain();
    let stopped = false;
    const stopping = q.stop().then(() => (stopped = true));
    await drain();
    expect(stopped).toBe(false);
    c.calls[0].finish();
    await stopping;
    q.add('uploads/c');
    await q.settled();
    expect(c.calls.map((x) => x.key)).toEqual(['uploads/a']);
  });
});
