import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStdoutLog } from './stdout-log.js';

const CHILD = fileURLToPath(new URL('../test/helpers/stdout-log-child.ts', import.meta.url));

/** Runs the child with stdout on a pipe to this process; its output and exit code. */
function runChild(mode: string, count = 2000): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--no-warnings', CHILD, mode, String(count)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks).toString('utf8'), code }));
  });
}

/** Every line is whole JSON; `line` i = 0..count-1 in order, then `last`. */
function expectAllLines(stdout: string, count: number) {
  expect(stdout.endsWith('\n')).toBe(true);
  const lines = stdout.slice(0, -1).split('\n').map((l) => JSON.parse(l) as { msg: string; i?: number; level: string });
  expect(lines).toHaveLength(count + 1);
  expect(lines.slice(0, count).map((l) => l.i)).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(lines[count]).toMatchObject({ level: 'error', msg: 'last' });
}

describe('slctl serve’s stdout log', () => {
  it.each(['return', 'close', 'exit', 'throw', 'reject'])('loses no line and keeps their order when the process ends by %s', async (mode) => {
    const { stdout, code } = await runChild(mode);
    expect(code).toBe(mode === 'throw' || mode === 'reject' ? 1 : 0);
    expectAllLines(stdout, 2000);
  });

  it('writes a turn’s lines in one write, and stops watching the process’s exit when closed', async () => {
    const writes: string[] = [];
    const before = process.listenerCount('exit');
    const out = openStdoutLog('info', { write: (c: string) => writes.push(c) > 0, fd: 1 });
    expect(process.listenerCount('exit')).toBe(before + 1);
    out.log.info('a', { n: 1 });
    out.log.warn('b');
    out.log.info('c');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(writes[0].split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)).toEqual(['a', 'b', 'c']);
    out.log.info('d');
    out.close();
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1])).toMatchObject({ level: 'info', msg: 'd' });
    expect(process.listenerCount('exit')).toBe(before);
  });
});
