import { createHash } from 'node:crypto';
import { BbbFailedError, httpExchange, parseBbbResponse } from '../bbb/bbb-client.js';
import { parseGetMeetings, type ReportedMeeting } from '../bbb/parse-meetings.js';
import { multiplierOf, type Server, type ServerState } from '../domain/entities.js';
import { withFrontendMeetingId } from '../domain/frontend-ids.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import { serverStats } from '../domain/server-load.js';
import { tenantOfBbbMeetingId } from '../domain/meeting-id.js';
import { runPollCycleHooks } from './poll-cycle-hooks.js';
import type { ServerPollChanges } from '../store/server-repo.js';
import type { Deps } from './deps.js';
import { callTimeouts, type CallTimeouts } from './deadline.js';
import { mapBounded } from './map-bounded.js';

export { callTimeouts, MIN_CALL_MS } from './deadline.js';

/**
 * A meeting created less than this before the cycle's getMeetings was sent is never taken for ended:
 * BBB may not list it yet (the create is still in flight, Scalelite #320), and the API's clock may differ
 * from the poller's by a little.
 */
export const ENDED_GRACE_MS = 30_000;
/** Each server's BBB version is asked again about this often (and whenever it comes online). */
export const VERSION_REFRESH_MS = 3_600_000;
/**
 * A server whose records need no check this cycle (it reports no meetings, reported none last time,
 * and nothing was placed on it since) is still checked about this often, for records whose placement
 * left no trace on the server item (a create that failed, or a load multiplier of 0).
 */
export const RECORD_SWEEP_MS = 600_000;
/** Meeting-record writes of one server in flight at once. */
const MEETING_WRITES_IN_FLIGHT = 8;

export type PollResult =
  /** getMeetings answered SUCCESS */
  | 'ok'
  /** getMeetings failed (refused, timed out, not SUCCESS, not XML): counts towards going offline */
  | 'failed'
  /** not polled this cycle (the cycle's deadline was near), or failed only because the deadline cut its timeouts */
  | 'skipped'
  /** our side failed (e.g. a DynamoDB error): logged, nothing concluded about the server */
  | 'error';

/**
 * Why a server's poll failed, in one word: BBB's messageKey when it answered FAILED (`checksumError`: the
 * secret differs), else what went wrong on the way.
 */
export type PollFailureReason =
  /** nothing listens on the host and port */
  | 'refused'
  /** no connection or no answer within CONNECT_TIMEOUT / RESPONSE_TIMEOUT */
  | 'timeout'
  /** the host name does not resolve */
  | 'unknownHost'
  /** no route to the host */
  | 'unreachable'
  /** the connection was reset or closed before the answer */
  | 'reset'
  /** the TLS handshake failed (certificate, protocol) */
  | 'tls'
  /** the answer is not a BBB document (a web page: the URL's path is wrong?) */
  | 'notBbb'
  /** the server's URL cannot be called (not a valid URL) */
  | 'badUrl'
  /** anything else */
  | 'error'
  /** BBB's messageKey, e.g. checksumError */
  | (string & {});

/** The reason of a failed poll, from the error of its getMeetings. */
export function pollFailureReason(e: unknown): PollFailureReason {
  if (e instanceof BbbFailedError) return e.key || 'error';
  const text = e instanceof Error ? e.message : String(e);
  if (/ECONNREFUSED/.test(text)) return 'refused';
  if (/^no (connection|answer) within|ETIMEDOUT/.test(text)) return 'timeout';
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(text)) return 'unknownHost';
  if (/EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN/.test(text)) return 'unreachable';
  if (/ECONNRESET|socket hang up|EPIPE/.test(text)) return 'reset';
  if (/certificate|CERT_|SSL|TLS|EPROTO/i.test(text)) return 'tls';
  if (/not XML|did not include returncode|without messageKey/.test(text)) return 'notBbb';
  if (/Invalid URL/.test(text)) return 'badUrl';
  return 'error';
}

/** What the poll of one server found wrong: `<reason>: <detail>` (stored on the server as `pollError`). */
export const pollErrorText = (reason: PollFailureReason, detail: string): string => (detail && detail !== reason ? `${reason}: ${detail}` : reason);

