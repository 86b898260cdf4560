import { randomInt, randomUUID } from 'node:crypto';
import { errors } from '../domain/api-error.js';
import { isSelectable, multiplierOf, type Meeting, type Server } from '../domain/entities.js';
import { presentParam, type Params } from '../domain/params.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import { chooseServer } from '../domain/placement.js';
import { voiceBridgeCandidates } from '../domain/voice-bridge.js';
import { metadataOf, leadingInt, type CapturedCallbacks } from './create-params.js';
import { callTimeouts } from './deadline.js';
import { timeoutsFor } from './call-server.js';
import type { Deps } from './deps.js';

export interface PlacementRequest {
  meetingID: string;
  tenantId?: string;
  /** stamped into the stored metadata with the id, as BBB will report them */
  tenantName?: string;
  tag: string | undefined;
  params: Params;
  callbacks: CapturedCallbacks;
  /** epoch ms: the request's deadline for BBB calls (a cordoned server's isMeetingRunning) */
  deadline?: number;
}

export interface Placement {
  meeting: Meeting;
  server: Server;
  /** true when this request placed the meeting (new or re-placed) */
  placedNow: boolean;
}

const VOICE_BRIDGE_TRIES = 10;
/** servers tried in one create when reservations are refused (the snapshot was stale) */
const RELOCATIONS = 3;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A moderator password for a create that brings none: 8 alphanumerics from the CSPRNG, as Scalelite's length. */
export function randomPassword(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** A young meeting's weight on a server: what a create reserves, and the herd-safety band. */
export const youngMeetingWeight = (deps: Deps) => Math.max(1, deps.config.loadMinUserCount);

const reservationOf = (deps: Deps, server: Server) => youngMeetingWeight(deps) * multiplierOf(server);

/**
 * Chooses a server and books its reservation in the in-process snapshot in the same synchronous step,
 * so concurrent placements of this process see it at once (loads are read live from the registry).
 */
function choose(deps: Deps, servers: Server[], tag: string | undefined, exclude: ReadonlySet<string> = new Set()): Server {
  const candidates = servers
    .filter((s) => isSelectable(s) && !exclude.has(s.id))
    .map((s) => ({ ...s, load: deps.registry.cachedLoad(s.id) ?? s.load ?? 0 }));
  const picked = chooseServer(candidates, tag, { band: youngMeetingWeight(deps), random: deps.random });
  const server = servers.find((s) => s.id === picked.id)!;
  deps.registry.addLoad(server.id, reservationOf(deps, server));
  return server;
}

function voiceBridges(deps: Deps, req: PlacementRequest): string[] {
  const generated = voiceBridgeCandidates(bbbMeetingId(req.tenantId, req.meetingID), deps.config.voiceBridgeLen, VOICE_BRIDGE_TRIES);
  const external = deps.config.useExternalVoiceBridge ? presentParam(req.params, 'voiceBridge') : undefined;
  return external ? [external, ...generated.filter((n) => n !== external).slice(0, VOICE_BRIDGE_TRIES - 1)] : generated;
}

function newMeeting(deps: Deps, req: PlacementRequest, server: Server, now: number): Meeting {
  const duration = leadingInt(req.params.get('duration'));
  return {
    meetingID: req.meetingID,
    serverId: server.id,
    tenantId: req.tenantId,
    moderatorPW: presentParam(req.params, 'moderatorPW') ?? randomPassword(),
    attendeePW: presentParam(req.params, 'attendeePW'),
    voiceBridge: voiceBridges(deps, req)[0],
    name: req.params.get('name') ?? undefined,
    duration: duration || undefined,
    metadata: { ...metadataOf(req.params), ...(req.tenantId !== undefined ? { 'tenant-id': req.tenantId, 'tenant-name': req.tenantName ?? '' } : {}) },
    createdAt: now,
    lastCreateAt: now,
    expiresAt: Math.floor(now / 1000) + deps.config.defaultMeetingTtl,
    placementId: randomUUID(),
    ...req.callbacks,
  };
}

/**
 * Reserves the meeting's voice bridge — or renews it, with this create's callback URLs and server: every
 * create writes it, so a placement whose reservation failed half-way is repaired by the next create.
 * Another number only when the meeting's was taken meanwhile (it had lost its reservation).
 */
async function reserveVoiceBridge(deps: Deps, req: PlacementRequest, meeting: Meeting, now: number): Promise<void> {
  if (await deps.store.meetings.reserveVoiceBridge(meeting.voiceBridge, meeting, now)) return;
  for (const candidate of voiceBridges(deps, req)) {
    if (candidate === meeting.voiceBridge) continue;
    if (await deps.store.meetings.reserveVoiceBridge(candidate, meeting, now)) {
      meeting.voiceBridge = candidate;
      await deps.store.meetings.setVoiceBridge(meeting, meeting.serverId, candidate);
      return;
    }
  }
  throw errors.internal(`Failed to allocate conference number for meeting ${meeting.meetingID} after ${VOICE_BRIDGE_TRIES} tries`);
}

/**
 * Books a young meeting's weight on the server (an `ADD` conditioned on it being selectable). 'refused':
 * it is not selectable any more (the snapshot was stale). A DynamoDB failure costs only the reservation —
 * the poller measures the load — and is logged.
 */
async function reserveLoad(deps: Deps, server: Server): Promise<'ok' | 'refused'> {
  try {
    const load = await deps.store.servers.reserveLoad(server.id, reservationOf(deps, server));
    if (load !== undefined) {
      deps.registry.noteLoad(server.id, load);
      return 'ok';
    }
  } catch (e) {
    deps.log.warn('load reservation failed', { server: server.id, error: (e as Error).message });
    return 'ok';
  }
  deps.registry.addLoad(server.id, -reservationOf(deps, server));
  deps.registry.invalidate();
  return 'refused';
}

/** Is the server usable for this existing meeting? Re-checks a doubtful snapshot with a fresh read. */
async function keepExisting(deps: Deps, meeting: Meeting, deadline?: number): Promise<Server | undefined> {
  let server = await deps.registry.server(meeting.serverId);
  if (!server || !server.online || server.state === 'disabled') {
    server = await deps.store.servers.get(meeting.serverId);
    if (server && server.online && server.state !== 'disabled') deps.registry.invalidate();
  }
  if (!server || !server.online || server.state === 'disabled') return undefined;
  if (server.state === 'enabled') return server;
  // cordoned: keep the meeting there only while it is running
  const t = callTimeouts(timeoutsFor(deps.config, true), deps.clock(), deadline);
  if (!t) return server; // no time left to ask: keeping it never splits a running meeting
  try {
    const res = await deps.bbb.call(server, 'isMeetingRunning', new Map([['meetingID', bbbMeetingId(meeting.tenantId, meeting.meetingID)]]), t);
    return String(res.response.running) === 'true' ? server : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves a placed meeting to another server: its server is unusable, or refused this create's load
 * reservation. Each move is a put conditioned on the previous server (concurrent healers agree); a
 * target that refuses its reservation too is left for the next. undefined: someone else moved or ended
 * it meanwhile (the caller reads it again).
 */
async function relocate(deps: Deps, req: PlacementRequest, from: Meeting, servers: Server[], now: number): Promise<Placement | undefined> {
  const tried = new Set([from.serverId]);
  let current = from;
  for (let i = 0; i < RELOCATIONS; i++) {
    const target = choose(deps, servers, req.tag, tried);
    const moved: Meeting = {
      ...newMeeting(deps, req, target, now),
      voiceBridge: current.voiceBridge,
      moderatorPW: presentParam(req.params, 'moderatorPW') ?? current.moderatorPW,
    };
    if (!(await deps.store.meetings.replace(moved, current.serverId))) {
      deps.registry.addLoad(target.id, -reservationOf(deps, target));
      return undefined;
    }
    deps.log.info('meeting re-placed', { meetingID: req.meetingID, from: current.serverId, to: target.id });
    const [, load] = await Promise.all([reserveVoiceBridge(deps, req, moved, now), reserveLoad(deps, target)]);
    if (load === 'ok') return { meeting: moved, server: target, placedNow: true };
    tried.add(target.id);
    current = moved;
    servers = await deps.registry.listServers();
  }
  throw errors.internal('Could not place the meeting, please retry.');
}

/**
 * Finds or places the meeting. One UpdateItem finds-or-creates the record (the first writer wins under
 * concurrency; a create of an existing meeting renews its protection from the poller in the same step).
 * New: the voice bridge and the server's load are reserved in parallel; a refused reservation moves the
 * meeting before BBB is called. Existing: its voice-bridge reservation is renewed (and repaired); on an
 * offline, disabled or removed server (or not running on a cordoned one) it is re-placed.
 * Budget: 3 round trips for a new meeting, 2 for an existing one.
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
    let existing: Meeting | undefined;
    if (chosen) {
      const draft = newMeeting(deps, req, chosen, now);
      let found = await deps.store.meetings.findOrCreate(draft, now);
      if (found === 'stale') found = (await deps.store.meetings.create(draft, now)) ? { meeting: draft, created: true } : 'stale';
      if (found === 'stale') {
        deps.registry.addLoad(chosen.id, -reservationOf(deps, chosen));
        continue; // a live record appeared meanwhile: read it on the next attempt
      }
      if (found.created) {
        const [, load] = await Promise.all([reserveVoiceBridge(deps, req, draft, now), reserveLoad(deps, chosen)]);
        if (load === 'ok') return { meeting: draft, server: chosen, placedNow: true };
        const moved = await relocate(deps, req, draft, await deps.registry.listServers(), now);
        if (moved) return moved;
        continue;
      }
      deps.registry.addLoad(chosen.id, -reservationOf(deps, chosen)); // the meeting existed: nothing reserved
      existing = found.meeting;
    } else {
      // no server takes new meetings: an existing meeting may still be usable where it is
      existing = await deps.store.meetings.touch(req, now);
      if (!existing) throw choiceError;
    }
    const server = await keepExisting(deps, existing, req.deadline);
    if (server) {
      const renewed = { ...existing, ...req.callbacks };
      await reserveVoiceBridge(deps, req, renewed, now);
      return { meeting: { ...existing, voiceBridge: renewed.voiceBridge }, server, placedNow: false };
    }
    const moved = await relocate(deps, req, existing, servers, now);
    if (moved) return moved;
  }
  throw errors.internal('Could not place the meeting, please retry.');
}
