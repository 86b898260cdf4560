import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deps } from '../shared/app/deps.js';
import type { AdminFile, SliceProgress } from '../shared/admin/admin-contract.js';
import type { SliceState } from './task-slice.js';

/**
 * Where a task runs. On the operator's machine (no context) a task prints to the process's stdout and
 * stderr, reads the terminal and files, and builds its deps from the environment (cli/target.ts). Inside
 * the admin function (functions/admin, or the local stack's invoke endpoint) the same task code runs in
 * a TaskContext: its output is collected for the answer, its questions are answered from the request,
 * the files and stdin it reads come with the request, and its deps are the function's.
 */
export interface TaskContext {
  deps: Deps;
  stdout: string[];
  stderr: string[];
  /** the stream of each piece written, in order (1 stdout, 2 stderr): a terminal shows them interleaved */
  order: (1 | 2)[];
  stdin?: string;
  files: Readonly<Record<string, AdminFile>>;
  /** the answers slctl sent (null: its standard input had ended) */
  answers: readonly (string | null)[];
  /** questions asked so far (one more than the answers when the last one is still open) */
  asked: number;
  /** the steps of a long task and where this invocation's slice of them ends (cli/task-slice.ts) */
  slice?: SliceState;
  /** the progress indicators the task has open (cli/progress.ts), innermost last: reported when a slice ends */
  indicators?: SliceProgress[];
}

/** A question the request does not answer yet: the admin function answers `needsInput`. */
export class NeedsInput extends Error {
  constructor() {
    super('the task asks a question; slctl answers it and sends the task again');
    this.name = 'NeedsInput';
  }
}

const storage = new AsyncLocalStorage<TaskContext>();

/** The context of the task running now, or undefined on the operator's machine. */
export const currentTask = (): TaskContext | undefined => storage.getStore();

export function runInTask<T>(ctx: TaskContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}
