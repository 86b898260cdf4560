/**
 * POST /fsapi (reference §1.11): which dial plan a FreeSWITCH caller gets. Deliberately stricter than
 * Scalelite (docs/COMPATIBILITY.md): only a live meeting on an online, not disabled server is bridged, and a
 * tenant's host bridges only that tenant's meetings. Cost: one voice-bridge GetItem (two for a breakout PIN)
 * + one meeting GetItem; the server comes from the registry snapshot.
 */
import { isUsable } from '../domain/entities.js';
import { bridgeToServer, maskedCallerId, NOT_FOUND_DOCUMENT, promptForPin, repromptForPin, type DialplanSettings } from '../domain/fsapi-dialplan.js';
import type { Deps } from './deps.js';

/** Whose meetings a request may reach: a tenant's host → that tenant's; the apex (or single-tenant mode) → any. */
export type DialinScope = { kind: 'any' } | { kind: 'tenant'; tenantId: string } | { kind: 'none' };

/** The form fields mod_xml_curl sends (first value of each). */
export type DialplanForm = ReadonlyMap<string, string>;

/** A PIN as FreeSWITCH collects it: digits only (anything else is never looked up). */
const PIN = /^\d{1,32}$/;

export async function answerDialplan(deps: Deps, form: DialplanForm, scope: DialinScope): Promise<string> {
  const did = form.get('Caller-Destination-Number') ?? '';
  if (form.get('section') !== 'dialplan' || did === '') return NOT_FOUND_DOCUMENT;
  const c = deps.config;
  const settings: DialplanSettings = { maxDurationMinutes: c.fsapiMaxDuration, minDigits: c.voiceBridgeMin, maxDigits: c.voiceBridgeMax };
  const pin = form.get('variable_pin');
  if (pin === undefined || pin === '') return promptForPin(did, settings);

  const now = deps.clock();
  // a breakout room's PIN is its parent's voice bridge plus one digit
  const target = PIN.test(pin) ? ((await bridgeTarget(deps, pin, scope, now)) ?? (pin.length > 5 ? await bridgeTarget(deps, pin.slice(0, -1), scope, now) : undefined)) : undefined;
  if (!target) return repromptForPin(did, settings);
  const callerId = maskedCallerId(form.get('Caller-Caller-ID-Name') ?? '', form.get('Caller-Privacy-Hide-Name') === 'true', form.get('Caller-Privacy-Hide-Number') === 'true');
  deps.log.info('fsapi bridge', { serverId: target.serverId, tenantId: target.tenantId ?? null });
  return bridgeToServer(did, pin, target.meetingId, callerId, target.host);
}

interface BridgeTarget {
  meetingId: string;
  host: string;
  serverId: string;
  tenantId?: string;
}

async function bridgeTarget(deps: Deps, number: string, scope: DialinScope, now: number): Promise<BridgeTarget | undefined> {
  if (scope.kind === 'none') return undefined;
  const owner = await deps.store.meetings.voiceBridgeOwner(number, now);
  if (!owner) return undefined;
  if (scope.kind === 'tenant' && owner.tenantId !== scope.tenantId) return undefined;
  const meeting = await deps.store.meetings.getByKey(owner.bbbId, now);
  if (!meeting || meeting.voiceBridge !== number) return undefined;
  const server = await deps.registry.server(meeting.serverId);
  if (!server || !isUsable(server)) return undefined;
  let host: string;
  try {
    host = new URL(server.url).hostname;
  } catch {
    return undefined;
  }
  return { meetingId: owner.bbbId, host, serverId: server.id, tenantId: meeting.tenantId };
}
