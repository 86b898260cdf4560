import type { Argv, CommandModule } from 'yargs';
import { clearServerMeetings } from '../bbb-tasks.js';
import { CliError, declined, usageError } from '../cli-error.js';
import { effectiveLoad, formatServer, serverJson } from '../format-server.js';
import { findServer, idPositional, serverNotFound as notFound } from '../server-lookup.js';
import { checkServerUrl, MULTIPLIER_WARNING, newServerId, parseLoadMultiplier, presentTag } from '../server-input.js';
import { readLine, say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';
import { memo } from '../task-slice.js';

// ------------------------------------------------------------------------------------------------ servers

type ListArgs = TargetFlags & { json?: boolean };

/** `slctl servers`: Scalelite's `rake servers` listing (or `--json`). */
export const serversCommand: CommandModule<object, ListArgs> = {
  command: 'servers',
  describe: 'List the BigBlueButton servers',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print a JSON array of the servers (secrets included) instead' }) as Argv<ListArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
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
  // URL and SECRET are checked in the handler so that a missing one gets Scalelite's message (exit 64, a usage error).
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
    const { URL: url, SECRET: secret } = argv;
    // an empty rake argument (`servers:add[URL,]`) is no secret either
    if (!url || !secret) throw usageError('Error: Please input at least a URL and a secret!');
    const urlWarning = checkServerUrl(url);
    const multiplier = parseLoadMultiplier(argv.LOAD_MULTIPLIER || undefined);
    const deps = await cliDeps(process.env, argv);
    if (urlWarning) warn(urlWarning);
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
    const deps = await cliDeps(process.env, argv);
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
    const deps = await cliDeps(process.env, argv);
    if (!(await deps.store.servers.updateConfig(argv.ID, { state: 'enabled' }))) throw notFound(argv.ID);
    say('OK');
  },
};

// ------------------------------------------------------------------------------------------------ servers:disable

type DisableArgs = IdArgs & { yes?: boolean };

/**
 * `slctl servers:disable ID [--yes]`: state `disabled`. A server with load asks for `yes` first
 * and then ends its meetings; any other answer leaves everything as it is and fails (exit 1).
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
    const deps = await cliDeps(process.env, argv);
    // memoized: through the admin function a loaded server's disable runs in slices (cli/task-slice.ts), and a
    // poll between them must not change the course the first slice took
    const server = await memo(() => findServer(deps, argv.ID));
    let confirmed = true;
    if ((effectiveLoad(server) ?? 0) > 0) {
      say('WARNING: You are trying to disable a server with active load. You should use the cordon option if');
      say('          you do not want to clear all the meetings');
      if (!argv.yes) {
        say('If you still wish to continue please enter `yes`');
        const answer = await readLine(process.stdin);
        confirmed = answer !== undefined && /^yes$/i.test(answer);
      }
      // Scalelite prints OK and exits 0 here, as if the server had been disabled
      if (!confirmed) throw declined(`server ${server.id} is still ${server.state} and its meetings go on`);
      await clearServerMeetings(deps, server);
    }
    // The stored load stays until the next poll clears it; a disabled server's load reads as unavailable meanwhile.
    if (!(await deps.store.servers.updateConfig(server.id, { state: 'disabled' }))) throw notFound(server.id);
    say('OK');
  },
};

export const serverCommands = [serversCommand, serversAddCommand, serversRemoveCommand, serversEnableCommand, serversDisableCommand];
