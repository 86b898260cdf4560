import type { Server } from '../domain/entities.js';
import type { Tenant } from '../store/tenant-repo.js';

/** Ruby's BigDecimal#to_s for the multipliers we store: `2` → `"2.0"`, `1.5` → `"1.5"`. */
const decimal = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));

/** A server as Scalelite's admin API shows it (reference §1.8), fields in its order. */
export function adminServerJson(s: Server) {
  return {
    id: s.id,
    url: s.url,
    secret: s.secret,
    tag: s.tag ?? '',
    bbb_version: s.bbbVersion ?? '',
    state: s.state,
    load: s.state === 'disabled' || s.load === undefined ? 'unavailable' : s.load,
    load_multiplier: s.loadMultiplier === undefined ? 1.0 : decimal(s.loadMultiplier),
    online: s.online ? 'online' : 'offline',
    // ours (issue 16): only when set, so a server without one has Scalelite's shape
    ...(s.capacity !== undefined ? { capacity: s.capacity } : {}),
  };
}

/** The short form of getTenants. */
export const tenantListJson = (t: Tenant) => ({ id: t.id, name: t.name, secrets: t.secrets.join(':') });

/**
 * A tenant with the LRS fields that are set — never the LRS password, Keycloak client secret or
 * Keycloak password (Scalelite returns them; §9.1.3).
 */
export function adminTenantJson(t: Tenant) {
  const optional: Record<string, string | number> = {};
  if (t.lrsEndpoint) optional.lrs_endpoint = t.lrsEndpoint;
  if (t.lrsUsername) optional.lrs_username = t.lrsUsername;
  if (t.kcTokenUrl) optional.kc_token_url = t.kcTokenUrl;
  if (t.kcClientId) optional.kc_client_id = t.kcClientId;
  if (t.kcUsername) optional.kc_username = t.kcUsername;
  if (t.maxMeetings !== undefined) optional.max_meetings = t.maxMeetings;
  if (t.maxParticipants !== undefined) optional.max_participants = t.maxParticipants;
  return { id: t.id, name: t.name, secrets: t.secrets.join(':'), ...optional };
}