/** One failed server of a cycle. */
export interface PollFailure {
  id: string;
  url: string;
  reason: PollFailureReason;
  /** the error as the call reported it */
  error: string;
}

/** One meeting a server reported in a cycle (result `ok`): what metrics, the usage ledger and tenant limits read. */
export interface PolledMeeting {
  serverId: string;
  /** the id the BBB server knows (`<tenant>~<meetingID>` for a tenant's meeting) */
  bbbMeetingId: string;
  /** by the id's prefix (tenantOfBbbMeetingId); NO_TENANT `_` without one */
  tenantId: string;
  participants: number;
  /** epoch ms */
  createTime: number;
  isBreakout: boolean;
  /** a breakout room's parent meeting (its bbbMeetingId) when the server listed it too: the room belongs to the parent's tenant */
  breakoutOf?: string;
}

export interface ServerPollOutcome {
  id: string;
  result: PollResult;
  /** online after this poll */
  online: boolean;
  wentOnline: boolean;
  wentOffline: boolean;
  /** cordoned → disabled in this poll */
  drained: boolean;
  meetingsEnded: number;
  /** DynamoDB write requests made */
  writes: number;
  error?: string;
  /** result `failed`: why */
  reason?: PollFailureReason;
  /** result `ok`: the meetings the server reported */
  reported?: PolledMeeting[];
  /** result `ok` and online: what the server's item now says */
  stats?: { meetings: number; users: number; load: number | null };
}

export interface PollReport {
  servers: number;
  /** servers whose getMeetings answered */
  polled: number;
  /** servers whose getMeetings failed */
  failed: number;
  /** servers not polled (deadline) or with an inconclusive poll */
  skipped: number;
  /** servers whose poll hit an error on our side (logged one by one) */
  errors: number;
  online: number;
  offline: number;
  wentOnline: string[];
  wentOffline: string[];
  drained: string[];
  /** the servers whose getMeetings failed (result `failed`), by id, each with its reason */
  failures: PollFailure[];
  meetingsEnded: number;
  writes: number;
  durationMs: number;
  /** the meetings of every server that answered this cycle (servers that did not are absent: see `failures`, `skipped`) */
  meetings: PolledMeeting[];
  /** per server that answered and is online: its meetings, users and load as written */
  serverStats: Array<{ id: string; meetings: number; users: number; load: number | null }>;
  /** the servers by state as this cycle leaves them (a drained server is disabled), online or not */
  byState?: Record<ServerState, { online: number; offline: number }>;
}

export interface PollOptions {
  /** epoch ms (deps.clock): no call runs past it; servers not reached by then are skipped */
  deadline?: number;
}

/** A stable spread of the servers over `periodMs`: true in one poll slot per period for each server. */
export function slotDue(serverId: string, nowMs: number, pollIntervalMs: number, periodMs: number): boolean {
  const slots = Math.max(1, Math.round(periodMs / Math.max(1, pollIntervalMs)));
  let h = 0;
  for (let i = 0; i < serverId.length; i++) h = (Math.imul(h, 31) + serverId.charCodeAt(i)) >>> 0;
  return h % slots === Math.floor(nowMs / pollIntervalMs) % slots;
}

/** Only the attributes whose value differs from what the server item holds (`null` = remove). */
export function changedPollAttributes(server: Server, next: ServerPollChanges): ServerPollChanges {
  const changes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const current = (server as unknown as Record<string, unknown>)[k];
    if (v === null ? current !== undefined : v !== current) changes[k] = v;
  }
  return changes as ServerPollChanges;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * A signed GET of a BBB API on a connection of its own, closed after the answer: the poller talks to
 * every server once a cycle, so a kept-alive socket per server would only pile up idle descriptors
 * (a Lambda has 1,024) and race the server's own idle close (a reset taken for a failed poll).
 */
async function bbbGet(deps: Deps, server: Server, apiName: string, t: CallTimeouts): Promise<string> {
  const res = await httpExchange(deps.bbb.url(server, apiName, new Map()), {
    connectTimeoutMs: t.connectTimeoutMs,
    responseTimeoutMs: t.responseTimeoutMs,
    headers: { Connection: 'close' },
  });
  return res.body;
}

