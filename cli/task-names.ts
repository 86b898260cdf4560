import type { CommandModule } from 'yargs';

/**
 * Tasks that run on the operator's machine whatever the target: they configure slctl itself or run the
 * local stack. The admin function refuses them; under `--via lambda` slctl runs them locally.
 */
export const TARGETLESS_TASKS: ReadonlySet<string> = new Set(['serve', 'completion', 'context', 'context:set', 'context:use', 'context:list', 'context:remove', 'dashboard']);

/**
 * Tasks that only make sense on the operator's machine: the targetless ones, and those that read local
 * files or directories too large or too many to send (recording tars, a published tree, a player build):
 * they reach the table and the bucket directly. The admin function refuses them; slctl refuses them
 * under `--via lambda` with a message naming the direct target.
 */
export const LOCAL_ONLY_TASKS: ReadonlySet<string> = new Set([...TARGETLESS_TASKS, 'recordings:import', 'recordings:import-published', 'playback:install']);

/** The task names a command module answers to: the first word of `command`, and its aliases. */
export function taskNames(command: CommandModule): string[] {
  const names = [command.command, ...(Array.isArray(command.aliases) ? command.aliases : command.aliases ? [command.aliases] : [])];
  return names.flat().flatMap((n) => (typeof n === 'string' ? [n.split(' ')[0]] : [])).filter((n) => n !== '' && n !== '$0');
}

