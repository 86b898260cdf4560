import { createHash } from 'node:crypto';

/** BBB accepts meeting IDs of up to 256 characters; longer ones can never name a meeting. */
export const MAX_MEETING_ID_LENGTH = 256;

export const isValidMeetingId = (id: string): boolean => id.length <= MAX_MEETING_ID_LENGTH;

/** Separates the tenant from the front-end's meetingID in the id a BBB server sees. */
export const TENANT_ID_SEPARATOR = '~';

/**
 * The meetingID a BBB server sees. Without a tenant: the front-end's own. A tenant's meeting is
 * namespaced, `<tenantId>~<meetingID>`, so two tenants can run the same meetingID at the same time —
 * even on one server — without BBB (or our table, keyed by this id) taking them for one meeting. An id
 * that would pass BBB's 256 characters keeps the prefix and replaces the rest by its SHA-256
 * (`<tenantId>~#<hex>`): still one id per (tenant, meetingID). Answers are rewritten back to the
 * front-end's id from our records, never by parsing this one.
 */
export function bbbMeetingId(tenantId: string | undefined, meetingID: string): string {
  if (tenantId === undefined) return meetingID;
  const id = `${tenantId}${TENANT_ID_SEPARATOR}${meetingID}`;
  if (id.length <= MAX_MEETING_ID_LENGTH) return id;
  return `${tenantId}${TENANT_ID_SEPARATOR}#${createHash('sha256').update(meetingID, 'utf8').digest('hex')}`;
}

/** The tenant ledger key of no tenant. */
export const NO_TENANT = '_';

/**
 * The tenant of a meeting by the id its BBB server knows: the prefix before the first `~` when tenants are
 * on, else NO_TENANT. (BBB's own breakout rooms carry ids of BBB's making: they belong to their parent's tenant.)
 */
export function tenantOfBbbMeetingId(bbbId: string, multitenancy: boolean): string {
  if (!multitenancy) return NO_TENANT;
  const at = bbbId.indexOf(TENANT_ID_SEPARATOR);
  return at > 0 ? bbbId.slice(0, at) : NO_TENANT;
}
