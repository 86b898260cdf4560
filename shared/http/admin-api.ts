import { AdminError } from '../app/admin-error.js';
import type { Deps } from '../app/deps.js';
import { addServer, deleteServer, findServer, panicServer, updateServer, type ServerInput } from '../app/server-admin.js';
import { addTenant, findTenant, removeTenant, updateTenant } from '../app/tenant-admin.js';
import { setTenantLimits, type LimitChanges } from '../app/tenant-limits.js';
import { MAX_LIMIT, parseLimit } from '../domain/tenant-limits.js';
import { errors } from '../domain/api-error.js';
import { splitChecksum, verifyChecksum } from '../domain/checksum.js';
import { adminServerJson, adminTenantJson, tenantListJson } from './admin-json.js';
import type { IncomingRequest } from './request-input.js';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

interface AdminInput {
  /** `id` from the query or the top level of the body */
  id: string | undefined;
  /** the entity: the body's `server`/`tenant` object, else the whole body (Rails parameter wrapping) */
  entity: Record<string, unknown>;
  /** the top level of the body */
  top: Record<string, unknown>;
}

interface AdminRoute {
  method: 'GET' | 'POST';
  /** the tenants endpoints need MULTITENANCY_ENABLED */
  tenants: boolean;
  run: (deps: Deps, input: AdminInput) => Promise<AdminAnswer>;
}

const ok = (body: unknown, status = 200): AdminAnswer => ({ status, body });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** Rails' `present?` for a JSON value. */
const present = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function missingId(): never {
  throw new AdminError('invalid', 'param is missing or the value is empty: id');
}

/**
 * A JSON object's own properties on a null-prototype object: a client's names (`__proto__`,
 * `constructor`, `toString`) are plain keys, and a name the client did not send reads as undefined.
 */
const ownCopy = (o: Record<string, unknown>): Record<string, unknown> => Object.assign(Object.create(null) as Record<string, unknown>, o);

/** `String(v)` that cannot throw (`{"toString": 1}` has no primitive value). */
function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** The states `updateServer` takes; checked as strings here, so `__proto__` or `constructor` are only invalid states. */
const SERVER_STATES: readonly string[] = ['enable', 'cordon', 'disable'];

function checkedServerInput(entity: Record<string, unknown>): ServerInput {
  const state = entity.state;
  if (state !== undefined && !(typeof state === 'string' && SERVER_STATES.includes(state))) {
    throw new AdminError('invalid', `Invalid state parameter: ${safeString(state)}`);
  }
  return entity as ServerInput;
}

/**
 * The tenant's limits in an updateTenant body (ours): `max_meetings`, `max_participants` as a whole
 * number (JSON number or digits), 0 = no limit; undefined when neither is given.
 */
function limitChangesOf(entity: Record<string, unknown>): LimitChanges | undefined {
  const one = (name: string): number | null | undefined => {
    const v = entity[name];
    if (v === undefined) return undefined;
    const parsed = typeof v === 'number' || typeof v === 'string' ? parseLimit(String(v)) : undefined;
    if (parsed === undefined) throw new AdminError('invalid', `${name} must be a whole number from 0 (no limit) to ${MAX_LIMIT}`);
    return parsed;
  };
  const changes: LimitChanges = { maxMeetings: one('max_meetings'), maxParticipants: one('max_participants') };
  return changes.maxMeetings === undefined && changes.maxParticipants === undefined ? undefined : changes;
}

/** Scalelite's admin API (reference §1.8): servers and tenants, JSON in and out. */
const ROUTES: Record<string, AdminRoute> = {
  getServers: {
    method: 'GET',
    tenants: false,
    run: async (deps) => {
      const servers = await deps.store.servers.list();
      return servers.length === 0 ? ok({ error: 'No servers are configured' }, 404) : ok(servers.map(adminServerJson));
    },
  },
  getServerInfo: { method: 'GET', tenants: false, run: async (deps, i) => ok(adminServerJson(await findServer(deps, i.id ?? missingId()))) },
  addServer: { method: 'POST', tenants: false, run: async (deps, i) => ok(adminServerJson(await addServer(deps, i.entity as ServerInput)), 201) },
  updateServer: {
    method: 'POST',
    tenants: false,
    run: async (deps, i) => ok(adminServerJson(await updateServer(deps, i.id ?? missingId(), checkedServerInput(i.entity)))),
  },
  deleteServer: {
    method: 'POST',
    tenants: false,
    run: async (deps, i) => {
      const id = i.id ?? missingId();
      await deleteServer(deps, id);
      return ok({ success: `Server id=${id} was destroyed` });
    },
  },
  panicServer: {
    method: 'POST',
    tenants: false,
    run: async (deps, i) => {
      const id = i.id ?? missingId();
      const keep = i.top.keep_state === true || i.top.keep_state === 'true';
      await panicServer(deps, id, keep);
      return ok({ success: `Server id=${id} has been disabled and the meetings have been destroyed` });
    },
  },
  getTenants: {
    method: 'GET',
    tenants: true,
    run: async (deps) => {
      const tenants = await deps.store.tenants.listAll();
      return tenants.length === 0 ? ok({ message: 'No tenants exist' }) : ok(tenants.map(tenantListJson));
    },
  },
  getTenantInfo: { method: 'GET', tenants: true, run: async (deps, i) => ok(adminTenantJson(await findTenant(deps, i.id ?? missingId()))) },
  addTenant: {
    method: 'POST',
    tenants: true,
    run: async (deps, i) => {
      const name = present(i.entity.name);
      const secrets = present(i.entity.secrets);
      if (!name || !secrets) return ok({ message: 'Error: both name and secrets are required to create a Tenant' }, 400);
      return ok({ tenant: adminTenantJson(await addTenant(deps, name, secrets)) }, 201);
    },
  },
  updateTenant: {
    method: 'POST',
    tenants: true,
    run: async (deps, i) => {
      const id = i.id ?? missingId();
      const [name, secrets, limits] = [present(i.entity.name), present(i.entity.secrets), limitChangesOf(i.entity)];
      let tenant = name || secrets || !limits ? await updateTenant(deps, id, { name, secrets }) : undefined;
      if (limits) tenant = await setTenantLimits(deps, id, limits);
      return ok({ tenant: adminTenantJson(tenant!) });
    },
  },
  deleteTenant: {
    method: 'POST',
    tenants: true,
    run: async (deps, i) => {
      const id = i.id ?? missingId();
      await removeTenant(deps, id);
      return ok({ success: `Tenant id=${id} was destroyed` });
    },
  },
};

