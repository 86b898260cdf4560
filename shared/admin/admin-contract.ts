/**
 * The admin function's contract (issue 12): `slctl` sends one task to run, the admin Lambda (or the local
 * stack's invoke endpoint) runs it with the deployment's own dependencies and answers with exactly what the
 * task printed and its exit code, so every task prints the same bytes on both targets. Versioned: a
 * request of another version is refused with `unsupportedVersion`, never guessed at. Additions that
 * either side may ignore stay version 1 (`slice` / `continuation`: long tasks in slices, below): a v2
 * would make old functions refuse new clients and new functions old clients, where an optional field
 * lets every pair work (docs/OPERATIONS.md "Long tasks through the admin function").
 */
export const ADMIN_CONTRACT_VERSION = 1;

/** The name of the local stack's admin function (`slctl serve` answers Lambda Invoke for it). */
export const LOCAL_ADMIN_FUNCTION = 'scalelite-admin';

export interface AdminTaskRequest {
  v: typeof ADMIN_CONTRACT_VERSION;
  /** the task, as `slctl` names it: `servers`, `servers:add`, `meetings:end`, … */
  task: string;
  /** the task's parsed arguments (yargs' argv without `_`, `$0` and the target flags) */
  args: Record<string, unknown>;
  /** what the task reads from standard input (`servers:sync -f -`), read by `slctl` before sending */
  stdin?: string;
  /**
   * files the task reads, by the path given on the command line (`servers:sync -f FILE`): the text, or why
   * `slctl` could not read it (the task then fails with the same message as on the operator's machine)
   */
  files?: Record<string, AdminFile>;
  /**
   * answers to the task's questions so far, in order (`yes` to `servers:disable` of a loaded server);
   * null: `slctl`'s standard input had ended
   */
  answers?: (string | null)[];
  /**
   * Long tasks in slices (an addition to version 1, not a version 2): present when `slctl` can continue a
   * task over several invocations. The function then does at most `items` units of work (a server synced, a
   * meeting ended) and stops starting new ones after `seconds`, and answers `continuation` when the task is
   * not finished. Old functions drop the field (parseAdminRequest keeps known fields only) and run the task
   * whole, as before; old clients never send it and get the whole task in one invocation, as before — so
   * both sides of every version pair keep working, which a v2 (refused by v1 functions) would not give.
   */
  slice?: SliceRequest;
}

export interface SliceRequest {
  /** units of work in one invocation (default DEFAULT_SLICE_ITEMS, at most MAX_SLICE_ITEMS) */
  items?: number;
  /** no unit of work is started after this many seconds of the invocation (default DEFAULT_SLICE_SECONDS) */
  seconds?: number;
  /** from the previous answer: where the task goes on (opaque to `slctl`) */
  continuation?: string;
}

/** Units of work one invocation does by default: one round of POLLER_CONCURRENCY's BBB calls. */
export const DEFAULT_SLICE_ITEMS = 200;
export const MAX_SLICE_ITEMS = 5000;
/**
 * No unit of work starts after this many seconds of an invocation. A unit started before it ends within
 * its own timeouts (a BBB call at most CONNECT_TIMEOUT + RESPONSE_TIMEOUT ≤ 20 s): an invocation stays
 * far inside the admin function's 900 s timeout.
 */
export const DEFAULT_SLICE_SECONDS = 60;
export const MAX_SLICE_SECONDS = 600;

/** A task's progress when its slice ended: `slctl` shows `<label> <done>/<total>` on a terminal meanwhile. */
export interface SliceProgress {
  label: string;
  done: number;
  total: number;
}

/** A file sent with a request: its text, or the error reading it gave on the operator's machine. */
export type AdminFile = string | { error: string; code?: string };

export interface AdminTaskResult {
  v: typeof ADMIN_CONTRACT_VERSION;
  /** what the task wrote to standard output and standard error, in full */
  stdout: string;
  stderr: string;
  /**
   * The order the task wrote in, for a terminal that shows both streams: the lengths (in UTF-16 code
   * units) of the pieces of stdout (positive) and stderr (negative) as written. Absent: stdout, then stderr.
   */
  interleave?: number[];
  exitCode: number;
  /**
   * The task asked a question that `answers` does not answer yet: `slctl` shows the output so far, reads a
   * line from its own standard input and sends the task again with that answer appended. Everything the
   * task did before asking is a read (tasks ask before they change anything).
   */
  needsInput?: boolean;
  /**
   * Only for a request with `slice`: the task is not finished (its slice ended, or it asks a question —
   * then `needsInput` too). `slctl` sends the same request again with this continuation (and the answer).
   * stdout/stderr then hold only what the task printed in this invocation: each answer's output follows
   * the previous one's, never repeats it; `exitCode` means nothing until the answer without continuation.
   */
  continuation?: string;
  /** with `continuation`: how far the task got */
  progress?: SliceProgress;
}

