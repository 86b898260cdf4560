#!/usr/bin/env node
// slctl. Runs the build, dist/cli/main.mjs (cli/build-cli.mjs; `npm ci` and `npm pack` make it through
// `prepare`, or `npm run build:cli`). An installed copy has only the build. In a checkout whose sources are
// newer than the build, or that has none, the TypeScript sources run through tsx (a dev dependency) instead,
// so an edit takes effect without a rebuild.
import { existsSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';

// Node 20 is supported here; the SDK's notice about its future Node 22 requirement is noise for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Node ≥ 22.1 keeps the compiled code of the build in its compile cache (a temporary directory): later starts skip
// the parsing. Node 20 has no such cache (a no-op there).
module.enableCompileCache?.();

const root = new URL('../../', import.meta.url);
const built = new URL('dist/cli/main.mjs', root);
const sources = new URL('cli/main.ts', root);

/** In a checkout: every source the build was made from (dist/cli/inputs.json) is unchanged since. */
function buildIsCurrent() {
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= startedAt);
  } catch {
    return false;
  }
}

/**
 * `slctl --help` (or `-h`) alone, on a pipe or a terminal at least 120 columns wide: the text the build
 * rendered with this very build (dist/cli/help.txt, byte for byte what it prints), without loading it.
 */
function printBuiltHelp(installed) {
  const args = process.argv.slice(2);
  if (args.length !== 1 || (args[0] !== '--help' && args[0] !== '-h')) return false;
  if (process.stdout.isTTY && !(process.stdout.columns >= 120)) return false;
  const help = new URL('dist/cli/help.txt', root);
  if (!existsSync(help) || !(installed || buildIsCurrent())) return false;
  process.stdout.write(readFileSync(help));
  return true;
}

if (printBuiltHelp(!existsSync(sources))) {
  // done
} else if (!existsSync(sources)) {
  // an installed copy (npm i -g of the packed tarball)
  if (!existsSync(built)) {
    process.stderr.write(`slctl: ${built.pathname} is missing: this copy of slctl is incomplete, install it again\n`);
    process.exit(70);
  }
  await import(built.href);
} else if (existsSync(built) && buildIsCurrent()) {
  await import(built.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('slctl: no current build (npm run build:cli) and no tsx to run the sources (npm ci installs both)\n');
    process.exit(70);
  }
  register();
  await import(sources.href);
}
