import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../cli/bin/slctl.js', import.meta.url));

/**
 * Nothing of the machine's own slctl set-up reaches a test: no contexts file (`~/.config/slctl`), no local
 * stack that `npm start` announced in the repository's `.data` (paths that do not exist, unless a test
 * gives SLCTL_CONFIG / DATA_DIR itself).
 */
const ISOLATION = { SLCTL_CONFIG: join(tmpdir(), `slctl-test-${process.pid}-absent`, 'config.yml'), DATA_DIR: join(tmpdir(), `slctl-test-${process.pid}-absent`) };

export interface SlctlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SlctlOptions {
  /** written to stdin, which is then closed (closed at once when undefined) */
  input?: string;
  /** extra environment (DYNAMODB_ENDPOINT etc.); the parent's environment is not inherited besides PATH/HOME */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the real CLI binary as a child process and collects its exit code and output. */
export function runSlctl(args: string[], opts: SlctlOptions = {}): Promise<SlctlResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...ISOLATION, ...(opts.env ?? {}) };
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slctl ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 15_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the task may exit without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}