async function fetchMeetings(deps: Deps, server: Server, t: CallTimeouts): Promise<ReportedMeeting[] | Error> {
  try {
    return await deps.bbb.measured('getMeetings', async () => parseGetMeetings(await bbbGet(deps, server, 'getMeetings', t)));
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** The server's `bbbVersion` ('' when BBB hides it); undefined when the call failed (the stored one is kept). */
async function fetchVersion(deps: Deps, server: Server, t: CallTimeouts): Promise<string | undefined> {
  try {
    const v = (await deps.bbb.measured('', async () => parseBbbResponse(await bbbGet(deps, server, '', t)))).response.bbbVersion;
    return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
  } catch {
    return undefined;
  }
}

interface Housekeeping {
  ended: number;
  writes: number;
  /** records still on the server after this poll (reported, young, or whose removal did not apply) */
  remaining: number;
  /** of those, the ones the server does not list (yet): placed meetings BBB is still creating — their expected sizes (issue 16) */
  pending: (number | undefined)[];
  /** the expected size of each listed meeting whose create gave one, by the id the server reports */
  hints: Map<string, number>;
}

/**
 * Whether this poll reads the server's meeting records. Not needed when the server reports no meetings,
 * reported none at its last poll, and no placement since reserved load on it (the load is still the 0
 * the poller measured): then every record on it older than the grace period was already checked. Nor
 * for a server polled for the first time: nothing can have been placed on it yet. A server back online
 * and a cordoned one (its drain depends on it) are always checked, and every server once per
 * RECORD_SWEEP_MS (records whose placement left no load behind; an id reused after a removal).
 */
export function recordCheckDue(server: Server, reportedCount: number, wentOnline: boolean, nowMs: number, pollIntervalMs: number): boolean {
  return (
    reportedCount > 0 ||
    server.meetings > 0 ||
    (server.load ?? 0) !== 0 ||
    (wentOnline && server.polledAt !== undefined) ||
    server.state === 'cordoned' ||
    slotDue(server.id, nowMs, pollIntervalMs, RECORD_SWEEP_MS)
  );
}

/**
 * Compares the records placed on the server with what it reports: a record the server no longer reports
 * (or that `end` marked ended) is removed with its snapshot — never one a create was forwarded for after
 * `sentAt − ENDED_GRACE_MS` (its `lastCreateAt`, checked again in the delete's condition), so a session
 * started again on BBB after this getMeetings was answered keeps its record. A reported one gets its
 * `<meeting>` snapshot (its own MeetingInfo item, front-end meetingID) and its expiry refreshed — written
 * only when the snapshot changed, or when less than half of DEFAULT_MEETING_TTL is left (then the
 * voice-bridge reservation and the snapshot move with it).
 */
async function housekeepMeetings(deps: Deps, server: Server, reported: ReportedMeeting[], sentAt: number): Promise<Housekeeping> {
  const now = deps.clock();
  const known = await deps.store.meetings.listByServer(server.id, now, { withEnded: true });
  const seen = new Map(reported.map((m) => [m.meetingID, m]));
  const cutoff = sentAt - ENDED_GRACE_MS;
  const ttl = deps.config.defaultMeetingTtl;
  const nowS = Math.floor(now / 1000);
  const out: Housekeeping = { ended: 0, writes: 0, remaining: 0, pending: [], hints: new Map() };
  const jobs: (() => Promise<void>)[] = [];
  for (const m of known) {
    const ended = m.endedAt !== undefined;
    const live = ended ? undefined : seen.get(bbbMeetingId(m.tenantId, m.meetingID));
    if (!live) {
      if (Math.max(m.createdAt, m.lastCreateAt ?? 0) >= cutoff) {
        out.remaining++;
        if (!ended) out.pending.push(m.expectedParticipants);
        continue;
      }
      jobs.push(async () => {
        out.writes++;
        if (await deps.store.meetings.delete(m, { serverId: server.id, createdBefore: cutoff })) out.ended++;
        else {
          // created again (young again) or moved meanwhile: not ended
          out.remaining++;
          out.pending.push(m.expectedParticipants);
        }
      });
      continue;
    }
    out.remaining++;
    if (m.expectedParticipants !== undefined) out.hints.set(live.meetingID, m.expectedParticipants);
    const xml = withFrontendMeetingId(live.xml, m.tenantId, m.meetingID);
    const hash = createHash('sha1').update(xml).digest('base64');
    const renew = m.expiresAt - nowS < ttl / 2;
    if (hash === m.infoHash && !renew) continue;
    const expiresAt = renew ? nowS + ttl : m.expiresAt;
    jobs.push(async () => {
      out.writes += renew ? 3 : 2;
      await Promise.all([
        deps.store.meetings.putInfo({ meetingID: m.meetingID, tenantId: m.tenantId, serverId: server.id, xml, expiresAt }),
        renew ? deps.store.meetings.renewVoiceBridge(m.voiceBridge, m, expiresAt) : undefined,
      ]);
      // the hash last: a failure above is retried by the next cycle
      await deps.store.meetings.updateSeen(m, server.id, { infoHash: hash, ...(renew ? { expiresAt } : {}) });
    });
  }
  const failures: string[] = [];
  await mapBounded(jobs, MEETING_WRITES_IN_FLIGHT, (job) => job().catch((e) => void failures.push(message(e))));
  if (failures.length > 0) {
    deps.log.warn('poll: meeting record writes failed', { server: server.id, failures: failures.length, error: failures[0] });
  }
  return out;
}

function outcomeOf(server: Server): ServerPollOutcome {
  return { id: server.id, result: 'ok', online: server.online, wentOnline: false, wentOffline: false, drained: false, meetingsEnded: 0, writes: 0 };
}

/**
 * One poll of one server: getMeetings → health hysteresis (SERVER_HEALTHY_THRESHOLD /
 * SERVER_UNHEALTHY_THRESHOLD), load and statistics, BBB version, ended meetings, cordoned → disabled.
 * Writes only poller-owned attributes that changed, with UpdateItem.
 *
 * Going offline keeps the server's meeting records: the server leaves the selectable set, and the next
 * create of each of its meetings re-places it (self-healing placement). A server that was only cut off
 * keeps its meetings when it comes back, and the records of meetings that ended meanwhile are removed
 * by its first successful poll.
 */
export async function pollServer(deps: Deps, server: Server, opts: PollOptions = {}): Promise<ServerPollOutcome> {
  const { config } = deps;
  const out = outcomeOf(server);
  const sentAt = deps.clock();
  const timeouts = callTimeouts(config, sentAt, opts.deadline);
  if (!timeouts) return { ...out, result: 'skipped' };

  const intervalMs = config.pollInterval * 1000;
  const versionDue = server.bbbVersion === undefined || !server.online || slotDue(server.id, sentAt, intervalMs, VERSION_REFRESH_MS);
  // In parallel when the server is expected to answer (or has never been polled); otherwise only after it answered.
  const versionAlongside = versionDue && (server.online || server.polledAt === undefined);
  const [reported, versionFetched] = await Promise.all([
    fetchMeetings(deps, server, timeouts),
    versionAlongside ? fetchVersion(deps, server, timeouts) : Promise.resolve(undefined),
  ]);

  // the item as this poll leaves it: the counters are counted in DynamoDB (ADD), so two pollers (the
  // Lambda and `slctl poll:all`) never lose a count, and the comparison below starts from what they wrote
  let base = server;
  let next: ServerPollChanges;
  if (reported instanceof Error) {
    out.error = reported.message;
    if (timeouts.clipped) return { ...out, result: 'skipped' };
    out.result = 'failed';
    out.reason = pollFailureReason(reported);
    // why it failed stays on the server (slctl status) until a poll succeeds; written when it changes
    next = { healthyCounter: 0, pollError: pollErrorText(out.reason, out.error) };
    if (server.online) {
      out.writes++;
      const unhealthy = await deps.store.servers.countPoll(server.id, 'unhealthyCounter', next.pollError);
      if (unhealthy === undefined) return out; // removed meanwhile
      base = { ...base, unhealthyCounter: unhealthy, healthyCounter: 0, pollError: next.pollError ?? undefined };
      deps.log.warn('poll: server did not answer', { server: server.id, reason: out.reason, error: out.error, failures: unhealthy, threshold: config.serverUnhealthyThreshold });
      next = { pollError: next.pollError };
      if (unhealthy >= config.serverUnhealthyThreshold) {
        next = { online: false, load: null, meetings: 0, users: 0, largestMeeting: 0, videos: 0, healthyCounter: 0, unhealthyCounter: 0 };
        out.online = false;
        out.wentOffline = true;
      }
    }
  } else {
    next = { unhealthyCounter: 0, pollError: null };
    out.reported = reported.map((m): PolledMeeting => ({
      serverId: server.id,
      bbbMeetingId: m.meetingID,
      tenantId: tenantOfBbbMeetingId(m.meetingID, config.multitenancyEnabled),
      participants: m.participantCount,
      createTime: m.createTime,
      isBreakout: m.isBreakout,
      ...(m.breakoutOf !== undefined ? { breakoutOf: m.breakoutOf } : {}),
    }));
    let online = server.online;
    if (!online) {
      out.writes++;
      const healthy = await deps.store.servers.countPoll(server.id, 'healthyCounter', server.pollError === undefined ? undefined : null);
      if (healthy === undefined) return out; // removed meanwhile
      base = { ...base, healthyCounter: healthy, unhealthyCounter: 0, pollError: undefined };
      if (healthy >= config.serverHealthyThreshold) {
        online = true;
        next = { ...next, online: true, healthyCounter: 0 };
        out.wentOnline = true;
      }
    }
    out.online = online;
    if (online) {
      let version = versionFetched;
      if (versionDue && !versionAlongside) {
        const t = callTimeouts(config, deps.clock(), opts.deadline);
        if (t) version = await fetchVersion(deps, server, t);
      }
      if (version !== undefined) next.bbbVersion = version;

      // Meeting records and the drain are secondary: an error there is logged, and the server's own
      // health and load are still written below.
      let kept: Housekeeping | undefined;
      let drained = false;
      try {
        kept = recordCheckDue(server, reported.length, out.wentOnline, sentAt, intervalMs)
          ? await housekeepMeetings(deps, server, reported, sentAt)
          : { ended: 0, writes: 0, remaining: 0, pending: [], hints: new Map() };
        out.meetingsEnded = kept.ended;
        out.writes += kept.writes;
        if (server.state === 'cordoned' && reported.length === 0 && kept.remaining === 0) {
          out.writes++;
          drained = await deps.store.servers.drainCordoned(server.id);
          out.drained = drained;
        }
      } catch (e) {
        out.error = message(e);
        deps.log.warn('poll: meeting records not checked', { server: server.id, error: out.error });
      }
      // a young meeting weighs at least what its create expected (the hint kept on its record)
      const stats = serverStats(reported, deps.clock(), config, multiplierOf(server), kept?.pending ?? 0, kept?.hints);
      out.stats = { meetings: stats.meetings, users: stats.users, load: server.state === 'disabled' || drained ? null : stats.load };
      next = {
        ...next,
        // a disabled server keeps no load; a drained one just lost it in drainCordoned
        ...(drained ? {} : { load: server.state === 'disabled' ? null : stats.load }),
        meetings: stats.meetings,
        users: stats.users,
        largestMeeting: stats.largestMeeting,
        videos: stats.videos,
      };
    }
  }

  const changes = changedPollAttributes(base, next);
  if (Object.keys(changes).length > 0) {
    out.writes++;
    // polledAt marks a poll that changed what the server reports; a new failure reason alone is not one
    const reportsChanged = Object.keys(changes).some((k) => k !== 'pollError');
    await deps.store.servers.recordPoll(server.id, reportsChanged ? { ...changes, polledAt: deps.clock() } : changes);
  }
  return out;
}

/** The servers by state after the cycle (`drained`: now disabled), each online or offline as its poll left it. */
function countByState(servers: Server[], outcomes: ServerPollOutcome[]): NonNullable<PollReport['byState']> {
  const out: NonNullable<PollReport['byState']> = { enabled: { online: 0, offline: 0 }, cordoned: { online: 0, offline: 0 }, disabled: { online: 0, offline: 0 } };
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  for (const s of servers) {
    const o = byId.get(s.id);
    const state: ServerState = o?.drained ? 'disabled' : s.state;
    out[state][(o?.online ?? s.online) ? 'online' : 'offline']++;
  }
  return out;
}

/** `servers` starting at a position that moves every cycle, so a deadline never skips the same servers. */
function rotated<T>(items: T[], cycleNumber: number): T[] {
  if (items.length === 0) return items;
  const k = cycleNumber % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

const LOGGED_IDS = 20;
const idsForLog = (ids: string[]) => (ids.length <= LOGGED_IDS ? ids : [...ids.slice(0, LOGGED_IDS), `…+${ids.length - LOGGED_IDS}`]);
/** The failed servers in the cycle's log line: `<id>: <reason>: <error>`, at most LOGGED_IDS of them. */
const failuresForLog = (failures: PollFailure[]) => idsForLog(failures.map((f) => `${f.id}: ${pollErrorText(f.reason, f.error)}`));

/**
 * One poll cycle over every server (disabled ones included, as Scalelite), at most POLLER_CONCURRENCY at
 * once, each bounded by CONNECT_TIMEOUT + RESPONSE_TIMEOUT (and by the deadline). A failure of one server
 * never stops the others. Logs one line.
 */
export async function pollAll(deps: Deps, opts: PollOptions = {}): Promise<PollReport> {
  const started = deps.clock();
  const servers = await deps.store.servers.list();
  const order = rotated(servers, Math.floor(started / (deps.config.pollInterval * 1000)));
  const outcomes = await mapBounded(order, deps.config.pollerConcurrency, (s) =>
    pollServer(deps, s, opts).catch((e: unknown): ServerPollOutcome => {
      deps.log.warn('poll: server poll failed on our side', { server: s.id, error: message(e) });
      return { ...outcomeOf(s), result: 'error', error: message(e) };
    }),
  );
  const count = (r: PollResult) => outcomes.filter((o) => o.result === r).length;
  const ids = (pick: (o: ServerPollOutcome) => boolean) => outcomes.filter(pick).map((o) => o.id).sort();
  const urls = new Map(servers.map((s) => [s.id, s.url]));
  const failures = outcomes
    .filter((o) => o.result === 'failed')
    .map((o): PollFailure => ({ id: o.id, url: urls.get(o.id) ?? '', reason: o.reason ?? 'error', error: o.error ?? '' }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const report: PollReport = {
    servers: servers.length,
    polled: count('ok'),
    failed: count('failed'),
    skipped: count('skipped'),
    errors: count('error'),
    online: outcomes.filter((o) => o.online).length,
    offline: outcomes.filter((o) => !o.online).length,
    wentOnline: ids((o) => o.wentOnline),
    wentOffline: ids((o) => o.wentOffline),
    drained: ids((o) => o.drained),
    failures,
    meetingsEnded: outcomes.reduce((n, o) => n + o.meetingsEnded, 0),
    writes: outcomes.reduce((n, o) => n + o.writes, 0),
    durationMs: deps.clock() - started,
    meetings: outcomes.flatMap((o) => o.reported ?? []),
    serverStats: outcomes.flatMap((o) => (o.stats ? [{ id: o.id, ...o.stats }] : [])),
    byState: countByState(servers, outcomes),
  };
  deps.registry.invalidate();
  const { meetings, serverStats: perServer, ...summary } = report;
  deps.log.info('poll cycle', {
    ...summary,
    meetingsReported: meetings.length,
    wentOnline: idsForLog(report.wentOnline),
    wentOffline: idsForLog(report.wentOffline),
    drained: idsForLog(report.drained),
    failures: failuresForLog(report.failures),
  });
  await runPollCycleHooks(deps, report, { cycle: Math.floor(started / (deps.config.pollInterval * 1000)), startedAt: started });
  return report;
}
