import type { Argv, CommandModule } from 'yargs';
import { say, warn } from '../stdio.js';
import { statusJson, statusNotes, statusTable } from '../status-table.js';
import { cliDeps, type TargetFlags } from '../target.js';

type StatusArgs = TargetFlags & { json?: boolean };

/**
 * `slctl status`: Scalelite's status table of every server, from what the poller last recorded, with the
 * server id as a last column; then, on stderr, why each failing server failed its last poll.
 */
export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Table of the servers: state, online, meetings, users, largest meeting, videos, load, version, tag, capacity (when any is set), id (why a poll failed: on stderr)',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print a JSON array instead of the table' }) as Argv<StatusArgs>,
  handler: async (argv) => {
    const servers = await (await cliDeps(process.env, argv)).store.servers.list();
    if (argv.json) {
      say(JSON.stringify(statusJson(servers), null, 2));
      return;
    }
    say('');
    for (const line of statusTable(servers)) say(line);
    const notes = statusNotes(servers);
    if (notes.length > 0) warn('');
    for (const line of notes) warn(line);
  },
};
