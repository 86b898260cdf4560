/**
 * The yaml package, loaded on first use (a task that reads or writes YAML). It is CommonJS: imported
 * dynamically, its exports sit under `default` in the esbuild bundle (cli/build-cli.mjs) and beside it in
 * Node (the sources through tsx) — this returns them either way.
 */
export async function loadYaml(): Promise<typeof import('yaml')> {
  const m = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
  return typeof m.parseDocument === 'function' ? m : m.default!;
}
