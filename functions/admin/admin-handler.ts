import type { CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import type { Logger } from '../../shared/app/logger.js';
import { ADMIN_CONTRACT_VERSION, LAMBDA_PAYLOAD_LIMIT, parseAdminRequest, type AdminResponse, type AdminTaskResult } from '../../shared/admin/admin-contract.js';
import { describeFailure } from '../../cli/cli-error.js';
import { NeedsInput, runInTask, type TaskContext } from '../../cli/task-context.js';
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
  else log.info('admin task', { task, exitCode: result.exitCode, ...(result.needsInput ? { needsInput: true } : {}), ms });
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
const CUT_NOTE = (bytes: number) =>
  `ERROR: the task's output (${bytes} bytes) is over the admin function's 6 MB response limit and was cut short; run it with the direct target (--via direct)\n`;

/**
 * The answer as sent: when the task's output would not fit Lambda's response limit (the invocation would
 * fail and the output be lost, after the task did its work), the end of stdout is cut, stderr says so and
 * the exit code is 1 (a script must not take the cut output for the whole).
 */
export function fitResponse(result: AdminTaskResult, limit = LAMBDA_PAYLOAD_LIMIT): AdminTaskResult {
  if (Buffer.byteLength(JSON.stringify(result)) <= limit) return result;
  const note = CUT_NOTE(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr));
  const cut = { ...result, stderr: result.stderr.slice(0, 64 * 1024) + note, interleave: undefined, exitCode: result.exitCode || 1 };
  // JSON escapes can make text up to six times longer: shorten until it fits
  for (let chars = Math.floor(limit / 2); chars >= 1024; chars = Math.floor(chars / 2)) {
    const fitted = { ...cut, stdout: result.stdout.slice(0, chars) };
    if (Buffer.byteLength(JSON.stringify(fitted)) <= limit) return fitted;
  }
  return { ...cut, stdout: '' };
}

/**
 * The admin function (issue 12): runs one slctl task, sent by `slctl --via lambda` (or to the local stack's
 * invoke endpoint), with this runtime's deps, and answers what it printed and its exit code
 * (shared/admin/admin-contract.ts). The task is slctl's own code, run in a TaskContext (cli/task-context.ts):
 * its output is collected, its questions answered from the request, and its failure described as slctl
 * describes it, so both targets print the same bytes. IAM (`lambda:InvokeFunction`) is the authentication.
 */
export function createAdminHandler(getDeps: () => Deps | Promise<Deps>, commands: readonly CommandModule[]) {
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
    const ctx: TaskContext = { deps: await getDeps(), stdout: [], stderr: [], order: [], stdin: request.stdin, files: request.files ?? {}, answers: request.answers ?? [], asked: 0 };
    const done = (exitCode: number, needsInput: boolean): AdminResponse =>
      fitResponse({
        v: ADMIN_CONTRACT_VERSION,
        stdout: ctx.stdout.join(''),
        stderr: ctx.stderr.join(''),
        interleave: interleave(ctx),
        exitCode,
        ...(needsInput ? { needsInput } : {}),
      });
    // a question the request does not answer yet, even if the task caught the NeedsInput it threw
    const unanswered = () => ctx.asked > ctx.answers.length;
    try {
      await runInTask(ctx, async () => {
        await command.handler!({ ...request.args, _: [request.task], $0: 'slctl' } as never);
      });
      return done(0, unanswered());
    } catch (e) {
      if (e instanceof NeedsInput || unanswered()) return done(0, true);
      const { message, exitCode } = describeFailure(e);
      ctx.order.push(2);
      ctx.stderr.push(`${message}\n`);
      return done(exitCode, false);
    }
  };
}
