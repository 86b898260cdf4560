import { errors } from '../domain/api-error.js';
import { isSelectable, multiplierOf, type Meeting, type Server } from '../domain/entities.js';
import { presentParam, type Params } from '../domain/params.js';
import { chooseServer } from '../domain/placement.js';
import { voiceBridgeCandidates } from '../domain/voice-bridge.js';
import { metadataOf, leadingInt, type CapturedCallbacks } from './create-params.js';
import type { Deps } from './deps.js';

export interface PlacementRequest {
  meetingID: string;
  tenantId?: string;
  /** stamped into the stored metadata with the id, as BBB will report them */
  tenantName?: string;
  tag: string | undefined;
  params: Params;
  callbacks: CapturedCallbacks;
}

export interface Placement {
  meeting: Meeting;
  server: Server;
  /** true when this request placed the meeting (new or re-placed) */
  placedNow: boolean;
}

const VOICE_BRIDGE_TRIES = 10;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomPassword(random: () => number): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += ALNUM[Math.floor(random() * ALNUM.length)];
  return out;
}

/** A young meeting's weight on a server: what a create reserves, and the herd-safety band. */
export const youngMeetingWeight = (deps: Deps) => Math.max(1, deps.config.loadMinUserCount);

/**
 * Chooses a server and books its reservation in the in-process snapshot in the same synchronous step,
 * so concurrent placements of this process see it at once (loads are read live from the registry).
 */
function choose(deps: Deps, servers: Server[], tag: string | undefined, exclude?: string): Server {
  const candidates = servers
    .filter((s) => isSelectable(s) && s.id !== exclude)
    .map((s) => ({ ...s, load: deps.registry.cachedLoad(s.id) ?? s.load ?? 0 }));
  const picked = chooseServer(candidates, tag, { band: youngMeetingWeight(deps), random: deps.random });
  const server = servers.find((s) => s.id === picked.id)!;
  deps.registry.addLoad(server.id, reservationOf(deps, server));
  return server;
}

const reservationOf = (deps: Deps, server: Server) => youngMeetingWeight(deps) * multiplierOf(server);

function voiceBridges(deps: Deps, req: PlacementRequest): string[] {
  const generated = voiceBridgeCandidates(req.meetingID, deps.config.voiceBridgeLen, VOICE_BRIDGE_TRIES);
  const external = deps.config.useExternalVoiceBridge ? presentParam(req.params, 'voiceBridge') : undefined;
  return external ? [external, ...generated.slice(0, VOICE_BRIDGE_TRIES - 1)] : generated;
}

function newMeeting(deps: Deps, req: PlacementRequest, server: Server, now: number): Meeting {
  const duration = leadingInt(req.params.get('duration'));
  return {
    meetingID: req.meetingID,
    serverId: server.id,
    tenantId: req.tenantId,
    moderatorPW: presentParam(req.params, 'moderatorPW') ?? randomPassword(deps.random),
    attendeePW: presentParam(req.params, 'attendeePW'),
    voiceBridge: voiceBridges(deps, req)[0],
    name: req.params.get('name') ?? undefined,
    duration: duration || undefined,
    metadata: { ...metadataOf(req.params), ...(req.tenantId !== undefined ? { 'tenant-id': req.tenantId, 'tenant-name': req.tenantName ?? '' } : {}) },
    createdAt: now,
    expiresAt: Math.floor(now / 1000) + deps.config.defaultMeetingTtl,
    ...req.callbacks,
  };
}

/** Reserves the voice bridge and the server's load for a meeting this request just placed. */
async function reserve(deps: Deps, req: PlacementRequest, meeting: Meeting, server: Server, now: number): Promise<void> {
  const weight = reservationOf(deps, server);
  const [vbReserved, load] = await Promise.all([
    deps.store.meetings.reserveVoiceBridgeFor(meeting.voiceBridge, meeting, now),
    deps.store.servers.reserveLoad(server.id, weight),
  ]);
  if (load !== undefined) deps.registry.noteLoad(server.id, load);
  else deps.registry.invalidate(); // the snapshot thought it selectable; it is not any more
  if (vbReserved) return;
  for (const candidate of voiceBridges(deps, req).slice(1)) {
    if (await deps.store.meetings.reserveVoiceBridgeFor(candidate, meeting, now)) {
      meeting.voiceBridge = candidate;
      await deps.store.meetings.setVoiceBridge(meeting.meetingID, server.id, candidate);
      return;
    }
  }
  await deps.store.meetings.delete(meeting.meetingID, server.id);
  throw errors.internal(`Failed to allocate conference number for meeting ${meeting.meetingID} after ${VOICE_BRIDGE_TRIES} tries`);
}

