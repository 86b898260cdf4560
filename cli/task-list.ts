import type { CommandModule } from 'yargs';

/** What `slctl --help` shows of a task: its command line, description, aliases — none of its code. */
export interface TaskSummary {
  command: string | readonly string[];
  /** false: a hidden task */
  describe: string | false;
  aliases?: readonly string[];
  deprecated?: boolean | string;
}

declare global {
  /** The build's task list as JSON (cli/build-cli.mjs defines it); absent when slctl runs from its sources. */
  // eslint-disable-next-line no-var
  var SLCTL_TASK_LIST: string | undefined;
}

/**
 * The tasks in the order `slctl --help` lists them, known without importing a single command module: the
 * build (cli/build-cli.mjs) reads them from the registration lists (cli/commands/index.ts) and writes them
 * into the built slctl. Undefined when slctl runs from its sources: it then loads the command modules.
 */
export const TASK_LIST: readonly TaskSummary[] | undefined = globalThis.SLCTL_TASK_LIST === undefined ? undefined : JSON.parse(globalThis.SLCTL_TASK_LIST);

/** The summaries of registered command modules (what the build writes into TASK_LIST). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function taskSummaries(commands: readonly CommandModule<any, any>[]): TaskSummary[] {
  return commands.map((c) => {
    if (c.command === undefined) throw new Error(`a task without a command line: ${JSON.stringify(c.describe)}`);
    const describe = c.describe === undefined ? false : c.describe;
    if (typeof describe !== 'string' && describe !== false) throw new Error(`${String(c.command)}: describe must be a string or false`);
    const aliases = c.aliases === undefined ? undefined : [c.aliases].flat();
    return { command: c.command, describe, ...(aliases ? { aliases } : {}), ...(c.deprecated !== undefined ? { deprecated: c.deprecated } : {}) };
  });
}

/** The global options that take a value (cli/main.ts): `--name value` or `--name=value`. */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(['endpoint', 'table', 'region', 'profile', 'via', 'function', 'endpoint-url', 'context']);

/**
 * Whether these arguments name no task — only `--help`/`-h` and global options, or nothing: yargs then
 * prints the task list (or asks for a task) and runs none, and TASK_LIST is all it needs. Anything else
 * (a task, `completion`, a flag not listed here) loads the command modules.
 */
export function namesNoTask(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') continue;
    const option = /^--([a-z-]+)(=.*)?$/s.exec(arg);
    if (!option || !VALUE_OPTIONS.has(option[1])) return false;
    if (option[2] === undefined) i++; // its value is the next argument
  }
  return true;
}
