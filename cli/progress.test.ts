import { describe, expect, it } from 'vitest';
import type { Deps } from '../shared/app/deps.js';
import { aroundProgress, startActivity, startProgress } from './progress.js';
import { runInTask, type TaskContext } from './task-context.js';

const stream = (isTTY: boolean) => {
  const out: string[] = [];
  return { isTTY, out, write: (text: string) => out.push(text) };
};

describe('startProgress', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const s = stream(false);
    const p = startProgress('Polling', 3, s);
    p.tick();
    p.done();
    aroundProgress(() => s.write('line\n'));
    expect(s.out).toEqual(['line\n']);
  });

  it('draws a counter on a terminal, steps aside for printed lines and clears itself', () => {
    const s = stream(true);
    const p = startProgress('Polling', 2, s);
    p.tick();
    aroundProgress(() => s.write('line\n'));
    p.tick();
    p.tick(); // never past the total
    p.done();
    p.done();
    aroundProgress(() => s.write('after\n'));
    expect(s.out).toEqual([
      '\r\x1b[KPolling 0/2',
      '\r\x1b[KPolling 1/2',
      '\r\x1b[K',
      'line\n',
      '\r\x1b[KPolling 1/2',
      '\r\x1b[KPolling 2/2',
      '\r\x1b[KPolling 2/2',
      '\r\x1b[K',
      'after\n',
    ]);
  });

  it('shows nothing for an empty job', () => {
    const s = stream(true);
    startProgress('Polling', 0, s).done();
    expect(s.out).toEqual([]);
  });
});

describe('nested indicators', () => {
  it('an inner one hides the outer one until it is done', () => {
    const s = stream(true);
    const outer = startProgress('Syncing servers', 2, s);
    const inner = startProgress('Ending meetings on b1', 1, s);
    outer.tick(); // hidden meanwhile
    inner.tick();
    inner.done();
    outer.tick();
    outer.done();
    expect(s.out).toEqual([
      '\r\x1b[KSyncing servers 0/2',
      '\r\x1b[KEnding meetings on b1 0/1',
      '\r\x1b[KEnding meetings on b1 1/1',
      '\r\x1b[K',
      '\r\x1b[KSyncing servers 1/2',
      '\r\x1b[KSyncing servers 2/2',
      '\r\x1b[K',
    ]);
  });
});

describe('startActivity', () => {
  it('shows the seconds elapsed on a terminal only', () => {
    let now = 0;
    const tty = stream(true);
    const a = startActivity('Polling servers', tty, () => now);
    now = 2500;
    aroundProgress(() => tty.write('line\n'));
    a.done();
    expect(tty.out).toEqual(['\r\x1b[KPolling servers 0 s', '\r\x1b[K', 'line\n', '\r\x1b[KPolling servers 2 s', '\r\x1b[K']);
    const pipe = stream(false);
    startActivity('Polling servers', pipe).done();
    expect(pipe.out).toEqual([]);
  });
});

describe('progress of work done before (slices of a task in the admin function)', () => {
  it('starts the counter at `done`', () => {
    const s = stream(true);
    const p = startProgress('Ending meetings', 500, s, 200);
    p.tick();
    p.done();
    expect(s.out).toEqual(['\r\x1b[KEnding meetings 200/500', '\r\x1b[KEnding meetings 201/500', '\r\x1b[K']);
  });

  it('inside the admin function: counted in the task context, never drawn; left open when the slice ended', async () => {
    const s = stream(true);
    const ctx = { deps: {} as Deps, stdout: [], stderr: [], order: [], files: {}, answers: [], asked: 0, indicators: [] } as TaskContext;
    await runInTask(ctx, async () => {
      const outer = startProgress('Syncing servers', 3, s);
      const inner = startProgress('Ending meetings on b1', 2, s);
      inner.tick();
      expect(ctx.indicators).toEqual([
        { label: 'Syncing servers', done: 0, total: 3 },
        { label: 'Ending meetings on b1', done: 1, total: 2 },
      ]);
      inner.done();
      outer.tick();
      expect(ctx.indicators).toEqual([{ label: 'Syncing servers', done: 1, total: 3 }]);
      ctx.slice = { endedAt: 4 } as TaskContext['slice'];
      outer.done();
      expect(ctx.indicators).toEqual([{ label: 'Syncing servers', done: 1, total: 3 }]);
    });
    expect(s.out).toEqual([]);
  });
});
