import type { Argv, CommandModule } from 'yargs';
import type { ServerConfigChanges } from '../../shared/store/server-repo.js';
import { failedTo, findServer, idPositional, serverNotFound } from '../server-lookup.js';
import { MULTIPLIER_WARNING, parseCapacity, parseLoadMultiplier, presentTag } from '../server-input.js';
import { say } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

/**
 * The per-server settings tasks: `servers:update`, `servers:cordon`, `servers:loadMultiplier`, `servers:tag`.
 * Each writes only the admin-owned attributes it changes (one UpdateItem), so a poll cycle running at the
 * same time loses nothing and is lost by nothing.
 */

const multiplierPositional = <T>(y: Argv<T>, describe: string) => y.positional('LOAD_MULTIPLIER', { type: 'string', describe });

/**
 * The multiplier argument of update/loadMultiplier: Scalelite's reading, with its warning. Read before
 * anything is printed or changed: a negative multiplier is a usage error (exit 64).
 */
function readMultiplier(text: string | undefined): { value: number; warn: () => void } {
  const { value, warned } = parseLoadMultiplier(text);
  return { value, warn: () => warned && say(MULTIPLIER_WARNING) };
}

// ------------------------------------------------------------------------------------------------ servers:update

type UpdateArgs = TargetFlags & { ID: string; SECRET?: string; LOAD_MULTIPLIER?: string; TAG?: string; capacity?: string };

/** `slctl servers:update ID [SECRET] [LOAD_MULTIPLIER] [TAG] [--capacity N]`: changes only what is given. */
export const serversUpdateCommand: CommandModule<object, UpdateArgs> = {
  command: 'servers:update <ID> [SECRET] [LOAD_MULTIPLIER] [TAG]',
  describe: 'Update the secret, load multiplier, tag and/or capacity of a server',
  builder: (y) =>
    multiplierPositional(
      idPositional(y).positional('SECRET', { type: 'string', describe: 'New shared secret (omitted or empty: unchanged)' }),
      'New load multiplier, a decimal > 0 (omitted or empty: unchanged)',
    )
      .positional('TAG', { type: 'string', describe: 'New tag (omitted: unchanged; an empty string removes the tag)' })
      .option('capacity', {
        type: 'string',
        describe: 'Most users placement puts on the server, a whole number (0 removes it; omitted: unchanged)',
      })
      .example('$0 servers:update bbb1 newsecret', 'a new secret')
      .example('$0 servers:update bbb1 --capacity 300', 'at most 300 users (0 removes the capacity)')
      .example("$0 servers:update bbb1 '' 2", 'only the multiplier (an empty secret leaves it unchanged)')
      .example("$0 'servers:update[bbb1,,2,]'", 'rake form: multiplier 2, tag removed') as Argv<UpdateArgs>,
  handler: async (argv) => {
    const multiplier = argv.LOAD_MULTIPLIER ? readMultiplier(argv.LOAD_MULTIPLIER) : undefined;
    const capacity = argv.capacity === undefined ? undefined : parseCapacity(String(argv.capacity));
    say(`Updating server ${argv.ID}...`);
    const deps = await cliDeps(process.env, argv);
    await findServer(deps, argv.ID);
    const changes: ServerConfigChanges = {};
    if (argv.SECRET) changes.secret = argv.SECRET;
    if (multiplier) {
      multiplier.warn();
      changes.loadMultiplier = multiplier.value;
    }
    if (argv.TAG !== undefined) changes.tag = presentTag(argv.TAG) ?? null;
    if (capacity !== undefined) changes.capacity = capacity;
    if (!(await deps.store.servers.updateConfig(argv.ID, changes))) throw serverNotFound(argv.ID);
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ servers:cordon

type IdArgs = TargetFlags & { ID: string };

/** `slctl servers:cordon ID`: no new meetings; existing ones go on; the poller disables it once empty. */
export const serversCordonCommand: CommandModule<object, IdArgs> = {
  command: 'servers:cordon <ID>',
  describe: 'Cordon a server: no new meetings, running ones continue (disabled by the poller once empty)',
  builder: (y) => idPositional(y) as Argv<IdArgs>,
  handler: async (argv) => {
    say(`Cordoning server ${argv.ID}...`);
    let updated;
    try {
      updated = await (await cliDeps(process.env, argv)).store.servers.updateConfig(argv.ID, { state: 'cordoned' });
    } catch (e) {
      throw failedTo('cordon', argv.ID, e);
    }
    if (!updated) throw serverNotFound(argv.ID);
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ servers:loadMultiplier

type MultiplierArgs = IdArgs & { LOAD_MULTIPLIER?: string };

/** `slctl servers:loadMultiplier ID [LOAD_MULTIPLIER]`: omitted → 1.0. */
export const serversLoadMultiplierCommand: CommandModule<object, MultiplierArgs> = {
  command: 'servers:loadMultiplier <ID> [LOAD_MULTIPLIER]',
  describe: "Set a server's load multiplier (its load counts that many times)",
  builder: (y) => multiplierPositional(idPositional(y), 'Load multiplier, a decimal > 0 (omitted: 1.0)') as Argv<MultiplierArgs>,
  handler: async (argv) => {
    const multiplier = readMultiplier(argv.LOAD_MULTIPLIER || undefined);
    const deps = await cliDeps(process.env, argv);
    await findServer(deps, argv.ID);
    multiplier.warn();
    if (!(await deps.store.servers.updateConfig(argv.ID, { loadMultiplier: multiplier.value }))) throw serverNotFound(argv.ID);
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ servers:tag

type TagArgs = IdArgs & { TAG?: string };

/** `slctl servers:tag ID [TAG]`: a blank or omitted tag removes it. */
export const serversTagCommand: CommandModule<object, TagArgs> = {
  command: 'servers:tag <ID> [TAG]',
  describe: "Set a server's tag (omitted or blank: remove it)",
  builder: (y) => idPositional(y).positional('TAG', { type: 'string', describe: 'Tag (omitted or blank: none)' }) as Argv<TagArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    if (!(await deps.store.servers.updateConfig(argv.ID, { tag: presentTag(argv.TAG) ?? null }))) throw serverNotFound(argv.ID);
    say('OK');
  },
};

export const serverConfigCommands = [serversUpdateCommand, serversCordonCommand, serversLoadMultiplierCommand, serversTagCommand];
