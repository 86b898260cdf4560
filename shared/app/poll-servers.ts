import { parseMeetings, type ReportedMeeting } from '../bbb/parse-meetings.js';
import { multiplierOf, type Server } from '../domain/entities.js';
import { serverStats } from '../domain/server-load.js';
import type { ServerPollChanges } from '../store/server-repo.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';

/** A meeting created less than this before the cycle's getMeetings is never taken for ended. */
export const ENDED_GRACE_MS = 30_000;

export interface ServerPollOutcome {
  id: string;
  ok: boolean;
  online: boolean;
  wentOnline: boolean;
  wentOffline: boolean;
  meetingsEnded: number;
  writes: number;
  error?: string;
}

export interface PollReport {
  servers: number;
  online: number;
  offline: number;
  wentOnline: string[];
  wentOffline: string[];
  meetingsEnded: number;
  writes: number;
  durationMs: number;
}

/** Only the attributes whose value differs from what the server item holds. */
function diff(server: Server, next: ServerPollChanges): ServerPollChanges {
  const changes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    const current = (server as unknown as Record<string, unknown>)[k];
    if (v === null ? current !== undefined : v !== current) changes[k] = v;
  }
  return changes as ServerPollChanges;
}

async function fetchVersion(deps: Deps, server: Server): Promise<string | undefined> {
  try {
    const res = await deps.bbb.call(server, '', new Map(), { connectTimeoutMs: deps.config.connectTimeoutMs, responseTimeoutMs: deps.config.responseTimeoutMs });
    const v = res.response.bbbVersion;
    return v === undefined || v === null ? '' : String(v);
  } catch {
    return undefined;
  }
}

/** Removes the records of meetings the server no longer reports (never young ones). */
async function endVanished(deps: Deps, server: Server, reported: ReportedMeeting[], sentAt: number): Promise<{ ended: number; writes: number }> {
  const known = await deps.store.meetings.listByServer(server.id, deps.clock());
  const seen = new Map(reported.map((m) => [m.meetingID, m]));
  const cutoff = sentAt - ENDED_GRACE_MS;
  const ttl = deps.config.defaultMeetingTtl;
  const nowS = Math.floor(deps.clock() / 1000);
  let ended = 0;
  let writes = 0;
  for (const m of known) {
    const live = seen.get(m.meetingID);
    if (!live) {
      if (m.createdAt >= cutoff) continue;
      writes++;
      if (await deps.store.meetings.delete(m.meetingID, server.id, cutoff)) ended++;
      continue;
    }
    const changes: { info?: string; expiresAt?: number } = {};
    if (m.info !== live.xml) changes.info = live.xml;
    if (m.expiresAt - nowS < ttl / 2) changes.expiresAt = nowS + ttl;
    if (changes.info !== undefined || changes.expiresAt !== undefined) {
      writes++;
      await deps.store.meetings.updateSeen(m.meetingID, server.id, changes);
    }
  }
  return { ended, writes };
}

/** Takes an unreachable server out: its meetings are released so the next create re-places them. */
async function releaseMeetings(deps: Deps, server: Server): Promise<number> {
  const known = await deps.store.meetings.listByServer(server.id, deps.clock());
  let released = 0;
  for (const m of known) if (await deps.store.meetings.delete(m.meetingID, server.id)) released++;
  return released;
}

/** One poll of one server: health hysteresis, load and statistics, ended meetings. */
export async function pollServer(deps: Deps, server: Server): Promise<ServerPollOutcome> {
  const { config } = deps;
  const sentAt = deps.clock();
  const outcome: ServerPollOutcome = { id: server.id, ok: false, online: server.online, wentOnline: false, wentOffline: false, meetingsEnded: 0, writes: 0 };
  let reported: ReportedMeeting[] | undefined;
  try {
    const res = await deps.bbb.call(server, 'getMeetings', new Map(), { connectTimeoutMs: config.connectTimeoutMs, responseTimeoutMs: config.responseTimeoutMs });
    reported = parseMeetings(res.body);
  } catch (e) {
    outcome.error = (e as Error).message;
  }
  let next: ServerPollChanges;
  if (reported) {
    outcome.ok = true;
    const stats = serverStats(reported, deps.clock(), config, multiplierOf(server));
    next = { unhealthyCounter: 0 };
    let online = server.online;
    if (!online) {
      const healthy = server.healthyCounter + 1;
      if (healthy >= config.serverHealthyThreshold) {
        online = true;
        next = { ...next, healthyCounter: 0, online: true };
        outcome.wentOnline = true;
      } else next.healthyCounter = healthy;
    }
    if (online) {
      next = { ...next, load: server.state === 'disabled' ? null : stats.load, meetings: stats.meetings, users: stats.users, largestMeeting: stats.largestMeeting, videos: stats.videos };
      if (outcome.wentOnline || server.bbbVersion === undefined) {
        const version = await fetchVersion(deps, server);
        if (version !== undefined) next.bbbVersion = version;
      }
      const ended = await endVanished(deps, server, reported, sentAt);
      outcome.meetingsEnded = ended.ended;
      outcome.writes += ended.writes;
      if (server.state === 'cordoned' && stats.meetings === 0) {
        const drained = await deps.store.servers.drainCordoned(server.id);
        outcome.writes++;
        if (drained) next.load = null;
      }
    }
    outcome.online = online;
  } else {
    next = { healthyCounter: 0 };
    if (server.online) {
      const unhealthy = server.unhealthyCounter + 1;
      if (unhealthy >= config.serverUnhealthyThreshold) {
        outcome.meetingsEnded = await releaseMeetings(deps, server);
        outcome.writes += outcome.meetingsEnded;
        next = { healthyCounter: 0, unhealthyCounter: 0, online: false, load: null, meetings: 0, users: 0, largestMeeting: 0, videos: 0 };
        outcome.online = false;
        outcome.wentOffline = true;
      } else next.unhealthyCounter = unhealthy;
    }
  }
  const changes = diff(server, next);
  if (Object.keys(changes).length > 0) {
    await deps.store.servers.updatePoll(server.id, { ...changes, polledAt: deps.clock() });
    outcome.writes++;
  }
  return outcome;
}

/** One poll cycle over every server, at most `pollerConcurrency` at once; logs one line. */
export async function pollAll(deps: Deps): Promise<PollReport> {
  const started = deps.clock();
  const servers = await deps.store.servers.list();
  const outcomes = await mapBounded(servers, deps.config.pollerConcurrency, (s) =>
    pollServer(deps, s).catch((e: Error) => ({ id: s.id, ok: false, online: s.online, wentOnline: false, wentOffline: false, meetingsEnded: 0, writes: 0, error: e.message })),
  );
  const report: PollReport = {
    servers: servers.length,
    online: outcomes.filter((o) => o.online).length,
    offline: outcomes.filter((o) => !o.online).length,
    wentOnline: outcomes.filter((o) => o.wentOnline).map((o) => o.id),
    wentOffline: outcomes.filter((o) => o.wentOffline).map((o) => o.id),
    meetingsEnded: outcomes.reduce((n, o) => n + o.meetingsEnded, 0),
    writes: outcomes.reduce((n, o) => n + o.writes, 0),
    durationMs: deps.clock() - started,
  };
  deps.registry.invalidate();
  deps.log.info('poll cycle', { ...report });
  return report;
}
