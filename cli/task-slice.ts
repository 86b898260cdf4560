import { AsyncLocalStorage } from 'node:async_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { currentTask, type TaskContext } from './task-context.js';

/**
 * Long tasks in slices (`slctl --via lambda`; docs/OPERATIONS.md "Long tasks"). A task's units of work — a
 * server synced, a meeting ended — run through `step`; the reads its course depends on (the meetings to
 * end, the servers before a sync) through `memo`. In the admin function an invocation starts at most
 * `maxItems` steps, none after its deadline; at the first step it refuses the slice ends and the answer
 * carries a continuation: the position reached, the memoized reads and the steps' results. The next
 * invocation runs the task again from its start, replaying: `memo` answers what it answered before, the
 * steps done are skipped (their results given back), questions are answered from the request, and what
 * the task prints stays unsent until it reaches the position where the previous slice ended. From there
 * on it runs and prints as usual. So the task's code stays one straight function, every step runs once
 * (never twice, however many slices), and the bytes printed over all slices are those of one run.
 *
 * Positions count the checkpoints of a run in order: each step and each question (`readLine`). Outside
 * the admin function (the direct target) `step` and `memo` just run their function.
 */

/** A step refused: the slice is over (or the task is stopped); the admin function answers a continuation. */
export class SliceEnded extends Error {
  constructor() {
    super('the slice of this invocation is over; slctl continues the task in the next one');
    this.name = 'SliceEnded';
  }
}

export interface SliceState {
  /** the position where the previous slice ended; undefined: the task starts here */
  resumeAt?: number;
  /** memoized reads, in the order made (JSON of `{v}`) */
  memo: string[];
  /** the results of the steps done, by step index (JSON of `{v}`; absent: undefined) */
  results: Record<string, string>;
  /** record memo values and results: the request can be continued (else the task runs whole, version 1) */
  resumable: boolean;
  /** steps one invocation may start */
  maxItems: number;
  /** no step starts at or after this (epoch ms) */
  deadline: number;
  now: () => number;
  /** steps entered in this run (replayed and live) */
  steps: number;
  memoUsed: number;
  /** steps started in this invocation */
  live: number;
  /** the position where this slice ended (the first step refused) */
  endedAt?: number;
  /** the first failure of a step: no step starts after it */
  failure?: { error: unknown };
  /** steps under way (their settling) */
  inflight: Set<Promise<void>>;
}

export interface SliceOptions {
  resumable: boolean;
  maxItems: number;
  deadline: number;
  now: () => number;
  continuation?: Continuation;
}

export function createSlice(opts: SliceOptions): SliceState {
  return {
    resumeAt: opts.continuation?.at,
    memo: [...(opts.continuation?.memo ?? [])],
    results: { ...(opts.continuation?.results ?? {}) },
    resumable: opts.resumable,
    maxItems: opts.maxItems,
    deadline: opts.deadline,
    now: opts.now,
    steps: 0,
    memoUsed: 0,
    live: 0,
    inflight: new Set(),
  };
}

/** Marks the code of a step: what it prints after its slice ended is still its own (it was under way). */
const inStep = new AsyncLocalStorage<true>();

/** The position reached: checkpoints entered so far (steps and questions). */
export const position = (ctx: Pick<TaskContext, 'asked'>, s: SliceState): number => s.steps + ctx.asked;

/**
 * Whether what the task prints now goes into the answer: not while replaying what an earlier slice
 * printed, nor (outside a step under way) after the slice ended.
 */
export function outputIsLive(ctx: Pick<TaskContext, 'asked' | 'slice'>): boolean {
  const s = ctx.slice;
  if (!s) return true;
  if ((s.endedAt !== undefined || s.failure) && !inStep.getStore()) return false;
  return s.resumeAt === undefined || position(ctx, s) > s.resumeAt;
}

/** A list whose `push` keeps only what `keep` allows at the time (the task context's output). */
export function gatedList<T>(keep: () => boolean): T[] {
  const list: T[] = [];
  list.push = (...items: T[]) => (keep() ? Array.prototype.push.apply(list, items) : list.length);
  return list;
}

