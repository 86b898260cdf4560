import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { namesNoTask, taskSummaries } from './task-list.js';
import { taskNames } from './task-names.js';

const run = promisify(execFile);
const BUILT = 'dist/cli/main.mjs'; // built by test/global-setup.ts

describe('namesNoTask: arguments that only ask for the task list', () => {
  it.each([[[]], [['--help']], [['-h']], [['--context', 'prod', '--help']], [['--via=lambda', '-h']], [['--endpoint-url', 'http://x', '--function', 'f', '--help']]])('%j', (args) => {
    expect(namesNoTask(args)).toBe(true);
  });
  it.each([[['servers']], [['--help', 'servers']], [['servers', '--help']], [['completion']], [['--get-yargs-completions']], [['--endpointUrl', 'x']], [['-hv']], [['--context']]])('%j names a task or something else', (args) => {
    // `--context` alone: its value would be missing — yargs decides, with the modules loaded
    if (args[0] === '--context') expect(namesNoTask(args)).toBe(true);
    else expect(namesNoTask(args)).toBe(false);
  });
});

describe('the task list the build writes into slctl', () => {
  it('summarizes every registered task: command line, description, aliases', () => {
    const list = taskSummaries(commands);
    expect(list.map((t) => t.command)).toEqual(commands.map((c) => c.command));
    expect(list.flatMap((t) => [t.command, ...(t.aliases ?? [])].flat().map((n) => String(n).split(' ')[0]))).toEqual(commands.flatMap((c) => taskNames(c)));
    for (const t of list) expect(typeof t.describe === 'string' || t.describe === false).toBe(true);
  });

  it('is in the build, and `slctl --help` there loads no command module', () => {
    const code = readFileSync(BUILT, 'utf8');
    expect(code).toContain(JSON.stringify(taskSummaries(commands)[1]).replaceAll('`', '\\`')); // inside a string literal
    // main.mjs and what it imports statically (the build is not minified: esbuild marks each source with `// <path>`)
    const loaded = new Set<string>();
    const todo = [BUILT];
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      if (loaded.has(f)) continue;
      loaded.add(f);
      for (const [, spec] of readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s[^"'()]*?from\s*"(\.\.?\/[^"]+)"/gm)) todo.push(join(dirname(f), spec));
    }
    expect(loaded.size).toBeGreaterThan(1);
    for (const f of loaded) expect(existsSync(f)).toBe(true);
    const sources = [...loaded].flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\/\/ (cli\/\S+\.ts)$/gm)].map((m) => m[1]));
    expect(sources).toContain('cli/main.ts');
    expect(sources.filter((s) => s.startsWith('cli/commands/'))).toEqual([]);
  });

  it('`slctl --help` and `slctl` print the same bytes from the build (task list) as from the sources (command modules)', async () => {
    const env = { ...process.env, COLUMNS: '' };
    for (const args of [['--help'], []]) {
      const built = await run(process.execPath, [BUILT, ...args], { env }).catch((e) => e);
      const sources = await run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env }).catch((e) => e);
      expect(built.stdout, args.join(' ')).toBe(sources.stdout);
      expect(built.stderr, args.join(' ')).toBe(sources.stderr);
      expect(built.code, args.join(' ')).toBe(sources.code);
    }
    const help = (await run(process.execPath, [BUILT, '--help'], { env })).stdout;
    for (const c of commands) if (c.describe) expect(help).toContain(`slctl ${String(c.command).split(' ')[0]}`);
  }, 60_000);
});
