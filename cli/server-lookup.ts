import type { Argv } from 'yargs';
import type { Deps } from '../shared/app/deps.js';
import type { Server } from '../shared/domain/entities.js';
import { CliError, describeFailure } from './cli-error.js';

/** Scalelite's answer for an unknown server id (stderr, exit 1). */
export const serverNotFound = (id: string): CliError => new CliError(`ERROR: No server found with id: ${id}`, 1);

export async function findServer(deps: Deps, id: string): Promise<Server> {
  const server = await deps.store.servers.get(id);
  if (!server) throw serverNotFound(id);
  return server;
}

/** The `<ID>` positional of the per-server tasks. */
export const idPositional = <T>(y: Argv<T>) =>
  y.positional('ID', { type: 'string', describe: 'Server id (as shown by `slctl servers`)' }).demandOption('ID');

/** `:`-separated ids of Scalelite's list tasks (`servers:meeting_list[a:b]`); none = all. */
export const splitIds = (text: string | undefined): string[] => (text ?? '').split(':').filter((id) => id !== '');

/**
 * Scalelite treats any given rake argument as true (even `false`); here the usual words for "no"
 * (`false`, `no`, `n`, `0`, case-insensitive) and an empty argument are false.
 */
export const truthyArg = (text: string | undefined): boolean => text !== undefined && !/^(?:false|no|n|0|)$/i.test(text.trim());

/** Failures other than "unknown id" as Scalelite words them: `ERROR: Failed to <verb> server <id> - <error>`. */
export function failedTo(verb: string, id: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const { message, exitCode } = describeFailure(e);
  return new CliError(`ERROR: Failed to ${verb} server ${id} - ${message.replace(/^ERROR: /, '')}`, exitCode);
}