export type AdminErrorCode = 'badRequest' | 'unsupportedVersion' | 'unknownTask' | 'localOnlyTask';

/** The request could not be run at all (a task's own failure is an AdminTaskResult with its exit code). */
export interface AdminRequestError {
  v: typeof ADMIN_CONTRACT_VERSION;
  error: { code: AdminErrorCode; message: string };
}

export type AdminResponse = AdminTaskResult | AdminRequestError;

export const isAdminRequestError = (r: AdminResponse): r is AdminRequestError => 'error' in r;

/**
 * Lambda's limit for a synchronous invocation's request and its response (6 MB each). `slctl` refuses to
 * send a larger request; the admin function cuts output that would not fit (admin-handler.ts).
 */
export const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;

const MAX_TEXT = 5 * 1024 * 1024;
/** questions one task may ask (each answer is a new invocation) */
export const MAX_ANSWERS = 20;

const isFile = (v: unknown): v is AdminFile =>
  (typeof v === 'string' && v.length <= MAX_TEXT) ||
  (!!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { error?: unknown }).error === 'string' && ['string', 'undefined'].includes(typeof (v as { code?: unknown }).code));

/** Checks an incoming payload; a sentence saying what is wrong, or the request. */
export function parseAdminRequest(payload: unknown): AdminTaskRequest | AdminRequestError {
  const fail = (code: AdminErrorCode, message: string): AdminRequestError => ({ v: ADMIN_CONTRACT_VERSION, error: { code, message } });
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return fail('badRequest', 'the request is not a JSON object');
  const p = payload as Record<string, unknown>;
  if (p.v !== ADMIN_CONTRACT_VERSION) return fail('unsupportedVersion', `contract version ${JSON.stringify(p.v)} is not supported (this function speaks version ${ADMIN_CONTRACT_VERSION}): update slctl or the stack so that both match`);
  if (typeof p.task !== 'string' || !/^[A-Za-z][A-Za-z0-9_:-]{0,63}$/.test(p.task)) return fail('badRequest', '`task` must name a task');
  if (!p.args || typeof p.args !== 'object' || Array.isArray(p.args)) return fail('badRequest', '`args` must be an object');
  if (p.stdin !== undefined && (typeof p.stdin !== 'string' || p.stdin.length > MAX_TEXT)) return fail('badRequest', '`stdin` must be a string of at most 5 MiB');
  if (p.files !== undefined) {
    if (!p.files || typeof p.files !== 'object' || Array.isArray(p.files)) return fail('badRequest', '`files` must map paths to their text');
    for (const v of Object.values(p.files)) if (!isFile(v)) return fail('badRequest', '`files` must map paths to their text (at most 5 MiB each) or to {error}');
  }
  if (p.answers !== undefined && (!Array.isArray(p.answers) || p.answers.length > MAX_ANSWERS || p.answers.some((a) => a !== null && (typeof a !== 'string' || a.length > 1000)))) {
    return fail('badRequest', `\`answers\` must be a list of at most ${MAX_ANSWERS} lines (null: end of input)`);
  }
  const slice = p.slice as Record<string, unknown> | undefined;
  if (slice !== undefined) {
    const count = (v: unknown, max: number) => v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max);
    if (!slice || typeof slice !== 'object' || Array.isArray(slice)) return fail('badRequest', '`slice` must be an object');
    if (!count(slice.items, MAX_SLICE_ITEMS)) return fail('badRequest', `\`slice.items\` must be a whole number from 1 to ${MAX_SLICE_ITEMS}`);
    if (!count(slice.seconds, MAX_SLICE_SECONDS)) return fail('badRequest', `\`slice.seconds\` must be a whole number from 1 to ${MAX_SLICE_SECONDS}`);
    if (slice.continuation !== undefined && (typeof slice.continuation !== 'string' || slice.continuation.length > MAX_TEXT)) return fail('badRequest', '`slice.continuation` must be the text of a previous answer');
  }
  return {
    v: ADMIN_CONTRACT_VERSION,
    task: p.task,
    args: p.args as Record<string, unknown>,
    stdin: p.stdin as string | undefined,
    files: p.files as Record<string, AdminFile> | undefined,
    answers: p.answers as (string | null)[] | undefined,
    ...(slice ? { slice: { items: slice.items as number | undefined, seconds: slice.seconds as number | undefined, continuation: slice.continuation as string | undefined } } : {}),
  };
}
