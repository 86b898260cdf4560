import { timeoutsFor } from '../shared/app/call-server.js';
import { clearServerMeetings as clearMeetings } from '../shared/app/clear-server-meetings.js';
import type { Deps } from '../shared/app/deps.js';
import { mapBounded } from '../shared/app/map-bounded.js';
import type { BbbResponse } from '../shared/bbb/bbb-client.js';
import type { Meeting, Server } from '../shared/domain/entities.js';
import { bbbMeetingId } from '../shared/domain/meeting-id.js';
import { startProgress } from './progress.js';
import { say, warn } from './stdio.js';
import { isMemoized, memo, SliceEnded, step } from './task-slice.js';

/**
 * The CLI's calls to BBB servers: made from the operator's machine straight to the servers, with the
 * configured timeouts (shortened for a server known to be offline), at most `POLLER_CONCURRENCY` at once,
 * with a progress indicator on a terminal.
 */

/** One BBB API call on a server; rejects with BbbFailedError / BbbTransportError. */
export function callBbb(deps: Deps, server: Server, api: string, params: Record<string, string> = {}): Promise<BbbResponse> {
  return deps.bbb.call(server, api, new Map(Object.entries(params)), timeoutsFor(deps.config, server.online));
}

/** Asks a server to end a meeting, with the moderator password the balancer stored at create. */
export function sendEnd(deps: Deps, server: Server, meeting: Meeting): Promise<BbbResponse> {
  return callBbb(deps, server, 'end', { meetingID: bbbMeetingId(meeting.tenantId, meeting.meetingID), password: meeting.moderatorPW ?? '' });
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * `fn` over `items`, bounded and with a progress indicator labelled `label`; results keep the input order.
 * Each item is a step of a long task (cli/task-slice.ts): in the admin function the work is spread over
 * slices, and the list itself is memoized, so every slice sees the items the first one saw (the items
 * must be JSON: records).
 */
export async function runBounded<T, R>(deps: Deps, label: string, items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const list = isMemoized(items) ? items : await memo(async () => items);
  const progress = startProgress(label, list.length);
  try {
    return await mapBounded(list, deps.config.pollerConcurrency, async (item) => {
      try {
        const result = await step(() => fn(item));
        progress.tick();
        return result;
      } catch (e) {
        if (!(e instanceof SliceEnded)) progress.tick();
        throw e;
      }
    });
  } finally {
    progress.done();
  }
}

/**
 * `servers:disable` / `servers:panic` / sync force: for each meeting the balancer placed on the server,
 * prints `Clearing Meeting id=<id>`, deletes its record and (unless `sendEndCalls` is false) asks the server
 * to end it; a failed end is a warning on stderr. The work itself is the shared use case; each meeting is a
 * step of a long task (runBounded), its list the one the first slice read.
 */
export async function clearServerMeetings(deps: Deps, server: Server, sendEndCalls = true): Promise<void> {
  await clearMeetings(deps, server, {
    sendEnd: sendEndCalls,
    onMeeting: (meeting) => say(`Clearing Meeting id=${meeting.meetingID}`),
    onEndFailed: (meeting, e) => warn(`WARNING: Could not end meeting id=${meeting.meetingID}: ${errorText(e)}`),
    each: (items, fn) => runBounded(deps, 'Clearing meetings', items, fn),
  });
}
