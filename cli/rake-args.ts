/**
 * Accepts Scalelite's rake call form: `servers:add[URL,SECRET,2,tag]` becomes
 * `servers:add URL SECRET 2 tag`. Empty positions stay as empty strings (rake passes them as nil/'').
 */
export function expandRakeForm(argv: readonly string[]): string[] {
  if (argv.length === 0) return [...argv];
  const match = /^([A-Za-z][\w:]*)\[(.*)\]$/s.exec(argv[0]);
  if (!match) return [...argv];
  const args = match[2] === '' ? [] : match[2].split(',');
  // rake drops trailing empty arguments
  while (args.length > 0 && args[args.length - 1] === '') args.pop();
  return [match[1], ...args, ...argv.slice(1)];
}
