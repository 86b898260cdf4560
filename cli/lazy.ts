type AsyncFn = (...args: never[]) => Promise<unknown>;

/**
 * `name` of the module `load` imports, as a function that imports the module on its first call. For the
 * import lines of command modules: a task's heavy code (and the packages it pulls in, e.g. tar-stream) is
 * then loaded only when that task runs, not by `slctl --help` or by every other task. The built CLI
 * (cli/build-cli.mjs) puts each such module in its own chunk. Only for functions returning a promise.
 */
export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] extends AsyncFn ? M[K] : never {
  let loaded: Promise<M> | undefined;
  const fn = async (...args: unknown[]) => ((await (loaded ??= load()))[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  return fn as M[K] extends AsyncFn ? M[K] : never;
}
