import { readFile } from 'node:fs/promises';
import {
  ADMIN_CONTRACT_VERSION,
  LAMBDA_PAYLOAD_LIMIT,
  MAX_ANSWERS,
  MAX_SLICE_ITEMS,
  MAX_SLICE_SECONDS,
  type AdminFile,
  type AdminRequestError,
  type AdminResponse,
  type AdminTaskRequest,
  type AdminTaskResult,
  type SliceProgress,
  type SliceRequest,
} from '../shared/admin/admin-contract.js';
import type { Env } from '../shared/config/env-names.js';
import { CliError } from './cli-error.js';
import { startActivity, startProgress, type ProgressStream } from './progress.js';
import { readAll } from './stdio.js';
import { NO_TARGET } from './target-resolution.js';

/**
 * `slctl --via lambda`: the task runs in the deployment's admin function (functions/admin), which answers
 * what the task printed and its exit code (shared/admin/admin-contract.ts); slctl writes both as they are,
 * so a task prints the same bytes on both targets. What the task reads on this machine travels with the
 * request: the file it names (`servers:sync -f FILE`, `servers:addAll FILE`), its standard input (`-`),
 * and the answers to its questions (one invocation per question: the task is sent again with the answers
 * so far; tasks ask before they change anything).
 */

export interface AdminFunctionTarget {
  functionName: string;
  /** a non-AWS endpoint (the local stack's): fixed dummy credentials when none are configured */
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

/** The raw invocation: Lambda's `Invoke` (RequestResponse), or a stand-in in tests. */
export type Invoke = (payload: Uint8Array) => Promise<{ FunctionError?: string; Payload?: Uint8Array }>;

export interface RemoteIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

/** The options slctl itself takes (cli/main.ts): not the task's arguments. */
const GLOBAL_ARGS = new Set(['_', '$0', 'endpoint', 'table', 'region', 'profile', 'via', 'function', 'endpoint-url', 'endpointUrl', 'context', 's3-endpoint', 's3Endpoint', 'bucket', 'help', 'h', 'version']);

/** The task's arguments for the request: yargs' argv without slctl's own options. */
export function taskArgs(argv: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(argv).filter(([k, v]) => !GLOBAL_ARGS.has(k) && v !== undefined));
}

/** The input file each task reads, by the path its arguments give (`-`: standard input). */
const TASK_INPUT: Record<string, (argv: Record<string, unknown>) => unknown> = {
  'servers:sync': (a) => a.file ?? a.PATH,
  'servers:addAll': (a) => a.PATH,
};

/** What the task will read on this machine, read now: its file or its standard input. */
export async function taskInput(task: string, argv: Record<string, unknown>, stdin: NodeJS.ReadableStream): Promise<Pick<AdminTaskRequest, 'stdin' | 'files'>> {
  const path = TASK_INPUT[task]?.(argv);
  if (typeof path !== 'string' || path.trim() === '') return {};
  if (path === '-') return { stdin: await readAll(stdin) };
  let file: AdminFile;
  try {
    file = await readFile(path, 'utf8');
  } catch (e) {
    // the task fails in the function with the message it would give here
    const { message, code } = e as NodeJS.ErrnoException;
    file = { error: message, ...(code ? { code } : {}) };
  }
  return { files: { [path]: file } };
}

/** Lines of standard input, one per question; null once it has ended. `close` lets the process exit. */
export function lineReader(input: NodeJS.ReadableStream): { next: () => Promise<string | null>; close: () => void } {
  let buffer = '';
  let ended = false;
  let waiting: (() => void) | undefined;
  let started = false;
  const start = () => {
    started = true;
    // already read to its end (`servers:sync -f -`): no line is left
    if ((input as { readableEnded?: boolean }).readableEnded) ended = true;
    (input as { setEncoding?: (e: BufferEncoding) => void }).setEncoding?.('utf8');
    input.on('data', (chunk: string | Buffer) => {
      buffer += chunk.toString();
      waiting?.();
    });
    const end = () => {
      ended = true;
      waiting?.();
    };
    input.once('end', end);
    input.once('error', end);
  };
  const next = async () => {
    if (!started) start();
    input.resume();
    for (;;) {
      const nl = buffer.indexOf('\n');
      if (nl !== -1 || (ended && buffer !== '')) {
        const line = nl === -1 ? buffer : buffer.slice(0, nl);
        buffer = nl === -1 ? '' : buffer.slice(nl + 1);
        input.pause();
        return line.replace(/\r$/, '');
      }
      if (ended) return null;
      await new Promise<void>((resolve) => (waiting = resolve));
      waiting = undefined;
    }
  };
  const close = () => {
    if (!started) return;
    input.pause();
    (input as { unref?: () => void }).unref?.();
  };
  return { next, close };
}

