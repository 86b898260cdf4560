import type { Argv, CommandModule } from 'yargs';
import { CliError, usageError } from '../cli-error.js';
import { truthyArg } from '../server-lookup.js';
import { checkServerUrl, newServerId, URL_SCHEME_ERROR } from '../server-input.js';
import { print, readAll, readTaskFile, say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';
import { loadYaml } from '../load-yaml.js';

// The YAML modules are loaded by the tasks that need them: every other task starts faster.
const yamlModules = async () => ({ ...(await import('../sync-file.js')), ...(await import('../sync-servers.js')), ...(await import('../server-yaml.js')), yaml: await loadYaml() });

/** A file's text, or stdin's for `-`. */
async function readInput(path: string): Promise<string> {
  if (path === '-') return readAll(process.stdin);
  try {
    return await readTaskFile(path);
  } catch (e) {
    throw new CliError(`ERROR: ${(e as Error).message}`, 1);
  }
}

// ------------------------------------------------------------------------------------------------ servers:sync

type SyncArgs = TargetFlags & { PATH?: string; MODE?: string; DRYRUN?: string; file?: string; mode?: string; dryRun?: boolean };

/** `slctl servers:sync -f servers.yaml [--mode keep|cordon|force] [--dry-run]` (or `servers:sync[path,mode,dryrun]`). */
export const serversSyncCommand: CommandModule<object, SyncArgs> = {
  command: 'servers:sync [PATH] [MODE] [DRYRUN]',
  describe: 'Make the servers match a YAML file (the format servers:yaml prints)',
  builder: (y) =>
    y
      .positional('PATH', { type: 'string', describe: 'YAML file, - for stdin (same as --file)' })
      .positional('MODE', { type: 'string', describe: 'keep | cordon | force (same as --mode)' })
      .positional('DRYRUN', { type: 'string', describe: 'anything but false/no/n/0: dry run (same as --dry-run)' })
      .option('file', { alias: 'f', type: 'string', describe: 'YAML file with a `servers:` mapping of id → {secret, url, enabled, load_multiplier, tag}; - reads stdin' })
      .option('mode', {
        type: 'string',
        describe: 'Servers not in the file: keep = leave them; cordon (default) = remove the empty ones, cordon the others; force = also end their meetings and remove them',
      })
      .option('dry-run', { type: 'boolean', describe: 'Print what would change (secrets as *****) and change nothing' })
      .example('$0 servers:yaml > servers.yaml', 'export, edit, then:')
      .example('$0 servers:sync -f servers.yaml --dry-run', 'the plan')
      .example('$0 servers:sync -f servers.yaml', 'apply (mode cordon)')
      .example("$0 'servers:sync[servers.yaml,force]'", 'rake form')
      .example('cat servers.yaml | $0 servers:sync -f - --mode keep', 'from stdin') as Argv<SyncArgs>,
  handler: async (argv) => {
    const path = argv.file ?? argv.PATH;
    if (path === undefined || path.trim() === '') throw usageError("ERROR: Missing 'path' parameter");
    const dryRun = argv.dryRun === true || truthyArg(argv.DRYRUN);
    const { readSyncFile, SyncError, syncMode, syncServers } = await yamlModules();
    let plan;
    try {
      syncMode(argv.mode ?? argv.MODE);
    } catch (e) {
      // an unknown mode is a usage error; the file's problems below are task errors (exit 1)
      if (e instanceof SyncError) throw usageError(`ERROR: ${e.message}`);
      throw e;
    }
    try {
      plan = readSyncFile(await readInput(path), argv.mode ?? argv.MODE);
    } catch (e) {
      if (e instanceof SyncError) throw new CliError(`ERROR: ${e.message}`, 1);
      throw e;
    }
    const deps = await cliDeps(process.env, argv);
    if (dryRun) say('Dry run: nothing is changed.');
    await syncServers(deps, plan.servers, plan.mode, dryRun, { info: say, warn });
  },
};

// ------------------------------------------------------------------------------------------------ servers:yaml

type YamlArgs = TargetFlags & { VERBOSE?: string; verbose?: boolean };

/** `slctl servers:yaml [--verbose]`: the servers as a `servers:sync` file. */
export const serversYamlCommand: CommandModule<object, YamlArgs> = {
  command: 'servers:yaml [VERBOSE]',
  describe: 'Print the servers as YAML for servers:sync',
  builder: (y) =>
    y
      .positional('VERBOSE', { type: 'string', describe: 'anything but false/no/n/0: verbose (same as --verbose)' })
      .option('verbose', { type: 'boolean', describe: 'Also print state, load, bbb_version and online (ignored by servers:sync)' }) as Argv<YamlArgs>,
  handler: async (argv) => {
    const { serversYaml } = await yamlModules();
    const servers = await (await cliDeps(process.env, argv)).store.servers.list();
    print(serversYaml(servers, argv.verbose === true || truthyArg(argv.VERBOSE)));
  },
};

// ------------------------------------------------------------------------------------------------ servers:addAll

type AddAllArgs = TargetFlags & { PATH?: string };

/** A problem with the file or one of its entries: printed, exit 0 (as Scalelite). */
class AddAllError extends Error {}

/**
 * `slctl servers:addAll PATH` (deprecated in Scalelite; use servers:sync): adds each `{url, secret}` of the
 * file's `servers:` list as a new disabled server. Like Scalelite, it stops at the first problem, which it
 * prints on stderr, and exits 0.
 */
export const serversAddAllCommand: CommandModule<object, AddAllArgs> = {
  command: 'servers:addAll [PATH]',
  describe: 'Add the servers of a YAML list (deprecated: use servers:sync)',
  builder: (y) => y.positional('PATH', { type: 'string', describe: 'YAML file with `servers:` - {url, secret} …; - reads stdin' }) as Argv<AddAllArgs>,
  handler: async (argv) => {
    try {
      if (!argv.PATH) throw new AddAllError("Missing 'path' parameter");
      let doc: { servers?: unknown } | null;
      try {
        const { yaml } = await yamlModules();
        doc = yaml.parse(await readInput(argv.PATH), { version: '1.1' }) as { servers?: unknown } | null;
      } catch (e) {
        throw new AddAllError(e instanceof CliError ? e.message : `Invalid YAML document (${(e as Error).message.split('\n')[0]})`);
      }
      const list = doc?.servers;
      if (!Array.isArray(list)) throw new AddAllError("The file has no 'servers' list");
      const deps = await cliDeps(process.env, argv);
      for (const entry of list as { url?: unknown; secret?: unknown }[]) {
        const url = entry?.url === undefined || entry?.url === null ? '' : String(entry.url);
        const secret = entry?.secret === undefined || entry?.secret === null ? '' : String(entry.secret);
        if (!url || !secret) throw new AddAllError('Error: Please input at least a URL and a secret!');
        let urlWarning;
        try {
          urlWarning = checkServerUrl(url);
        } catch (e) {
          throw new AddAllError(e instanceof CliError ? e.message : URL_SCHEME_ERROR);
        }
        if (urlWarning) warn(urlWarning);
        const id = newServerId(url, deps.config.serverIdIsHostname);
        if (!(await deps.store.servers.add({ id, url, secret, state: 'disabled' }))) throw new AddAllError(`Server already exists with id '${id}'`);
        say(`server: ${url}`);
        say(`id: ${id}`);
      }
    } catch (e) {
      if (!(e instanceof AddAllError || e instanceof CliError)) throw e; // DynamoDB, configuration: as every task
      warn(e.message.replace(/^ERROR: /, ''));
    }
  },
};

export const serverSyncCommands = [serversSyncCommand, serversYamlCommand, serversAddAllCommand];
