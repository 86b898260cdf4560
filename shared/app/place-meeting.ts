import { randomInt, randomUUID } from 'node:crypto';
import { errors } from '../domain/api-error.js';
import { isSelectable, multiplierOf, type Meeting, type Server } from '../domain/entities.js';
import { presentParam, type Params } from '../domain/params.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import { chooseServer, hasRoom } from '../domain/placement.js';
import { committedUsers, youngMeetingWeight as weightInUsers } from '../domain/server-load.js';
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
  /** the meeting's expected size (`takeSizeHint`): reserved for its young period, and fitted to capacities */
  expected?: number;
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
/**
 * servers tried in one create when reservations are refused for capacity (others filled the server
 * since this instance's snapshot): the last books without the condition, so a create never fails for it
 */
const CAPACITY_RELOCATIONS = 8;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A moderator password for a create that brings none: 8 alphanumerics from the CSPRNG, as Scalelite's length. */
export function randomPassword(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** A young meeting's weight on a server without a size hint: the herd-safety band. */
export const youngMeetingWeight = (deps: Deps) => weightInUsers(deps.config);

/** What a create reserves on the server: `max(LOAD_MIN_USER_COUNT, expected)` users × its multiplier. */
const reservationOf = (deps: Deps, server: Server, expected?: number) => weightInUsers(deps.config, expected) * multiplierOf(server);

/** A chosen server, and the load at which it still has room for the meeting (only a server with a capacity). */
interface Choice {
  server: Server;
  /** the reservation must find the load at most this (undefined: no capacity, or placed without room) */
  maxLoad?: number;
  /** no server had room: placed by load (logged when the placement is booked) */
  full?: { expected: number; capacity: number; committed: number };
}

/**
 * Chooses a server and books its reservation in the in-process snapshot in the same synchronous step,
 * so concurrent placements of this process see it at once (loads are read live from the registry).
 * Servers whose capacity the meeting does not fit are skipped, unless none has room: then it is placed
 * by load as without capacities (`full`, logged once booked) — never refused. `unconditional`: the
 * reservation will not be conditioned on the room left (the last relocation attempt).
 */
function choose(deps: Deps, req: PlacementRequest, servers: Server[], exclude: ReadonlySet<string> = new Set(), unconditional = false): Choice {
  // the size checked against capacities: the hint, else what an unhinted create reserves
  const size = weightInUsers(deps.config, req.expected);
  const candidates = servers
    .filter((s) => isSelectable(s) && !exclude.has(s.id))
    .map((s) => {
      const load = deps.registry.cachedLoad(s.id) ?? s.load ?? 0;
      return { ...s, load, ...(s.capacity !== undefined ? { committed: committedUsers(load, multiplierOf(s), s.users) } : {}) };
    });
  const picked = chooseServer(candidates, req.tag, { band: youngMeetingWeight(deps), random: deps.random, size });
  const server = servers.find((s) => s.id === picked.id)!;
  deps.registry.addLoad(server.id, reservationOf(deps, server, req.expected));
  if (picked.capacity === undefined) return { server };
  if (!hasRoom(picked, size)) return { server, full: { expected: size, capacity: picked.capacity, committed: picked.committed ?? 0 } };
  return { server, maxLoad: multiplierOf(server) > 0 && !unconditional ? (picked.capacity - size) * multiplierOf(server) : undefined };
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
    ...(req.expected !== undefined ? { expectedParticipants: req.expected } : {}),
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
 * Books a young meeting's weight on the server (an `ADD` conditioned on it being selectable, and on its
 * load leaving room for the meeting under its capacity). 'refused': it is not selectable any more, or
 * others filled it meanwhile (the snapshot was stale). A DynamoDB failure costs only the reservation —
 * the poller measures the load — and is logged. A committed placement is counted (`Placements`).
 */
async function reserveLoad(deps: Deps, req: PlacementRequest, choice: Choice): Promise<'ok' | 'refused'> {
  const { server } = choice;
  const placed = (): 'ok' => {
    deps.metrics.count('Placements', 1, { server: server.id });
    if (choice.full) deps.log.warn('placement: no server has room for the meeting; placed by load', { meetingID: req.meetingID, server: server.id, ...choice.full });
    return 'ok';
  };
  try {
    const load = await deps.store.servers.reserveLoad(server.id, reservationOf(deps, server, req.expected), choice.maxLoad);
    if (load !== undefined) {
      deps.registry.noteLoad(server.id, load);
      return placed();
    }
  } catch (e) {
    deps.log.warn('load reservation failed', { server: server.id, error: (e as Error).message });
    return placed();
  }
  deps.registry.addLoad(server.id, -reservationOf(deps, server, req.expected));
  if (choice.maxLoad !== undefined) {
    // refused for capacity, or not selectable any more: one read tells which. Full: only this server's
    // load is refreshed — a reload would drop this process's bookings of creates still in flight
    const fresh = await deps.store.servers.get(server.id).catch(() => undefined);
    if (fresh && isSelectable(fresh)) {
      deps.registry.noteLoad(server.id, fresh.load!);
      return 'refused';
    }
  }
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
 * it meanwhile (the caller reads it again). A server that refused for capacity is not excluded: the
 * snapshot reloaded after the refusal shows its load, and the capacity check skips it while it is full.
 */
async function relocate(deps: Deps, req: PlacementRequest, from: Meeting, servers: Server[], now: number, capacityRefused = false): Promise<Placement | undefined> {
  const tried = new Set(capacityRefused ? [] : [from.serverId]);
  let current = from;
  for (let plain = 0, capped = capacityRefused ? 1 : 0; plain < RELOCATIONS; ) {
    // the last try for capacity still prefers a server with room (the snapshot was reloaded after the
    // refusal), but books without the capacity condition: a meeting is never refused for capacity
    const choice = choose(deps, req, servers, tried, capped >= CAPACITY_RELOCATIONS - 1);
    const target = choice.server;
    const moved: Meeting = {
      ...newMeeting(deps, req, target, now),
      voiceBridge: current.voiceBridge,
      moderatorPW: presentParam(req.params, 'moderatorPW') ?? current.moderatorPW,
    };
    if (!(await deps.store.meetings.replace(moved, current.serverId))) {
      deps.registry.addLoad(target.id, -reservationOf(deps, target, req.expected));
      return undefined;
    }
    deps.log.info('meeting re-placed', { meetingID: req.meetingID, from: current.serverId, to: target.id });
    const [, load] = await Promise.all([reserveVoiceBridge(deps, req, moved, now), reserveLoad(deps, req, choice)]);
    if (load === 'ok') return { meeting: moved, server: target, placedNow: true };
    if (choice.maxLoad !== undefined) capped++;
    else {
      plain++;
      tried.add(target.id);
    }
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
    let choice: Choice | undefined;
    let choiceError: unknown;
    try {
      choice = choose(deps, req, servers);
    } catch (e) {
      choiceError = e;
    }
    const chosen = choice?.server;
    let existing: Meeting | undefined;
    if (chosen) {
      const draft = newMeeting(deps, req, chosen, now);
      let found = await deps.store.meetings.findOrCreate(draft, now);
      if (found === 'stale') found = (await deps.store.meetings.create(draft, now)) ? { meeting: draft, created: true } : 'stale';
      if (found === 'stale') {
        deps.registry.addLoad(chosen.id, -reservationOf(deps, chosen, req.expected));
        continue; // a live record appeared meanwhile: read it on the next attempt
      }
      if (found.created) {
        const [, load] = await Promise.all([reserveVoiceBridge(deps, req, draft, now), reserveLoad(deps, req, choice!)]);
        if (load === 'ok') return { meeting: draft, server: chosen, placedNow: true };
        const moved = await relocate(deps, req, draft, await deps.registry.listServers(), now, choice!.maxLoad !== undefined);
        if (moved) return moved;
        continue;
      }
      deps.registry.addLoad(chosen.id, -reservationOf(deps, chosen, req.expected)); // the meeting existed: nothing reserved
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