const isRequestError = (r: AdminResponse): r is AdminRequestError => 'error' in r;

function checkResponse(fn: string, raw: Uint8Array | undefined): AdminResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw ?? new Uint8Array()).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const r = parsed as Partial<AdminTaskResult & AdminRequestError> | undefined;
  const ok =
    r?.v === ADMIN_CONTRACT_VERSION &&
    ((typeof r.error === 'object' && r.error !== null && typeof r.error.message === 'string') ||
      (typeof r.stdout === 'string' && typeof r.stderr === 'string' && Number.isInteger(r.exitCode)));
  if (!ok) {
    throw new CliError(
      `ERROR: ${fn} did not answer as an admin function of contract version ${ADMIN_CONTRACT_VERSION} does: is it the admin function of a stack of this slctl's version?`,
      2,
    );
  }
  return r as AdminResponse;
}

/** Exit codes of the request errors: a version mismatch is configuration (2), a local task usage (64). */
const REQUEST_ERROR_EXIT: Record<AdminRequestError['error']['code'], number> = { unsupportedVersion: 2, unknownTask: 2, localOnlyTask: 64, badRequest: 1 };

/** An SDK failure as one line and a documented exit code (cli/cli-error.ts conventions). */
export function describeInvokeFailure(e: unknown, target: AdminFunctionTarget): CliError {
  const err = e as { name?: string; message?: string; code?: string; errors?: { code?: string }[]; $metadata?: { httpStatusCode?: number } };
  const fn = target.functionName;
  const where = target.endpointUrl ?? `AWS Lambda${target.region ? ` in ${target.region}` : ''}`;
  const message = err?.message ?? String(e);
  const codes = [err?.code, ...(err?.errors ?? []).map((x) => x?.code)];
  if (codes.some((c) => c === 'ECONNREFUSED' || c === 'ENOTFOUND' || c === 'EAI_AGAIN') || /ECONNREFUSED|getaddrinfo|without establishing a connection/.test(message)) {
    return new CliError(`ERROR: cannot reach the admin function at ${where} (${message || codes.find(Boolean)}); check --endpoint-url / SLCTL_ENDPOINT_URL`, 3);
  }
  if (codes.some((c) => c === 'ECONNRESET' || c === 'EPIPE' || c === 'ETIMEDOUT') || /socket hang up/.test(message)) {
    // sent, and no answer: the task may have run (slctl never sends it twice)
    return new CliError(`ERROR: the connection to the admin function at ${where} was lost before its answer (${message || codes.find(Boolean)}): the task may have run; look (slctl servers, status) before running it again`, 3);
  }
  if (message === 'Region is missing') return new CliError(NO_TARGET, 3);
  if (err?.name === 'CredentialsProviderError') return new CliError(`ERROR: no AWS credentials (${message}); set AWS_PROFILE or use --profile`, 3);
  if (err?.name === 'ResourceNotFoundException') return new CliError(`ERROR: there is no admin function ${fn} at ${where} (${message}); check --function / SLCTL_FUNCTION`, 3);
  if (
    err?.name === 'AccessDeniedException' ||
    err?.name === 'UnrecognizedClientException' ||
    err?.name === 'InvalidSignatureException' ||
    err?.name === 'ExpiredTokenException' ||
    err?.$metadata?.httpStatusCode === 403
  ) {
    return new CliError(`ERROR: not allowed to invoke ${fn} (${message}); the caller needs lambda:InvokeFunction on it (the stack's slctl-operator policy)`, 3);
  }
  if (err?.name === 'RequestEntityTooLargeException') return new CliError(`ERROR: the request is over Lambda's 6 MB limit (${message}); run the task with --via direct`, 1);
  return new CliError(`ERROR: invoking ${fn} failed (${err?.name ?? 'Error'}: ${message})`, 1);
}

