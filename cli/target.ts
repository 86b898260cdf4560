import type { Deps } from '../shared/app/deps.js';
import type { Env } from '../shared/config/env-names.js';
import type { S3Storage } from '../shared/storage/s3-storage.js';
import { currentTask } from './task-context.js';
import type { TargetArgs } from './target-resolution.js';

/** The target flags every task takes (cli/main.ts); cli/target-resolution.ts turns them into a target. */
export interface TargetFlags extends TargetArgs {
  endpoint?: string;
  table?: string;
  region?: string;
  profile?: string;
  /** the recordings' S3 endpoint (S3_ENDPOINT): tasks that touch the bucket take `--s3-endpoint` */
  s3Endpoint?: string;
  /** the recordings bucket (S3_BUCKET_NAME): `--bucket` */
  bucket?: string;
}

/** The options of tasks that reach the recordings bucket (yargs `.options(S3_TARGET_OPTIONS)`). */
export const S3_TARGET_OPTIONS = {
  's3-endpoint': { type: 'string', describe: 'S3 endpoint of the recordings bucket (default: S3_ENDPOINT, else AWS)' },
  bucket: { type: 'string', describe: 'Recordings bucket (default: S3_BUCKET_NAME or scalelite-recordings)' },
} as const;

/** Loads slctl's direct target (cli/direct-deps.ts); registered by slctl's entry (cli/main.ts). */
export type DirectTargetLoader = () => Promise<{ directDeps(env: Env, flags: TargetFlags): Promise<Deps & { storage: S3Storage }> }>;
let loadDirectTarget: DirectTargetLoader | undefined;

/**
 * Registers how tasks reach the table and the bucket themselves. slctl's entry does (cli/main.ts); the admin
 * function does not: its tasks run in a task context with the function's deps, and its bundle then holds
 * nothing of the direct target (the AWS SDK's credential providers for `--profile`, the embedded S3's keys).
 */
export function useDirectTarget(load: DirectTargetLoader): void {
  loadDirectTarget = load;
}

/**
 * Builds the use-case dependencies for a CLI task from its target (cli/target-resolution.ts: flags, env,
 * a named context, the local stack). Inside the admin function (cli/task-context.ts) the function's own.
 * The store, the AWS SDK and the S3 adapter are loaded here, on first use, so that `slctl --help` and tasks
 * that touch no table start without them.
 */
export async function cliDeps(env: Env, flags: TargetFlags): Promise<Deps & { storage: S3Storage }> {
  const task = currentTask();
  if (task) return task.deps as Deps & { storage: S3Storage };
  if (!loadDirectTarget) throw new Error('slctl: no direct target in this runtime (cli/main.ts registers it)');
  const { directDeps } = await loadDirectTarget();
  return directDeps(env, flags);
}
