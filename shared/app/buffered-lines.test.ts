import { describe, expect, it } from 'vitest';
import { bufferedLines } from './buffered-lines.js';

/** A scheduler the test turns by hand. */
function manualTurns() {
  const pending: Array<() => void> = [];
  return {
    schedule: (f: () => void) => void pending.push(f),
    turn: () => pending.splice(0).forEach((f) => f()),
    get waiting() {
      return pending.length;
    },
  };
}

describe('bufferedLines', () => {
  it('writes the lines of one turn in one write, in order, with their newlines', () => {
    const writes: string[] = [];
    const turns = manualTurns();
    const lines = bufferedLines((c) => writes.push(c), { schedule: turns.schedule });
    lines.write('a');
    lines.write('b');
    lines.write('c');
    expect(writes).toEqual([]);
    expect(turns.waiting).toBe(1); // one flush per turn, however many lines
    turns.turn();
    expect(writes).toEqual(['a\nb\nc\n']);
    lines.write('d');
    turns.turn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes at once when the queue reaches maxChars', () => {
    const writes: string[] = [];
    const turns = manualTurns();
    const lines = bufferedLines((c) => writes.push(c), { schedule: turns.schedule, maxChars: 10 });
    lines.write('12345');
    expect(writes).toEqual([]);
    lines.write('67890'); // 12 characters queued with the newlines
    expect(writes).toEqual(['12345\n67890\n']);
    turns.turn(); // the turn's flush finds nothing left
    expect(writes).toHaveLength(1);
  });

  it('flush writes now; flushSync uses the synchronous writer; neither writes an empty queue', () => {
    const writes: string[] = [];
    const syncWrites: string[] = [];
    const turns = manualTurns();
    const lines = bufferedLines((c) => writes.push(c), { schedule: turns.schedule, writeSync: (c) => syncWrites.push(c) });
    lines.write('x');
    lines.flush();
    lines.write('y');
    lines.flushSync();
    lines.flush();
    lines.flushSync();
    turns.turn();
    expect(writes).toEqual(['x\n']);
    expect(syncWrites).toEqual(['y\n']);
  });

  it('by default flushes after the current turn (setImmediate)', async () => {
    const writes: string[] = [];
    const lines = bufferedLines((c) => writes.push(c));
    lines.write('one');
    lines.write('two');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['one\ntwo\n']);
  });
});