const recorded = new WeakSet<object>();
const decode = <T>(json: string): T => {
  const { v } = JSON.parse(json) as { v?: T };
  if (v !== null && typeof v === 'object') recorded.add(v);
  return v as T;
};

/** Whether `value` came from `memo` (a list already recorded need not be recorded again). */
export const isMemoized = (value: unknown): boolean => value !== null && typeof value === 'object' && recorded.has(value);

/**
 * A read the rest of the task depends on (the meetings it will end): made once, the same value in every
 * later slice. The value must be JSON (records, lists of them). Outside a resumable task: `fn()`.
 */
export async function memo<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = currentTask();
  const s = ctx?.slice;
  if (!s?.resumable) return fn();
  if (s.endedAt !== undefined) throw new SliceEnded();
  const i = s.memoUsed++;
  if (i < s.memo.length) return decode<T>(s.memo[i]);
  const json = JSON.stringify({ v: await fn() });
  s.memo[i] = json;
  return decode<T>(json);
}

/**
 * One unit of work of a long task (it may write, call BBB and print). In the admin function: skipped when
 * an earlier slice did it (its result given back), refused (SliceEnded) once this invocation's slice is
 * over, after a step failed, or while a question is open. Outside it: `fn()`.
 */
export function step<R>(fn: () => Promise<R>): Promise<R> {
  const ctx = currentTask();
  const s = ctx?.slice;
  if (!ctx || !s) return fn();
  if (s.failure) return Promise.reject(s.failure.error);
  if (s.endedAt !== undefined || ctx.asked > ctx.answers.length) return Promise.reject(new SliceEnded());
  const k = s.steps;
  const at = position(ctx, s);
  if (s.resumeAt !== undefined && at < s.resumeAt) {
    s.steps++;
    const r = s.results[k];
    return Promise.resolve(r === undefined ? (undefined as R) : decode<R>(r));
  }
  if (s.live >= s.maxItems || (s.live > 0 && s.now() >= s.deadline)) {
    s.endedAt = at;
    return Promise.reject(new SliceEnded());
  }
  s.steps++;
  s.live++;
  const run = inStep.run(true, fn).then(
    (r) => {
      if (s.resumable && r !== undefined) s.results[k] = JSON.stringify({ v: r });
      return r;
    },
    (e: unknown) => {
      s.failure ??= { error: e };
      throw e;
    },
  );
  const settled = run.then(
    () => {},
    () => {},
  );
  s.inflight.add(settled);
  void settled.then(() => s.inflight.delete(settled));
  return run;
}

/** Waits until no step is under way (the task's own promise may have settled before its last steps did). */
export async function settleSteps(s: SliceState): Promise<void> {
  while (s.inflight.size > 0) await Promise.all([...s.inflight]);
}

/** What the next invocation resumes from. */
export interface Continuation {
  /** the task it belongs to */
  task: string;
  at: number;
  memo: string[];
  results: Record<string, string>;
}

/** The continuation as sent to slctl: deflated JSON, base64 (slctl keeps it in memory only). */
export function encodeContinuation(c: Continuation): string {
  return deflateRawSync(Buffer.from(JSON.stringify(c))).toString('base64');
}

/** A continuation back from slctl; undefined when it is not one this function made for `task`. */
export function decodeContinuation(text: string, task: string): Continuation | undefined {
  try {
    const c = JSON.parse(inflateRawSync(Buffer.from(text, 'base64')).toString('utf8')) as Partial<Continuation>;
    const ok =
      c.task === task &&
      Number.isInteger(c.at) &&
      (c.at as number) >= 0 &&
      Array.isArray(c.memo) &&
      c.memo.every((m) => typeof m === 'string') &&
      !!c.results &&
      typeof c.results === 'object' &&
      Object.values(c.results).every((r) => typeof r === 'string');
    return ok ? (c as Continuation) : undefined;
  } catch {
    return undefined;
  }
}
