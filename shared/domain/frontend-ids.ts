import { TENANT_ID_SEPARATOR } from './meeting-id.js';
import { escapeText } from './xml.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A BBB document about one tenant meeting, with the namespaced id BBB knows (`bbbMeetingId`) turned
 * back into the front-end's meetingID in every `<meetingID>` element. Without a tenant the ids are the same.
 */
export function withFrontendMeetingId(xml: string, tenantId: string | undefined, meetingID: string): string {
  if (tenantId === undefined) return xml;
  const own = new RegExp(`<meetingID>${escapeRegExp(tenantId + TENANT_ID_SEPARATOR)}[^<]*</meetingID>`, 'g');
  const replacement = `<meetingID>${escapeText(meetingID)}</meetingID>`;
  return xml.replace(own, () => replacement);
}
