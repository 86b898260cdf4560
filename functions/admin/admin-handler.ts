import type { CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import type { Logger } from '../../shared/app/logger.js';
import {
  ADMIN_CONTRACT_VERSION,
  DEFAULT_SLICE_ITEMS,
  DEFAULT_SLICE_SECONDS,
  LAMBDA_PAYLOAD_LIMIT,
  parseAdminRequest,
  type AdminResponse,
  type AdminTaskResult,
} from '../../shared/admin/admin-contract.js';
import { describeFailure } from '../../cli/cli-error.js';
import { NeedsInput, runInTask, type TaskContext } from '../../cli/task-context.js';
import {
  createSlice,
  decodeContinuation,
  encodeContinuation,
  gatedList,
  outputIsLive,
  position,
  settleSteps,
  SliceEnded,
  type Continuation,
} from '../../cli/task-slice.js';
import { LOCAL_ONLY_TASKS, taskNames } from '../../cli/task-names.js';

export { LOCAL_ONLY_TASKS, TARGETLESS_TASKS, taskNames } from '../../cli/task-names.js';

/** A task name for the log (never the arguments: they may hold secrets); undefined for a malformed request. */
const taskOf = (payload: unknown): string | undefined => {
  const task = (payload as { task?: unknown } | null)?.task;
  return typeof task === 'string' && /^[A-Za-z][A-Za-z0-9_:-]{0,63}$/.test(task) ? task : undefined;
};

/** One log line per invocation: the task, its exit code (or why the request was refused) and the time taken. */
export function logInvocation(log: Logger, payload: unknown, result: AdminResponse, ms: number): void {
  const task = taskOf(payload);
  if ('error' in result) log.warn('admin request refused', { task, error: result.error.code, ms });
  else log.info('admin task', { task, exitCode: result.exitCode, ...(result.needsInput ? { needsInput: true } : {}), ...(result.continuation ? { continues: true } : {}), ms });
}

/** The same line for a crash (the invocation then fails: Lambda's `Unhandled`). */
export function logCrash(log: Logger, payload: unknown, e: unknown, ms: number): void {
  log.error('admin task crashed', { task: taskOf(payload), error: e instanceof Error ? e.message : String(e), ms });
}

/** The pieces' lengths in the order written (stdout positive, stderr negative), runs of one stream merged. */
export function interleave(ctx: Pick<TaskContext, 'stdout' | 'stderr' | 'order'>): number[] {
  const lengths: number[] = [];
  let out = 0;
  let err = 0;
  for (const stream of ctx.order) {
    const length = stream === 1 ? ctx.stdout[out++].length : -ctx.stderr[err++].length;
    const last = lengths.length - 1;
    if (last >= 0 && Math.sign(lengths[last]) === Math.sign(length)) lengths[last] += length;
    else if (length !== 0) lengths.push(length);
  }
  return lengths;
}

/** A note for stderr when the output had to be cut to fit Lambda's response limit. */
const CUT_NOTE = (bytes: number, unfinished: boolean) =>
  `ERROR: the task's output (${bytes} bytes) is over the admin function's 6 MB response limit and was cut short${unfinished ? '; the task stopped there (what it did stays done)' : ''}; run it with the direct target (--via direct)\n`;

/**
 * The answer as sent: when the task's output would not fit Lambda's response limit (the invocation would
 * fail and the output be lost, after the task did its work), the end of stdout is cut, stderr says so and
 * the exit code is 1 (a script must not take the cut output for the whole). An unfinished task (a
 * continuation or a question) stops there: its continuation is dropped.
 */
export function fitResponse(result: AdminTaskResult, limit = LAMBDA_PAYLOAD_LIMIT): AdminTaskResult {
  if (Buffer.byteLength(JSON.stringify(result)) <= limit) return result;
  const { continuation, progress, needsInput, ...rest } = result;
  const unfinished = continuation !== undefined || needsInput === true;
  const note = CUT_NOTE(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr), unfinished);
  const cut = { ...rest, stderr: result.stderr.slice(0, 64 * 1024) + note, interleave: undefined, exitCode: result.exitCode || 1 };
  // JSON escapes can make text up to six times longer: shorten until it fits
  for (let chars = Math.floor(limit / 2); chars >= 1024; chars = Math.floor(chars / 2)) {
    const fitted = { ...cut, stdout: result.stdout.slice(0, chars) };
    if (Buffer.byteLength(JSON.stringify(fitted)) <= limit) return fitted;
  }
  return { ...cut, stdout: '' };
}

/** The handler's own line on stderr (a failure): written whatever the task's output gate says. */
function append(ctx: TaskContext, line: string): void {
  Array.prototype.push.call(ctx.order, 2);
  Array.prototype.push.call(ctx.stderr, line);
}

export interface AdminHandlerOptions {
  /** the clock of the slices' time budget (tests) */
  now?: () => number;
}

