import { describe, expect, it } from 'vitest';
import { boundedWrites } from './bounded-writes.js';

/** A write the test finishes by hand. */
function manual() {
  let finish!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (e) => (e ? reject(e) : resolve())));
  return { write: () => done, finish };
}

describe('boundedWrites', () => {
  it('runs at most `limit` writes at once: add waits for a free slot', async () => {
    const w = boundedWrites(2);
    const [a, b, c] = [manual(), manual(), manual()];
    await w.add('a', a.write);
    await w.add('b', b.write);
    let third = false;
    const adding = w.add('c', c.write).then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    a.finish();
    await adding;
    expect(third).toBe(true);
    b.finish();
    c.finish();
    await w.drain();
  });

  it('waits for a write of the same key before starting another (the last one wins)', async () => {
    const w = boundedWrites(8);
    const order: string[] = [];
    const first = manual();
    await w.add('k', () => first.write().then(() => void order.push('first')));
    const second = w.add('k', async () => void order.push('second'));
    await Promise.resolve();
    expect(order).toEqual([]);
    first.finish();
    await second;
    await w.drain();
    expect(order).toEqual(['first', 'second']);
  });

  it('rethrows the first failure at the next add or drain; settle ignores it', async () => {
    const w = boundedWrites(4);
    const bad = manual();
    await w.add('bad', bad.write);
    bad.finish(new Error('boom'));
    await expect(w.drain()).rejects.toThrow('boom');
    await expect(w.add('next', async () => {})).rejects.toThrow('boom');
    await expect(w.settle()).resolves.toBeUndefined();
  });
});