const STATUS: Record<AdminError['kind'], number> = { notFound: 404, invalid: 400, conflict: 409 };

export type AdminResult = { kind: 'json'; answer: AdminAnswer } | { kind: 'xmlError'; key: string; message: string };

export interface AdminApi {
  /**
   * Runs one admin call: method, content type, checksum (admin secrets), multitenancy, action. A checksum
   * in the query is checked before the JSON body is read; only a call that carries its checksum in the
   * body (Scalelite accepts that too) has its body read and parsed first.
   */
  handle(call: string, req: IncomingRequest): Promise<AdminResult>;
  /** the secrets the checksum accepts */
  readonly secrets: readonly string[];
}

/**
 * The admin API is signed like the BBB API (`sha(call + query + secret)`), but with ADMIN_SECRET;
 * only while that is unset it falls back to the LB secrets (the warning is logged by the app).
 */
export function createAdminApi(deps: Deps): AdminApi {
  const { config } = deps;
  const secrets = config.adminSecrets.length > 0 ? config.adminSecrets : config.loadbalancerSecrets;
  const xmlError = (e: { key: string; message: string }): AdminResult => ({ kind: 'xmlError', key: e.key, message: e.message });
  return {
    secrets,
    async handle(call, incoming) {
      const route = Object.hasOwn(ROUTES, call) ? ROUTES[call] : undefined;
      if (!route || route.method !== incoming.method) return xmlError(errors.unsupportedRequest());
      if (incoming.method === 'POST' && incoming.kind !== 'json' && (await incoming.hasBody())) return xmlError(errors.unsupportedContentType());
      const queryChecksum = splitChecksum(incoming.rawQuery).checksums.length > 0;
      const checked = (checksum: string | undefined) =>
        verifyChecksum({ apiName: call, rawQuery: incoming.rawQuery, checksum, secrets, allowed: config.checksumAlgorithms });
      // the query's checksum decides alone (verifyChecksum ignores the body's when the query has one): no body is read before it passed
      if (queryChecksum && !checked(undefined)) return xmlError(errors.checksum());
      const req = await incoming.complete();
      let top: Record<string, unknown> = {};
      if (req.kind === 'json' && req.body.trim() !== '') {
        try {
          const parsed = JSON.parse(req.body) as unknown;
          if (!isObject(parsed)) return { kind: 'json', answer: { status: 400, body: { error: 'The body must be a JSON object' } } };
          top = ownCopy(parsed);
        } catch {
          return { kind: 'json', answer: { status: 400, body: { error: 'The body is not valid JSON' } } };
        }
      }
      if (!queryChecksum && !checked(str(top.checksum))) return xmlError(errors.checksum());
      if (route.tenants && !config.multitenancyEnabled) return { kind: 'json', answer: { status: 412, body: { message: 'Multitenancy is disabled' } } };
      const wrapper = route.tenants ? 'tenant' : 'server';
      const id = present(req.params.get('id') ?? undefined) ?? present(top.id);
      const input: AdminInput = { id, entity: isObject(top[wrapper]) ? ownCopy(top[wrapper]) : top, top };
      try {
        const answer = await route.run(deps, input);
        if (route.method === 'POST') deps.registry.invalidate();
        return { kind: 'json', answer };
      } catch (e) {
        if (!(e instanceof AdminError)) throw e;
        const message = e.kind === 'notFound' && route.tenants ? `Couldn't find Tenant with id=${id}` : e.message;
        return { kind: 'json', answer: { status: STATUS[e.kind], body: { error: message } } };
      }
    },
  };
}