/** Lambda's Invoke through @aws-sdk/client-lambda, loaded only on this path. */
export async function lambdaInvoke(target: AdminFunctionTarget, env: Env): Promise<{ invoke: Invoke; close(): void }> {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  // the local endpoint checks no signature: without configured credentials, fixed dummy ones
  const configured = Boolean(target.profile || env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID);
  const client = new LambdaClient({
    ...(target.region ? { region: target.region } : {}),
    ...(target.endpointUrl ? { endpoint: target.endpointUrl } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
    ...(target.endpointUrl && !configured ? { credentials: { accessKeyId: 'slctl-local', secretAccessKey: 'slctl-local' } } : {}),
    // never sent twice: a task is not idempotent (a retry after a lost answer would end meetings again)
    maxAttempts: 1,
    // no response deadline: a task may run for the function's 15 minutes
    requestHandler: { connectionTimeout: 10_000 },
  });
  try {
    await client.config.region();
  } catch {
    client.destroy();
    throw new CliError(NO_TARGET, 3);
  }
  return {
    invoke: (payload) => client.send(new InvokeCommand({ FunctionName: target.functionName, InvocationType: 'RequestResponse', Payload: payload })),
    close: () => client.destroy(),
  };
}

/**
 * Writes what the task printed, in the order it printed it (`interleave`), leaving out what `shown` says
 * was written already: a task sent again with an answer prints again what it printed before its question.
 */
export function writeOutput(r: AdminTaskResult, shown: { stdout: number; stderr: number }, io: Pick<RemoteIo, 'stdout' | 'stderr'>): void {
  const sums = (r.interleave ?? []).reduce(([o, e], n) => (n > 0 ? [o + n, e] : [o, e - n]), [0, 0]);
  const sound = Array.isArray(r.interleave) && r.interleave.every(Number.isInteger) && sums[0] === r.stdout.length && sums[1] === r.stderr.length;
  const pieces = sound ? (r.interleave as number[]) : [r.stdout.length, -r.stderr.length];
  const at = { stdout: 0, stderr: 0 };
  for (const n of pieces) {
    const stream = n > 0 ? 'stdout' : 'stderr';
    const end = at[stream] + Math.abs(n);
    const from = Math.max(at[stream], shown[stream]);
    if (end > from) io[stream].write(r[stream].slice(from, end));
    at[stream] = end;
  }
  shown.stdout = Math.max(shown.stdout, r.stdout.length);
  shown.stderr = Math.max(shown.stderr, r.stderr.length);
}

export interface RemoteOptions {
  env?: Env;
  io?: RemoteIo;
  /** default: lambdaInvoke */
  invoke?: Invoke;
}

/**
 * The size of a long task's slices (docs/OPERATIONS.md "Long tasks"): SLCTL_SLICE_ITEMS units of work
 * (servers synced, meetings ended) per invocation, SLCTL_SLICE_SECONDS before an invocation starts no
 * more; unset: the function's defaults (DEFAULT_SLICE_ITEMS, DEFAULT_SLICE_SECONDS).
 */
export function sliceKnobs(env: Env): Pick<SliceRequest, 'items' | 'seconds'> {
  const knob = (name: string, max: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`ERROR: ${name} must be a whole number from 1 to ${max} (it is ${JSON.stringify(text)})`, 2);
    return n;
  };
  const items = knob('SLCTL_SLICE_ITEMS', MAX_SLICE_ITEMS);
  const seconds = knob('SLCTL_SLICE_SECONDS', MAX_SLICE_SECONDS);
  return { ...(items !== undefined ? { items } : {}), ...(seconds !== undefined ? { seconds } : {}) };
}

/** `Ending meetings 200/500` */
const progressText = (p: SliceProgress) => `${p.label} ${p.done}/${p.total}`;

/**
 * Runs `task` in the admin function and writes what it printed; resolves to the task's exit code. A
 * failure to run it at all (unreachable, denied, unknown function, another contract version) is a
 * CliError: one line, a documented exit code.
 *
 * A long task runs as a sequence of invocations (shared/admin/admin-contract.ts `slice`): each does a
 * bounded slice and answers its output and a continuation, which slctl sends back for the next slice,
 * showing the task's progress (`Ending meetings 200/500`) on a terminal meanwhile. The output of each
 * answer follows the previous one's, so the bytes written are those of one run. Nothing is sent twice: a
 * slice that fails stops the task with a message that says how far it got (what was done stays done;
 * running the task again finishes it).
 */
