/**
 * A one-line progress indicator on stderr (`Ending meetings 3/12`, or `Polling 12 servers 3 s` for work
 * that cannot be counted from outside), shown only when stderr is a terminal:
 * redirected or piped output never contains it. Lines that tasks print meanwhile (through `say`/`warn`)
 * clear the indicator first and redraw it after, so the two never mix on one line.
 */
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

let active: { stream: ProgressStream; draw: () => void } | undefined;

/** Runs `write` with the active indicator (if any) taken off the screen, then draws it again. */
export function aroundProgress(write: () => void): void {
  if (!active) return write();
  active.stream.write(CLEAR_LINE);
  write();
  active.draw();
}

const NONE: Progress = { tick: () => {}, done: () => {} };

export function startProgress(label: string, total: number, stream: ProgressStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return NONE;
  let count = 0;
  const draw = () => stream.write(`${CLEAR_LINE}${label} ${count}/${total}`);
  const entry = { stream, draw };
  active = entry;
  draw();
  return {
    tick: () => {
      count = Math.min(total, count + 1);
      if (active === entry) draw();
    },
    done: () => {
      if (active !== entry) return;
      active = undefined;
      stream.write(CLEAR_LINE);
    },
  };
}

/** For work whose steps cannot be counted from outside: the label and the seconds elapsed, once a second. */
export function startActivity(label: string, stream: ProgressStream = process.stderr, clock: () => number = Date.now): Progress {
  if (!stream.isTTY) return NONE;
  const started = clock();
  const draw = () => stream.write(`${CLEAR_LINE}${label} ${Math.floor((clock() - started) / 1000)} s`);
  const entry = { stream, draw };
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
      if (active !== entry) return;
      active = undefined;
      stream.write(CLEAR_LINE);
    },
  };
}
