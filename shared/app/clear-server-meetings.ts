import type { Meeting, Server } from '../domain/entities.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import { timeoutsFor } from './call-server.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';

export interface ClearOptions {
  /** false: only forget the records (the server is unreachable) */
  sendEnd: boolean;
  /** called before each meeting is cleared (the CLI prints `Clearing Meeting id=…`) */
  onMeeting?(meeting: Meeting): void;
  /** called when a server refuses or misses an `end`; the others go on */
  onEndFailed?(meeting: Meeting, error: Error): void;
  /** how to run the work over the meetings (default: POLLER_CONCURRENCY at once) */
  each?<R>(items: readonly Meeting[], fn: (m: Meeting) => Promise<R>): Promise<R[]>;
}

/**
 * Forgets every meeting the balancer placed on a server and asks the server to end each one with the
 * stored moderator password (panic, disable with confirmation, sync force). A failed `end` never stops the
 * others. Shared by the admin API and slctl.
 */
export async function clearServerMeetings(deps: Deps, server: Server, opts: ClearOptions): Promise<{ meetings: number; endFailures: number }> {
  const meetings = await deps.store.meetings.listByServer(server.id, deps.clock());
  const each = opts.each ?? ((items, fn) => mapBounded(items, deps.config.pollerConcurrency, fn));
  let endFailures = 0;
  await each(meetings, async (meeting) => {
    opts.onMeeting?.(meeting);
    await deps.store.meetings.delete(meeting, { serverId: server.id });
    if (!opts.sendEnd) return;
    const params = new Map<string, string | null>([
      ['meetingID', bbbMeetingId(meeting.tenantId, meeting.meetingID)],
      ['password', meeting.moderatorPW ?? ''],
    ]);
    try {
      await deps.bbb.call(server, 'end', params, timeoutsFor(deps.config, server.online));
    } catch (e) {
      endFailures++;
      opts.onEndFailed?.(meeting, e as Error);
    }
  });
  return { meetings: meetings.length, endFailures };
}