export async function runRemoteTask(target: AdminFunctionTarget, task: string, argv: Record<string, unknown>, opts: RemoteOptions = {}): Promise<number> {
  const io = opts.io ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const env = opts.env ?? process.env;
  const knobs = sliceKnobs(env);
  const input = await taskInput(task, argv, io.stdin);
  const request: AdminTaskRequest = { v: ADMIN_CONTRACT_VERSION, task, args: taskArgs(argv), ...input };
  let invoke = opts.invoke;
  let client: { invoke: Invoke; close(): void } | undefined;
  const lines = lineReader(io.stdin);
  const answers: (string | null)[] = [];
  /** what was written of the answers since the last continuation (an old function repeats it: version 1) */
  let shown = { stdout: 0, stderr: 0 };
  let continuation: string | undefined;
  let progress: SliceProgress | undefined;
  /** invocations answered so far; `worked`: one of them ended a slice of work (not only at a question) */
  let answered = 0;
  let worked = false;
  /** a failure after some slices did their work: say how far the task got, and how to finish it */
  const stopped = (e: CliError): CliError =>
    !worked
      ? e
      : new CliError(
          `${e.message}\nERROR: ${task} stopped after ${answered} invocation${answered === 1 ? '' : 's'} of ${target.functionName}${progress ? ` (${progressText(progress)})` : ''}: what they did stays done; run the task again to finish it`,
          e.exitCode,
        );
  try {
    for (;;) {
      const payload = Buffer.from(JSON.stringify({ ...request, ...(answers.length > 0 ? { answers } : {}), slice: { ...knobs, ...(continuation !== undefined ? { continuation } : {}) } }));
      if (payload.length > LAMBDA_PAYLOAD_LIMIT - 64 * 1024) {
        const what = continuation === undefined ? `${task}'s input` : `the continuation of ${task}`;
        throw stopped(new CliError(`ERROR: ${what} (${payload.length} bytes) is over what one invocation of the admin function may carry (6 MB); run it with --via direct`, 1));
      }
      if (!invoke) {
        client = await lambdaInvoke(target, env);
        invoke = client.invoke;
      }
      const indicator = progress ? startProgress(progress.label, progress.total, io.stderr, progress.done) : startActivity(`${task}: waiting for ${target.functionName}`, io.stderr);
      let raw: Awaited<ReturnType<Invoke>>;
      try {
        raw = await invoke(payload);
      } catch (e) {
        throw stopped(describeInvokeFailure(e, target));
      } finally {
        indicator.done();
      }
      if (raw.FunctionError) {
        const { errorType, errorMessage } = (() => {
          try {
            return JSON.parse(Buffer.from(raw.Payload ?? new Uint8Array()).toString('utf8')) as { errorType?: string; errorMessage?: string };
          } catch {
            return {};
          }
        })();
        throw stopped(new CliError(`ERROR: the admin function ${target.functionName} failed (${errorType ?? raw.FunctionError}: ${errorMessage ?? 'no message'}); its log has the details`, 1));
      }
      const response = checkResponse(target.functionName, raw.Payload);
      if (isRequestError(response)) throw stopped(new CliError(`ERROR: ${target.functionName} refused ${task}: ${response.error.message}`, REQUEST_ERROR_EXIT[response.error.code] ?? 1));
      writeOutput(response, shown, io);
      answered++;
      if (typeof response.continuation === 'string') {
        // the next answer's output begins where this one's ended
        continuation = response.continuation;
        progress = response.progress ?? progress;
        shown = { stdout: 0, stderr: 0 };
        worked ||= !response.needsInput;
      }
      if (response.needsInput) {
        if (answers.length >= MAX_ANSWERS) throw new CliError(`ERROR: ${task} asked more than ${MAX_ANSWERS} questions`, 1);
        answers.push(await lines.next());
        continue;
      }
      if (typeof response.continuation !== 'string') return response.exitCode;
    }
  } finally {
    lines.close();
    client?.close();
  }
}
