import type { Deps } from '../shared/app/deps.js';
import type { Meeting, Server } from '../shared/domain/entities.js';
import { CliError } from './cli-error.js';

/** A meeting record with the server it was placed on (undefined when that server has been removed). */
export interface PlacedMeeting {
  meeting: Meeting;
  server?: Server;
}

export const meetingNotFound = (id: string): CliError => new CliError(`ERROR: No meeting found with id: ${id}`, 1);

/**
 * The meetings named by `ids` (each must exist, else nothing happens and the task fails), or, when none are
 * named, every meeting the balancer placed on a server it still knows — server by server, by meetingID.
 */
export async function findMeetings(deps: Deps, ids: readonly string[]): Promise<PlacedMeeting[]> {
  const now = deps.clock();
  const servers = await deps.store.servers.list();
  const byId = new Map(servers.map((s) => [s.id, s]));
  if (ids.length > 0) {
    const found: PlacedMeeting[] = [];
    for (const id of ids) {
      const meeting = await deps.store.meetings.getByKey(id, now);
      if (!meeting) throw meetingNotFound(id);
      found.push({ meeting, server: byId.get(meeting.serverId) });
    }
    return found;
  }
  const all: PlacedMeeting[] = [];
  for (const server of servers) {
    const meetings = await deps.store.meetings.listByServer(server.id, now);
    meetings.sort((a, b) => (a.meetingID < b.meetingID ? -1 : a.meetingID > b.meetingID ? 1 : 0));
    for (const meeting of meetings) all.push({ meeting, server });
  }
  return all;
}

/** A text value of a parsed BBB document ('' when absent or not text). */
export const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

/** A parsed element that may occur once or many times, as a list. */
export const listOf = (value: unknown): unknown[] => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]);
