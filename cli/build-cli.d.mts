import type { BuildResult } from 'esbuild';

/** Where `npm run build:cli` writes slctl (dist/cli/, absolute). */
export const OUT_DIR: string;
/** Packages the build leaves to node_modules (those of `slctl serve`). */
export const CLI_EXTERNALS: string[];
/** Builds slctl (cli/build-cli.mjs). */
export function buildCli(options?: { outdir?: string; bundlePackages?: boolean; minify?: boolean; pruneAll?: boolean }): Promise<BuildResult<{ metafile: true }>>;
