/**
 * A one-line progress indicator on stderr (`Ending meetings 3/12`, or `Polling 12 servers 3 s` for work
 * that cannot be counted from outside), shown only when stderr is a terminal:
 * redirected or piped output never contains it. Lines that tasks print meanwhile (through `say`/`warn`)
 * clear the indicator first and redraw it after, so the two never mix on one line. Inside the admin
 * function (cli/task-context.ts) there is no terminal: `slctl` shows its own indicator while it waits.
 */
import { currentTask } from './task-context.js';

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

export function startProgress(label: string, total: number, stream: ProgressStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0 || currentTask()) return NONE;
  let count = 0;
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
