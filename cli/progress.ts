/**
 * A one-line progress indicator on stderr (`Ending meetings 3/12`, or `Polling 12 servers 3 s` for work
 * that cannot be counted from outside), shown only when stderr is a terminal:
 * redirected or piped output never contains it. Lines that tasks print meanwhile (through `say`/`warn`)
 * clear the indicator first and redraw it after, so the two never mix on one line. Inside the admin
 * function (cli/task-context.ts) there is no terminal: a counted indicator is kept in the task context, and
 * when the invocation's slice of a long task ends (cli/task-slice.ts) the answer carries its count, which
 * `slctl` shows in the same form (`Ending meetings 200/500`) while the next slice runs.
 */
import type { SliceProgress } from '../shared/admin/admin-contract.js';
import { currentTask, type TaskContext } from './task-context.js';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** one more item done */
  tick(): void;
  /** removes the indicator */
  done(): void;
}

const CLEAR_LINE = '\r\x1b[K';

interface Indicator {
  stream: ProgressStream;
  draw: () => void;
  /** the indicator this one hides until it is done (a server's meetings within a sync of servers) */
  outer?: Indicator;
}

/** The indicator on screen. */
let active: Indicator | undefined;

/** Takes `entry` off the screen and shows the indicator it hid, if any. */
function finish(entry: Indicator): void {
  if (active !== entry) return;
  active = entry.outer;
  entry.stream.write(CLEAR_LINE);
  active?.draw();
}

/** Runs `write` with the active indicator (if any) taken off the screen, then draws it again. */
export function aroundProgress(write: () => void): void {
  if (!active) return write();
  active.stream.write(CLEAR_LINE);
  write();
  active.draw();
}

const NONE: Progress = { tick: () => {}, done: () => {} };

/** `label done/total`; `done` > 0: work done before (earlier slices of a task in the admin function). */
export function startProgress(label: string, total: number, stream: ProgressStream = process.stderr, done = 0): Progress {
  const task = currentTask();
  if (task) return task.indicators && total > 0 ? inTask(task, task.indicators, label, total) : NONE;
  if (!stream.isTTY || total <= 0) return NONE;
  let count = Math.min(total, Math.max(0, done));
  const draw = () => stream.write(`${CLEAR_LINE}${label} ${count}/${total}`);
  const entry = { stream, draw, outer: active };
  active = entry;
  draw();
  return {
    tick: () => {
      count = Math.min(total, count + 1);
      if (active === entry) draw();
    },
    done: () => finish(entry),
  };
}

/** The indicator inside the admin function: counted in the task context, never drawn. */
function inTask(task: TaskContext, open: SliceProgress[], label: string, total: number): Progress {
  const entry: SliceProgress = { label, done: 0, total };
  open.push(entry);
  return {
    tick: () => {
      entry.done = Math.min(total, entry.done + 1);
    },
    done: () => {
      // a slice that ended leaves its indicators open: the answer reports how far they got
      if (task.slice?.endedAt !== undefined) return;
      const i = open.lastIndexOf(entry);
      if (i !== -1) open.splice(i, 1);
    },
  };
}

/** For work whose steps cannot be counted from outside: the label and the seconds elapsed, once a second. */
export function startActivity(label: string, stream: ProgressStream = process.stderr, clock: () => number = Date.now): Progress {
  if (!stream.isTTY || currentTask()) return NONE;
  const started = clock();
  const draw = () => stream.write(`${CLEAR_LINE}${label} ${Math.floor((clock() - started) / 1000)} s`);
  const entry = { stream, draw, outer: active };
  active = entry;
  draw();
  const timer = setInterval(() => {
    if (active === entry) draw();
  }, 1000);
  timer.unref();
  return {
    tick: () => {},
    done: () => {
      clearInterval(timer);
      finish(entry);
    },
  };
}
