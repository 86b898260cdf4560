import { randomUUID } from 'node:crypto';
import type { Server, ServerState } from '../domain/entities.js';
import type { ServerConfigChanges } from '../store/server-repo.js';
import { AdminError } from './admin-error.js';
import { clearServerMeetings } from './clear-server-meetings.js';
import type { Deps } from './deps.js';

export const serverNotFound = (id: string) => new AdminError('notFound', `Couldn't find server with id=${id}`);

/** A new server's id: the URL's host lower-cased when SERVER_ID_IS_HOSTNAME, else a random UUID v4. */
export function newServerId(url: string, idIsHostname: boolean): string {
  if (!idIsHostname) return randomUUID();
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // reported below
  }
  if (!host) throw new AdminError('invalid', `Server URL is not a valid URL: ${url}`);
  return host.toLowerCase();
}

/** A JSON load multiplier (number or numeric string); undefined when absent, NaN when unreadable. */
function multiplierOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value)) return Number(value);
  return NaN;
}

export const CAPACITY_ERROR = 'Capacity must be a whole number of users, 0 or more (0 removes it)';

/**
 * A JSON capacity (max users): a whole number ≥ 0 or its text; 0, `null` or `""` remove it (null).
 * undefined when absent; anything else (negative, fractional, not a number) is refused.
 */
export function capacityOf(value: unknown): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new AdminError('invalid', CAPACITY_ERROR);
  return n === 0 ? null : n;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

export interface ServerInput {
  url?: unknown;
  secret?: unknown;
  load_multiplier?: unknown;
  tag?: unknown;
  state?: unknown;
  /** max users (ours): a whole number; 0 or null removes it */
  capacity?: unknown;
}

/** `addServer`: a new server, disabled and offline until enabled and polled. */
export async function addServer(deps: Deps, input: ServerInput): Promise<Server> {
  const url = text(input.url)?.trim();
  const secret = text(input.secret);
  if (!url || !secret) throw new AdminError('invalid', 'Server needs a URL and a secret');
  if (!/^https?:\/\//.test(url)) throw new AdminError('invalid', 'Server URL must start with http:// or https://');
  const m = multiplierOf(input.load_multiplier);
  // Scalelite: missing, not a number or zero → 1.0; a negative one (which Scalelite takes, and which would make
  // the server the least loaded forever) is refused, as updateServer and slctl refuse it
  if (m !== undefined && Number.isFinite(m) && m < 0) throw new AdminError('invalid', 'Load-multiplier must be a positive number');
  const loadMultiplier = m === undefined || !Number.isFinite(m) || m === 0 ? 1 : m;
  const tag = text(input.tag)?.trim() ? text(input.tag) : undefined;
  const capacity = capacityOf(input.capacity);
  const id = newServerId(url, deps.config.serverIdIsHostname);
  if (!(await deps.store.servers.add({ id, url, secret, state: 'disabled', loadMultiplier, ...(tag ? { tag } : {}), ...(capacity ? { capacity } : {}) }))) {
    throw new AdminError('conflict', `Server already exists with id '${id}'`);
  }
  return (await deps.store.servers.get(id))!;
}

const STATES: Record<string, ServerState> = { enable: 'enabled', cordon: 'cordoned', disable: 'disabled' };

/** `updateServer`: state (enable/cordon/disable), load multiplier, secret, tag (`""` removes it), capacity (0 removes it). */
export async function updateServer(deps: Deps, id: string, input: ServerInput): Promise<Server> {
  const changes: ServerConfigChanges = {};
  if (input.state !== undefined) {
    const name = String(input.state);
    const state = Object.hasOwn(STATES, name) ? STATES[name] : undefined;
    if (!state) throw new AdminError('invalid', `Invalid state parameter: ${String(input.state)}`);
    changes.state = state;
  }
  const m = multiplierOf(input.load_multiplier);
  if (m !== undefined) {
    if (!Number.isFinite(m) || m === 0) throw new AdminError('invalid', 'Load-multiplier must be a non-zero number');
    if (m < 0) throw new AdminError('invalid', 'Load-multiplier must be a positive number');
    changes.loadMultiplier = m;
  }
  const secret = text(input.secret);
  if (secret !== undefined) {
    if (secret === '') throw new AdminError('invalid', 'The secret must not be empty');
    changes.secret = secret;
  }
  if (input.tag !== undefined) changes.tag = text(input.tag)?.trim() ? text(input.tag)! : null;
  const capacity = capacityOf(input.capacity);
  if (capacity !== undefined) changes.capacity = capacity;
  const updated = await deps.store.servers.updateConfig(id, changes);
  if (!updated) throw serverNotFound(id);
  deps.registry.invalidate();
  return updated;
}

export async function findServer(deps: Deps, id: string): Promise<Server> {
  const server = await deps.store.servers.get(id);
  if (!server) throw serverNotFound(id);
  return server;
}

export async function deleteServer(deps: Deps, id: string): Promise<void> {
  if (!(await deps.store.servers.remove(id))) throw serverNotFound(id);
  deps.registry.invalidate();
}

/**
 * `panicServer`: forgets every meeting on the server and asks the server to end it (with the stored
 * moderator password), then disables the server unless `keepState`. A failing `end` is logged and the
 * others still run (Scalelite stops at the first failure and leaves the state unchanged).
 */
export async function panicServer(deps: Deps, id: string, keepState: boolean): Promise<{ meetings: number; endFailures: number }> {
  const server = await findServer(deps, id);
  const cleared = await clearServerMeetings(deps, server, {
    sendEnd: true,
    onEndFailed: (meeting, e) => deps.log.warn('panic: end failed', { server: id, meetingID: meeting.meetingID, error: e.message }),
  });
  if (!keepState && !(await deps.store.servers.updateConfig(id, { state: 'disabled' }))) throw serverNotFound(id);
  deps.registry.invalidate();
  return cleared;
}