/** Is the server usable for this existing meeting? Re-checks a doubtful snapshot with a fresh read. */
async function keepExisting(deps: Deps, meeting: Meeting): Promise<Server | undefined> {
  let server = await deps.registry.server(meeting.serverId);
  if (!server || !server.online || server.state === 'disabled') {
    server = await deps.store.servers.get(meeting.serverId);
    if (server && server.online && server.state !== 'disabled') deps.registry.invalidate();
  }
  if (!server || !server.online || server.state === 'disabled') return undefined;
  if (server.state === 'enabled') return server;
  // cordoned: keep the meeting there only while it is running
  try {
    const res = await deps.bbb.call(server, 'isMeetingRunning', new Map([['meetingID', meeting.meetingID]]), {
      connectTimeoutMs: deps.config.connectTimeoutMs,
      responseTimeoutMs: deps.config.responseTimeoutMs,
    });
    return String(res.response.running) === 'true' ? server : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds or places the meeting. New: one conditional put decides the winner under concurrency (losers
 * adopt the winner's server). Existing on an offline, disabled or removed server (or not running on a
 * cordoned one): re-placed with a put conditioned on the old server, so concurrent healers agree.
 */
export async function placeMeeting(deps: Deps, req: PlacementRequest): Promise<Placement> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock();
    const servers = await deps.registry.listServers();
    let chosen: Server | undefined;
    let choiceError: unknown;
    try {
      chosen = choose(deps, servers, req.tag);
    } catch (e) {
      choiceError = e;
    }
    if (chosen) {
      const meeting = newMeeting(deps, req, chosen, now);
      if (await deps.store.meetings.create(meeting, now)) {
        await reserve(deps, req, meeting, chosen, now);
        return { meeting, server: chosen, placedNow: true };
      }
      deps.registry.addLoad(chosen.id, -reservationOf(deps, chosen)); // the meeting existed: nothing reserved
    }
    const existing = await deps.store.meetings.get(req.meetingID, now);
    if (!existing) {
      if (choiceError) throw choiceError;
      continue; // ended between our put and our read: try again
    }
    if (req.tenantId !== undefined && existing.tenantId !== req.tenantId) {
      throw errors.internal(`Couldn't find Meeting with id=${req.meetingID} and tenant_id=${req.tenantId}`);
    }
    const server = await keepExisting(deps, existing);
    if (server) return { meeting: existing, server, placedNow: false };
    const target = choose(deps, servers, req.tag, existing.serverId);
    const moved: Meeting = {
      ...newMeeting(deps, req, target, now),
      voiceBridge: existing.voiceBridge,
      moderatorPW: presentParam(req.params, 'moderatorPW') ?? existing.moderatorPW,
    };
    if (!(await deps.store.meetings.replace(moved, existing.serverId))) {
      deps.registry.addLoad(target.id, -reservationOf(deps, target));
    } else {
      deps.log.info('meeting re-placed', { meetingID: req.meetingID, from: existing.serverId, to: target.id });
      // this create's callback URLs replace the earlier placement's (rare path, not in the create budget)
      if (moved.analyticsCallbackUrl !== undefined || moved.recordingReadyUrl !== undefined) await deps.store.meetings.reserveVoiceBridgeFor(moved.voiceBridge, moved, now);
      const load = await deps.store.servers.reserveLoad(target.id, reservationOf(deps, target));
      if (load !== undefined) deps.registry.noteLoad(target.id, load);
      return { meeting: moved, server: target, placedNow: true };
    }
  }
  throw errors.internal('Could not place the meeting, please retry.');
}
