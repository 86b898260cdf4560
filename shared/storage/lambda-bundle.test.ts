import { readdirSync, existsSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** Every Lambda entry point: functions/<name>/handler.ts. */
const handlers = readdirSync('functions', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`functions/${d.name}/handler.ts`))
  .map((d) => `functions/${d.name}/handler.ts`);

describe('Lambda bundles and the embedded S3', () => {
  it('finds the Lambda entry points', () => {
    expect(handlers).toContain('functions/api/handler.ts');
  });

  it.each(handlers)('%s bundles the S3 adapter but neither s3rver, dynalite nor the local stack (nor any of cli/ but in the admin function)', async (entry) => {
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, outdir: 'out', logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    // the admin function runs slctl's tasks (cli/commands), never the local stack nor the local-only tasks
    const allowedCli = entry === 'functions/admin/handler.ts' ? (p: string) => !/^cli\/(local-stack|local-invoke|import-queue|commands\/(serve|recordings-import|playback|context))\.ts$/.test(p) : () => false;
    expect(inputs.filter((p) => p.startsWith('cli/') && !allowedCli(p))).toEqual([]);
    expect(imports.filter((p) => /(^|\/)(s3rver|dynalite)(\/|$)/.test(p))).toEqual([]);
    if (entry === 'functions/api/handler.ts') expect(inputs).toContain('shared/storage/s3-storage.ts');
  });
});