/**
 * The admin function (issue 12): runs one slctl task, sent by `slctl --via lambda` (or to the local stack's
 * invoke endpoint), with this runtime's deps, and answers what it printed and its exit code
 * (shared/admin/admin-contract.ts). The task is slctl's own code, run in a TaskContext (cli/task-context.ts):
 * its output is collected, its questions answered from the request, and its failure described as slctl
 * describes it, so both targets print the same bytes. IAM (`lambda:InvokeFunction`) is the authentication.
 * A request with `slice` runs a long task in bounded slices (cli/task-slice.ts): at most `slice.items`
 * steps, none started after `slice.seconds`, and a continuation for the rest.
 */
export function createAdminHandler(getDeps: () => Deps | Promise<Deps>, commands: readonly CommandModule[], opts: AdminHandlerOptions = {}) {
  const now = opts.now ?? Date.now;
  const byName = new Map<string, CommandModule>();
  for (const c of commands) for (const n of taskNames(c)) byName.set(n, c);

  return async (payload: unknown): Promise<AdminResponse> => {
    const request = parseAdminRequest(payload);
    if ('error' in request) return request;
    const command = byName.get(request.task);
    if (!command?.handler) return { v: ADMIN_CONTRACT_VERSION, error: { code: 'unknownTask', message: `no task named ${request.task}` } };
    if (LOCAL_ONLY_TASKS.has(request.task)) {
      return {
        v: ADMIN_CONTRACT_VERSION,
        error: { code: 'localOnlyTask', message: `${request.task} runs on the operator's machine only (it reads local files, runs the local stack or configures slctl): use the direct target` },
      };
    }
    let continuation: Continuation | undefined;
    if (request.slice?.continuation !== undefined) {
      continuation = decodeContinuation(request.slice.continuation, request.task);
      if (!continuation) return { v: ADMIN_CONTRACT_VERSION, error: { code: 'badRequest', message: `\`slice.continuation\` is not one this function gave for ${request.task}` } };
    }
    // without `slice` (a version-1 slctl that cannot continue a task): the whole task in this invocation
    const sliced = request.slice !== undefined;
    const slice = createSlice({
      resumable: sliced,
      maxItems: sliced ? (request.slice?.items ?? DEFAULT_SLICE_ITEMS) : Infinity,
      deadline: sliced ? now() + (request.slice?.seconds ?? DEFAULT_SLICE_SECONDS) * 1000 : Infinity,
      now,
      continuation,
    });
    const ctx: TaskContext = {
      deps: await getDeps(),
      stdout: [],
      stderr: [],
      order: [],
      stdin: request.stdin,
      files: request.files ?? {},
      answers: request.answers ?? [],
      asked: 0,
      slice,
      indicators: [],
    };
    // what a slice prints again while it replays the slices before it is not sent again (cli/task-slice.ts)
    const live = () => outputIsLive(ctx);
    ctx.stdout = gatedList(live);
    ctx.stderr = gatedList(live);
    ctx.order = gatedList(live);
    const done = (exitCode: number, more: { needsInput?: boolean; at?: number } = {}): AdminResponse =>
      fitResponse({
        v: ADMIN_CONTRACT_VERSION,
        stdout: ctx.stdout.join(''),
        stderr: ctx.stderr.join(''),
        interleave: interleave(ctx),
        exitCode,
        ...(more.needsInput ? { needsInput: true } : {}),
        ...(more.at !== undefined
          ? {
              continuation: encodeContinuation({ task: request.task, at: more.at, memo: slice.memo, results: slice.results }),
              ...(ctx.indicators?.length ? { progress: { ...ctx.indicators[ctx.indicators.length - 1] } } : {}),
            }
          : {}),
      });
    let thrown: { error: unknown } | undefined;
    try {
      await runInTask(ctx, async () => {
        await command.handler!({ ...request.args, _: [request.task], $0: 'slctl' } as never);
      });
    } catch (e) {
      thrown = { error: e };
    }
    // steps still under way (the task's promise settles at the first refused one): the answer waits for them
    await settleSteps(slice);
    // a question the request does not answer yet, even if the task caught the NeedsInput it threw
    if (thrown?.error instanceof NeedsInput || ctx.asked > ctx.answers.length) {
      // resumable: the next invocation replays up to this question (the position it has) and goes on live
      return done(0, { needsInput: true, ...(sliced ? { at: slice.steps + ctx.answers.length } : {}) });
    }
    if (slice.endedAt !== undefined && !slice.failure) return done(0, { at: slice.endedAt });
    // a step's failure, unless the task's own error says more (it may wrap it, as slctl prints it directly)
    const failure = slice.failure && (!thrown || thrown.error instanceof SliceEnded) ? slice.failure : thrown;
    if (failure) {
      const { message, exitCode } = describeFailure(failure.error);
      append(ctx, `${message}\n`);
      return done(exitCode);
    }
    if (slice.resumeAt !== undefined && position(ctx, slice) <= slice.resumeAt) {
      // the replay never reached where the last slice ended: the task took another course this time
      append(ctx, `ERROR: ${request.task} went another way than in its earlier invocations (the servers or meetings changed meanwhile); what it did stays done: run it again\n`);
      return done(1);
    }
    return done(0);
  };
}
