/**
 * Scalelite's rake call form and operands that start with a dash.
 *
 * `servers:add[URL,SECRET,2,tag]` becomes `servers:add URL SECRET 2 tag`, with rake's own argument rules:
 * arguments are split on commas, blanks around them are dropped, `\,` is a literal comma, and empty
 * positions (also trailing ones) are passed as empty strings.
 *
 * yargs would read an argument such as the secret `-s3cr3t` as a flag. So every rake argument, and every
 * operand after a `--` in the plain form, that starts with a dash (and every lone `-`, which yargs would
 * turn into an empty string) is handed to yargs with a private
 * marker in front (it then binds to the task's positionals like any word); `unprotectArgv`, a yargs
 * middleware that runs before validation, takes the marker off again.
 */

/** A private-use character: never part of a real argument. */
const MARK = '\uE000';

const protect = (arg: string): string => (arg.startsWith('-') ? `${MARK}${arg}` : arg);

const unprotect = (value: unknown): unknown => {
  if (typeof value === 'string') return value.startsWith(MARK) ? value.slice(MARK.length) : value;
  if (Array.isArray(value)) return value.map(unprotect);
  return value;
};

/** The arguments inside rake's brackets, split as rake's `parse_task_string` does. */
export function parseRakeArgs(text: string): string[] {
  if (text === '') return [];
  const args: string[] = [];
  let remaining: string | undefined = text;
  while (remaining !== undefined) {
    const match = /^\s*((?:[^\\,]|\\.)*?)\s*(?:,\s*([\s\S]*))?$/s.exec(remaining);
    if (!match) break; // cannot happen: the pattern matches any text
    args.push(match[1].replace(/\\([\s\S])/g, '$1'));
    remaining = match[2];
  }
  return args;
}

/** The global options that take a value (`slctl --table t 'servers:tag[a,b]'`). */
const VALUE_OPTIONS = new Set(['--endpoint', '--table', '--region', '--profile', '--via', '--function', '--endpoint-url', '--context']);

/** Where the task name is: the first word that is neither an option nor a global option's value. */
function taskIndex(words: readonly string[]): number | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') return undefined;
    if (!word.startsWith('-')) return i;
    if (VALUE_OPTIONS.has(word)) i++;
  }
  return undefined;
}

/**
 * The argv yargs should parse: the rake form expanded, and operands after `--` turned into positionals
 * that cannot be mistaken for flags (`slctl servers:add URL -- -s3cr3t`).
 */
export function expandRakeForm(argv: readonly string[]): string[] {
  let words = [...argv];
  const at = taskIndex(words);
  const match = at === undefined ? null : /^([A-Za-z][\w:]*)\[([\s\S]*)\]$/.exec(words[at]);
  if (match && at !== undefined) words = [...words.slice(0, at), match[1], ...parseRakeArgs(match[2]).map(protect), ...words.slice(at + 1)];
  const dashes = words.indexOf('--');
  if (dashes > 0) words = [...words.slice(0, dashes), ...words.slice(dashes + 1).map(protect)];
  // a lone `-` (stdin) would reach a positional as an empty string
  return words.map((word) => (word === '-' ? protect(word) : word));
}

/** yargs middleware: removes the marker from every parsed value (positionals, options, `_`). */
export function unprotectArgv(argv: Record<string, unknown>): void {
  for (const key of Object.keys(argv)) argv[key] = unprotect(argv[key]);
}
