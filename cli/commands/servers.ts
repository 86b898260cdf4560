import type { Argv, CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import type { Server } from '../../shared/domain/entities.js';
import { CliError } from '../cli-error.js';
import { effectiveLoad, formatServer, serverJson } from '../format-server.js';
import { MULTIPLIER_WARNING, newServerId, parseLoadMultiplier, presentTag } from '../server-input.js';
import { readLine, say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

const notFound = (id: string) => new CliError(`ERROR: No server found with id: ${id}`, 1);

async function findServer(deps: Deps, id: string): Promise<Server> {
  const server = await deps.store.servers.get(id);
  if (!server) throw notFound(id);
  return server;
}

const idPositional = <T>(y: Argv<T>) => y.positional('ID', { type: 'string', describe: 'Server id (as shown by `slctl servers`)' }).demandOption('ID');

/**
 * yargs leaves operands after `--` in `argv._` (after the task name) instead of binding them to positionals:
 * they fill the positionals still unset, in order. So `slctl servers:add URL -- -secret-with-dash` works.
 */
function fillFromOperands(argv: Record<string, unknown>, names: string[]): void {
  const rest = ((argv._ as unknown[] | undefined) ?? []).slice(1).map(String);
  for (const name of names) if (argv[name] === undefined && rest.length > 0) argv[name] = rest.shift();
}

// ------------------------------------------------------------------------------------------------ servers

type ListArgs = TargetFlags & { json?: boolean };

/** `slctl servers`: Scalelite's `rake servers` listing (or `--json`). */
export const serversCommand: CommandModule<object, ListArgs> = {
  command: 'servers',
  describe: 'List the BigBlueButton servers',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print a JSON array of the servers (secrets included) instead' }) as Argv<ListArgs>,
  handler: async (argv) => {
    const deps = cliDeps(process.env, argv);
    const servers = await deps.store.servers.list();
    if (argv.json) {
      say(JSON.stringify(servers.map(serverJson), null, 2));
      return;
    }
    if (servers.length === 0) warn('No servers are configured');
    for (const server of servers) say(formatServer(server));
  },
};

// ------------------------------------------------------------------------------------------------ servers:add

type AddArgs = TargetFlags & { URL?: string; SECRET?: string; LOAD_MULTIPLIER?: string; TAG?: string };

/** `slctl servers:add URL SECRET [LOAD_MULTIPLIER] [TAG]`: a new server, disabled and offline. */
export const serversAddCommand: CommandModule<object, AddArgs> = {
  // URL and SECRET are checked in the handler so that a missing one gets Scalelite's message and exit 1.
  command: 'servers:add [URL] [SECRET] [LOAD_MULTIPLIER] [TAG]',
  describe: 'Add a server (it starts disabled and offline)',
  builder: (y) =>
    y
      .positional('URL', { type: 'string', describe: 'BBB API URL, e.g. https://bbb1.example.com/bigbluebutton/api (required)' })
      .positional('SECRET', { type: 'string', describe: 'BBB shared secret (required)' })
      .positional('LOAD_MULTIPLIER', { type: 'string', describe: 'Load multiplier, a decimal > 0 (default 1.0)' })
      .positional('TAG', { type: 'string', describe: 'Server tag (default: none)' })
      .example("$0 servers:add https://bbb1.example.com/bigbluebutton/api s3cr3t 2 fast", '')
      .example("$0 'servers:add[https://bbb1.example.com/bigbluebutton/api,s3cr3t]'", 'rake form') as Argv<AddArgs>,
  handler: async (argv) => {
    fillFromOperands(argv, ['URL', 'SECRET', 'LOAD_MULTIPLIER', 'TAG']);
    const { URL: url, SECRET: secret } = argv;
    if (url === undefined || secret === undefined) throw new CliError('Error: Please input at least a URL and a secret!', 1);
    if (!url.startsWith('http://') && !url.startsWith('https://')) throw new CliError('Error: Server URL must start with http:// or https://', 1);
    const deps = cliDeps(process.env, argv);
    const multiplier = parseLoadMultiplier(argv.LOAD_MULTIPLIER);
    if (multiplier.warned) say(MULTIPLIER_WARNING);
    const id = newServerId(url, deps.config.serverIdIsHostname);
    const tag = presentTag(argv.TAG);
    const added = await deps.store.servers.add({ id, url, secret, state: 'disabled', loadMultiplier: multiplier.value, ...(tag !== undefined ? { tag } : {}) });
    if (!added) throw new CliError(`Error: Server already exists with id '${id}'`, 1);
    say('OK');
    say(`id: ${id}`);
  },
};

// ------------------------------------------------------------------------------------------------ servers:remove / enable

type IdArgs = TargetFlags & { ID: string };

/** `slctl servers:remove ID`: deletes the server record (its meeting records are left, as in Scalelite). */
export const serversRemoveCommand: CommandModule<object, IdArgs> = {
  command: 'servers:remove <ID>',
  describe: 'Remove a server',
  builder: (y) => idPositional(y) as Argv<IdArgs>,
  handler: async (argv) => {
    say(`Removing server ${argv.ID}...`);
    const deps = cliDeps(process.env, argv);
    if (!(await deps.store.servers.remove(argv.ID))) throw notFound(argv.ID);
    say('OK');
  },
};

/** `slctl servers:enable ID`: state `enabled`; the server takes meetings after its next successful poll. */
export const serversEnableCommand: CommandModule<object, IdArgs> = {
  command: 'servers:enable <ID>',
  describe: 'Enable a server (it takes meetings after its next successful poll)',
  builder: (y) => idPositional(y) as Argv<IdArgs>,
  handler: async (argv) => {
    say(`Enabling server ${argv.ID}...`);
    const deps = cliDeps(process.env, argv);
    if (!(await deps.store.servers.updateConfig(argv.ID, { state: 'enabled' }))) throw notFound(argv.ID);
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ servers:disable

type DisableArgs = IdArgs & { yes?: boolean };

/** Deletes the meeting records of a server and asks the server to end each meeting (best effort). */
async function clearMeetings(deps: Deps, server: Server): Promise<void> {
  const meetings = await deps.store.meetings.listByServer(server.id, deps.clock());
  for (const meeting of meetings) {
    say(`Clearing Meeting id=${meeting.meetingID}`);
    await deps.store.meetings.delete(meeting.meetingID, server.id);
    try {
      const params = new Map<string, string | null>([
        ['meetingID', meeting.meetingID],
        ['password', meeting.moderatorPW ?? ''],
      ]);
      await deps.bbb.call(server, 'end', params, { connectTimeoutMs: deps.config.connectTimeoutMs, responseTimeoutMs: deps.config.responseTimeoutMs });
    } catch (e) {
      warn(`WARNING: Could not end meeting id=${meeting.meetingID}: ${(e as Error).message ?? String(e)}`);
    }
  }
}

/**
 * `slctl servers:disable ID [--yes]`: state `disabled`. A server with load asks for `yes` first
 * and then ends its meetings; without confirmation the state is left as it is.
 */
export const serversDisableCommand: CommandModule<object, DisableArgs> = {
  command: 'servers:disable <ID>',
  describe: 'Disable a server (asks before ending the meetings of a loaded server)',
  builder: (y) =>
    idPositional(y).option('yes', {
      type: 'boolean',
      default: false,
      describe: 'Confirm without asking (ends the meetings of a server with active load)',
    }) as Argv<DisableArgs>,
  handler: async (argv) => {
    say(`Disabling server ${argv.ID}...`);
    const deps = cliDeps(process.env, argv);
    const server = await findServer(deps, argv.ID);
    let confirmed = true;
    if ((effectiveLoad(server) ?? 0) > 0) {
      say('WARNING: You are trying to disable a server with active load. You should use the cordon option if');
      say('          you do not want to clear all the meetings');
      if (!argv.yes) {
        say('If you still wish to continue please enter `yes`');
        const answer = await readLine(process.stdin);
        confirmed = answer !== undefined && /^yes$/i.test(answer);
      }
      if (confirmed) await clearMeetings(deps, server);
    }
    if (confirmed) {
      // The stored load stays until the next poll clears it; a disabled server's load reads as unavailable meanwhile.
      if (!(await deps.store.servers.updateConfig(server.id, { state: 'disabled' }))) throw notFound(server.id);
    }
    say('OK');
  },
};

export const serverCommands = [serversCommand, serversAddCommand, serversRemoveCommand, serversEnableCommand, serversDisableCommand];
