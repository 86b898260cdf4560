import type { Argv, CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import { BbbFailedError, BbbTransportError } from '../../shared/bbb/bbb-client.js';
import type { Server } from '../../shared/domain/entities.js';
import { callBbb, errorText, runBounded } from '../bbb-tasks.js';
import { listOf, textOf } from '../meeting-lookup.js';
import { findServer, splitIds } from '../server-lookup.js';
import { say, warn } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

type MeetingListArgs = TargetFlags & { SERVER_IDS?: string; json?: boolean };

interface ServerMeetings {
  id: string;
  url: string;
  /** every meeting the server reports (also those not placed through the balancer); null on failure */
  meetings: { meetingID: string; meetingName: string }[] | null;
  error: string | null;
}

/** getMeetings on one server: its meetings, or the failure in Scalelite's words. */
async function meetingsOn(deps: Deps, server: Server): Promise<ServerMeetings> {
  try {
    const { response } = await callBbb(deps, server, 'getMeetings');
    const container = response.meetings as { meeting?: unknown } | string | undefined;
    const elements = typeof container === 'object' && container !== null ? listOf(container.meeting) : [];
    const meetings = elements.map((m) => ({ meetingID: textOf((m as Record<string, unknown>).meetingID), meetingName: textOf((m as Record<string, unknown>).meetingName) }));
    return { id: server.id, url: server.url, meetings, error: null };
  } catch (e) {
    const what = e instanceof BbbFailedError || e instanceof BbbTransportError ? `Failed to get server id=${server.id} status` : 'Failed to get meetings list status';
    return { id: server.id, url: server.url, meetings: null, error: `${what}: ${errorText(e)}` };
  }
}

/** `slctl servers:meeting_list [SERVER_IDS]`: the meetings each server reports (getMeetings), by name. */
export const serversMeetingListCommand: CommandModule<object, MeetingListArgs> = {
  command: 'servers:meeting_list [SERVER_IDS]',
  describe: 'List the meetings running on servers (asks each server)',
  builder: (y) =>
    y
      .positional('SERVER_IDS', { type: 'string', describe: 'Server ids separated by ":" (default: all servers)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array instead' }) as Argv<MeetingListArgs>,
  handler: async (argv) => {
    const deps = await cliDeps(process.env, argv);
    const ids = splitIds(argv.SERVER_IDS);
    const servers = ids.length > 0 ? [] : await deps.store.servers.list();
    for (const id of ids) servers.push(await findServer(deps, id)); // an unknown id stops the task before any call
    const results = await runBounded(deps, 'Asking servers', servers, (server) => meetingsOn(deps, server));
    if (argv.json) return say(JSON.stringify(results, null, 2));
    for (const r of results) {
      say('');
      say(`Server ID: ${r.id}`);
      say(`Server Url: ${r.url}`);
      if (r.meetings === null) {
        warn(r.error ?? '');
        continue;
      }
      // sic: Scalelite prints the meetings' names under this label
      say(`MeetingIDs: \n\t${r.meetings.map((m) => m.meetingName).join('\n\t')}`);
      if (r.meetings.length === 0) warn('\tNo meetings to display');
    }
  },
};
