import { readFile } from 'node:fs/promises';
import { aroundProgress } from './progress.js';
import { currentTask, NeedsInput } from './task-context.js';

/**
 * Task output: stdout for Scalelite's `puts`, stderr for its `warn` (a progress indicator steps aside).
 * Inside the admin function (cli/task-context.ts) the lines are collected for the answer instead.
 */
export const say = (line: string): void => {
  const task = currentTask();
  if (!task) return aroundProgress(() => process.stdout.write(`${line}\n`));
  task.order.push(1);
  task.stdout.push(`${line}\n`);
};
export const warn = (line: string): void => {
  const task = currentTask();
  if (!task) return aroundProgress(() => process.stderr.write(`${line}\n`));
  task.order.push(2);
  task.stderr.push(`${line}\n`);
};

/** Text exactly as given (no newline added), on stdout: a document such as `servers:yaml`. */
export const print = (text: string): void => {
  const task = currentTask();
  if (!task) return aroundProgress(() => process.stdout.write(text));
  task.order.push(1);
  task.stdout.push(text);
};

/** A file a task reads by the path given on its command line; inside the admin function, the copy sent with the request. */
export async function readTaskFile(path: string): Promise<string> {
  const task = currentTask();
  if (!task) return readFile(path, 'utf8');
  if (!Object.hasOwn(task.files, path)) throw Object.assign(new Error(`ENOENT: no such file, open '${path}' (slctl did not send it)`), { code: 'ENOENT' });
  const file = task.files[path];
  // the error reading it gave on the operator's machine, so that the task fails there and here alike
  if (typeof file !== 'string') throw Object.assign(new Error(file.error), { code: file.code });
  return file;
}

/** The whole of `input` as text (`servers:sync -` reads its YAML from stdin); inside the admin function, the stdin sent with the request. */
export async function readAll(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const task = currentTask();
  if (task) return task.stdin ?? '';
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads one line from `input` (without its line ending, like Ruby's `gets.chomp`);
 * undefined when the stream ends before any character (stdin closed, /dev/null).
 * Stops reading afterwards so the process can exit. Inside the admin function: the next answer of the request.
 */
export function readLine(input: NodeJS.ReadStream | NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
  const task = currentTask();
  if (task) {
    // inside the admin function: the next answer slctl sent, or ask slctl for it
    if (task.asked++ >= task.answers.length) return Promise.reject(new NeedsInput());
    return Promise.resolve(task.answers[task.asked - 1] ?? undefined);
  }
  return new Promise((resolve) => {
    let buffer = '';
    const finish = (line: string | undefined) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onEnd);
      input.pause();
      (input as { unref?: () => void }).unref?.();
      resolve(line?.replace(/\r?\n$|\r$/, ''));
    };
    const onData = (chunk: string | Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl !== -1) finish(buffer.slice(0, nl + 1));
    };
    const onEnd = () => finish(buffer === '' ? undefined : buffer);
    (input as { setEncoding?: (e: BufferEncoding) => void }).setEncoding?.('utf8');
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onEnd);
    input.resume();
  });
}
