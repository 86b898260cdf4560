import type { Deps } from '../shared/app/deps.js';
import type { Server } from '../shared/domain/entities.js';
import type { ServerConfigChanges } from '../shared/store/server-repo.js';
import { errorText, runBounded, sendEnd } from './bbb-tasks.js';
import { CliError } from './cli-error.js';
import { rubyFloat } from './format-server.js';
import { startProgress } from './progress.js';
import type { DesiredServer, SyncMode } from './sync-file.js';
import { memo, step } from './task-slice.js';

export interface SyncOutput {
  /** Scalelite's Rails-log lines (`[<id>] Server created`, …) */
  info(line: string): void;
  /** Scalelite's warnings (a failed end call) */
  warn(line: string): void;
}

/**
 * Makes the servers match the file (Scalelite's `ServerSync.sync`): creates the missing ones, updates
 * url / secret / load multiplier / tag, enables or cordons as `enabled` says; servers not in the file are
 * kept (`keep`), removed when they hold no meetings, else cordoned (`cordon`) — or, in `force` mode, their
 * meetings are really ended on BBB (Scalelite's end calls always fail) and the servers removed.
 *
 * A dry run prints the same lines — the plan — and changes nothing: no write, no BBB call.
 * Every write touches only admin-owned attributes (one UpdateItem), so a poll cycle loses nothing.
 *
 * A long task (cli/task-slice.ts): each server of the file is a step, and each write of a retired server
 * and each of its meetings ended; the servers (and a retired server's meetings) are read once, in the
 * first slice. Applying a file twice is harmless anyway (the plan of a second run is empty).
 */
export async function syncServers(deps: Deps, desired: readonly DesiredServer[], mode: SyncMode, dryRun: boolean, out: SyncOutput): Promise<void> {
  const current = new Map((await memo(() => deps.store.servers.list())).map((s) => [s.id, s]));
  const wanted = new Set(desired.map((d) => d.id));
  const retired = [...current.values()].filter((s) => !wanted.has(s.id));
  // one write or more per server, one after the other: a line on a terminal for a long file
  const progress = startProgress('Syncing servers', desired.length + retired.length);
  try {
    for (const want of desired) {
      await step(() => syncOne(deps, want, current.get(want.id), dryRun, out));
      progress.tick();
    }
    for (const server of retired) {
      await retire(deps, server, mode, dryRun, out);
      progress.tick();
    }
  } finally {
    progress.done();
  }
}

async function syncOne(deps: Deps, want: DesiredServer, found: Server | undefined, dryRun: boolean, out: SyncOutput): Promise<void> {
  const log = (text: string) => out.info(`[${want.id}] ${text}`);
  let server = found;
  if (!server) {
    const created =
      dryRun ||
      (await deps.store.servers.add({
        id: want.id,
        url: want.url,
        secret: want.secret,
        state: want.enabled ? 'enabled' : 'disabled',
        loadMultiplier: want.loadMultiplier,
        ...(want.tag !== undefined ? { tag: want.tag } : {}),
        ...(want.capacity !== undefined ? { capacity: want.capacity } : {}),
      }));
    if (created) {
      log('Server created');
      if (want.enabled) log('Server enabled');
      return;
    }
    server = await deps.store.servers.get(want.id); // created by someone else meanwhile: update it
    if (!server) throw new CliError(`ERROR: Server with id '${want.id}' is deleted`, 1);
  }

  const changes: ServerConfigChanges = {};
  if (server.url !== want.url) {
    changes.url = want.url;
    log(`Server updated: url=${want.url}`);
  }
  if (server.secret !== want.secret) {
    changes.secret = want.secret;
    log('Server updated: secret=*****');
  }
  if ((server.loadMultiplier ?? 1) !== want.loadMultiplier) {
    changes.loadMultiplier = want.loadMultiplier;
    log(`Server updated: load_multiplier=${rubyFloat(want.loadMultiplier)}`);
  }
  if (server.tag !== want.tag) {
    changes.tag = want.tag ?? null;
    log(`Server updated: tag=${want.tag ?? ''}`);
  }
  if (server.capacity !== want.capacity) {
    changes.capacity = want.capacity ?? null;
    log(`Server updated: capacity=${want.capacity ?? ''}`);
  }
  if (want.enabled && server.state !== 'enabled') {
    changes.state = 'enabled';
    log('Server enabled');
  } else if (!want.enabled && server.state === 'enabled') {
    changes.state = 'cordoned';
    log('Server disabled (cordoned)');
  }
  if (dryRun || Object.keys(changes).length === 0) return;
  if (!(await deps.store.servers.updateConfig(server.id, changes))) throw new CliError(`ERROR: Server with id '${server.id}' is deleted`, 1);
}

/** A server that is not in the file. */
async function retire(deps: Deps, server: Server, mode: SyncMode, dryRun: boolean, out: SyncOutput): Promise<void> {
  const id = server.id;
  const log = (text: string) => out.info(`[${id}] ${text}`);
  if (mode === 'keep') return log('Server not removed');

  const meetings = await memo(() => deps.store.meetings.listByServer(id, deps.clock()));
  if (meetings.length === 0) {
    return step(async () => {
      if (!dryRun) await deps.store.servers.remove(id);
      log('Server removed');
    });
  }
  if (server.state === 'enabled') {
    await step(async () => {
      if (!dryRun) await deps.store.servers.updateConfig(id, { state: 'cordoned' });
      log('Server not empty. Cordoned for removal');
    });
  }
  if (mode === 'cordon') return;

  log('Server not empty. Ending meetings now...');
  await runBounded(deps, `Ending meetings on ${id}`, meetings, async (meeting) => {
    log(`Try to end meeting id=${meeting.meetingID}`);
    if (dryRun) return;
    try {
      await sendEnd(deps, server, meeting);
    } catch (e) {
      // not fatal: the meeting may have ended already
      out.warn(`[${id}] Failed to end meeting id=${meeting.meetingID}: ${errorText(e)}`);
    }
    await deps.store.meetings.delete(meeting, { serverId: id });
  });
  await step(async () => {
    // a meeting placed meanwhile (by an API instance whose snapshot still saw the server enabled) keeps it
    if (!dryRun && (await deps.store.meetings.listByServer(id, deps.clock())).length > 0) {
      throw new CliError(`ERROR: [${id}] Server still not empty!`, 1);
    }
    log('Server removed');
    if (!dryRun) await deps.store.servers.remove(id);
  });
}
