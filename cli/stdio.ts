import { aroundProgress } from './progress.js';

/** Task output: stdout for Scalelite's `puts`, stderr for its `warn` (a progress indicator steps aside). */
export const say = (line: string): void => {
  aroundProgress(() => process.stdout.write(`${line}\n`));
};
export const warn = (line: string): void => {
  aroundProgress(() => process.stderr.write(`${line}\n`));
};

/** The whole of `input` as text (`servers:sync -` reads its YAML from stdin). */
export async function readAll(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads one line from `input` (without its line ending, like Ruby's `gets.chomp`);
 * undefined when the stream ends before any character (stdin closed, /dev/null).
 * Stops reading afterwards so the process can exit.
 */
export function readLine(input: NodeJS.ReadStream | NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
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
