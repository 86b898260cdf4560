import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { bbbMeetingId } from '../domain/meeting-id.js';
import type { Recording } from '../domain/recording.js';
import { DestinationRefusedError } from '../net/safe-http.js';
import type { OutboxCallback } from '../store/callback-outbox-repo.js';
import { callTimeouts } from './deadline.js';
import type { Deps } from './deps.js';
import { mapBounded } from './map-bounded.js';

/**
 * The recording-ready callback (reference §5.8), with the retries Scalelite lacks. After an import the
 * importer calls `announceRecording`; it looks up the URL the meeting's create left
 * (`meta_bn-`/`meta_bbb-`/`meta_canvas-recording-ready-url`), records the announcement in the outbox
 * (once per import: shared/store/callback-outbox-repo.ts) and makes the first attempt at once. An attempt
 * POSTs `signed_parameters=<JWT>` (form-encoded; payload `{meeting_id, record_id}`, HS256 when SHA256 is
 * allowed, else HS512 when SHA512 is, else HS256) with each of the tenant's (multitenant) or the LB
 * secrets in turn: 2xx → delivered; 404/410 → stopped (BBB's meaning: the meeting is gone); other
 * answers → the next secret. A timeout, a transport error or a 5xx (also 408/429) makes the attempt
 * fail for now: the poller (`deliverDueCallbacks`, every cycle) tries again after 1, 2, 4, 8, 15 and
 * 30 minutes — seven attempts over about an hour — then gives up with a warning. The URL obeys the
 * outgoing rules of tenant URLs (https, public addresses; ALLOW_PRIVATE_CALLBACK_URLS lifts them); a
 * refused URL is never retried.
 */

/** Waits after the 1st, 2nd, … failed attempt: about an hour in all. */
export const RECORDING_READY_BACKOFF_MS: readonly number[] = [1, 2, 4, 8, 15, 30].map((m) => m * 60_000);
/** The first attempt and one after each wait. */
export const RECORDING_READY_MAX_ATTEMPTS = RECORDING_READY_BACKOFF_MS.length + 1;
/** A claimed attempt whose runner died (crash, Lambda timeout) is taken up again after this long. */
export const RECORDING_READY_LEASE_MS = 5 * 60_000;
/** Announcements one poll cycle takes from the outbox (one Query); more wait for the next cycle. */
export const RECORDING_READY_PER_CYCLE = 50;
/** Callback posts in flight at once within a cycle. */
const IN_FLIGHT = 10;

export interface AnnounceOptions {
  /** the object key of the upload that was imported: the same import announced twice posts once */
  uploadKey?: string;
}

/** How one attempt ended. */
type AttemptResult =
  | { kind: 'delivered'; detail: string }
  /** 404/410, or a URL the outgoing rules refuse: never tried again */
  | { kind: 'stopped'; detail: string }
  /** every secret got an answer that a later try will not change (e.g. 401/403), or there is no secret */
  | { kind: 'rejected'; detail: string }
  /** a timeout, transport error or 5xx: tried again later */
  | { kind: 'retry'; detail: string }
  /** not made (or cut short) because the poll cycle's deadline came: does not count as an attempt */
  | { kind: 'deferred'; detail: string };

export interface DeliveryReport {
  /** announcements the cycle's Query found due */
  due: number;
  delivered: number;
  stopped: number;
  /** rejected by the receiver, or given up after the last attempt */
  failed: number;
  /** failed for now, due again later */
  retrying: number;
  /** left for the next cycle (deadline, or claimed by another poller) */
  skipped: number;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** Scalelite's choice of JWT algorithm (reference §5.8). */
export function recordingReadyAlgorithm(allowed: readonly string[]): 'HS256' | 'HS512' {
  if (allowed.includes('SHA256')) return 'HS256';
  if (allowed.includes('SHA512')) return 'HS512';
  return 'HS256';
}

/** The `signed_parameters` token: `{meeting_id, record_id}` signed with one secret, as Scalelite's ruby-jwt call (no other claims). */
export function signRecordingReady(meetingID: string, recordID: string, secret: string, alg: 'HS256' | 'HS512'): Promise<string> {
  return new SignJWT({ meeting_id: meetingID, record_id: recordID }).setProtectedHeader({ alg }).sign(key(secret));
}

/** The secrets to sign with: the recording's tenant's (multitenant mode), else the LB secrets. */
async function secretsFor(deps: Deps, tenantId: string | undefined): Promise<string[]> {
  if (!deps.config.multitenancyEnabled) return deps.config.loadbalancerSecrets.filter((s) => s !== '');
  if (tenantId === undefined) return [];
  return ((await deps.store.tenants.get(tenantId))?.secrets ?? []).filter((s) => s !== '');
}

const retryableStatus = (status: number) => status >= 500 || status === 408 || status === 429;
const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** One attempt: every secret in turn until one is accepted or the answer says stop. Never throws. */
async function attempt(deps: Deps, c: OutboxCallback, deadline: number | undefined): Promise<AttemptResult> {
  let secrets: string[];
  try {
    secrets = await secretsFor(deps, c.tenantId);
  } catch (e) {
    return { kind: 'retry', detail: `secrets not readable: ${(e as Error).message}` };
  }
  if (secrets.length === 0) return { kind: 'rejected', detail: c.tenantId === undefined ? 'no tenant (multitenant mode)' : `no secrets for tenant ${c.tenantId}` };
  const alg = recordingReadyAlgorithm(deps.config.checksumAlgorithms);
  let retry: string | undefined;
  let last = '';
  for (const secret of secrets) {
    const timeouts = callTimeouts(deps.config, deps.clock(), deadline);
    if (!timeouts) return { kind: 'deferred', detail: 'poll cycle deadline' };
    const body = new URLSearchParams({ signed_parameters: await signRecordingReady(c.meetingID, c.recordID, secret, alg) }).toString();
    let status: number;
    try {
      status = (
        await deps.http.post(c.url, body, {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'BigBlueButton Recording Ready Callback' },
          connectTimeoutMs: timeouts.connectTimeoutMs,
          responseTimeoutMs: timeouts.responseTimeoutMs,
          tenantSupplied: true,
        })
      ).status;
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof DestinationRefusedError) return { kind: 'stopped', detail: `refused: ${message}` };
      // unreachable or too slow: another secret changes none of that
      return timeouts.clipped ? { kind: 'deferred', detail: `cut by the poll cycle deadline: ${message}` } : { kind: 'retry', detail: message };
    }
    last = `HTTP ${status}`;
    if (status >= 200 && status < 300) return { kind: 'delivered', detail: last };
    if (status === 404 || status === 410) return { kind: 'stopped', detail: last };
    if (retryableStatus(status)) retry = last;
  }
  return retry ? { kind: 'retry', detail: retry } : { kind: 'rejected', detail: last };
}

/** Makes the claimed attempt and writes its outcome under the claim. Never throws. */
async function runClaimed(deps: Deps, c: OutboxCallback, claim: string, deadline?: number): Promise<AttemptResult['kind'] | 'failed' | 'lost'> {
  const outbox = deps.store.callbackOutbox;
  const result = await attempt(deps, c, deadline);
  const now = deps.clock();
  const fields = { recordID: c.recordID, meetingID: c.meetingID, tenantId: c.tenantId, host: hostOf(c.url), attempt: c.attempts, result: result.detail };
  let written: boolean;
  let outcome: AttemptResult['kind'] | 'failed' = result.kind;
  switch (result.kind) {
    case 'delivered':
      written = await outbox.finish(c, claim, 'delivered', result.detail, now);
      deps.log.info('recording-ready callback delivered', fields);
      break;
    case 'stopped':
      written = await outbox.finish(c, claim, 'stopped', result.detail, now);
      deps.log[result.detail.startsWith('refused') ? 'warn' : 'info']('recording-ready callback stopped', fields);
      break;
    case 'rejected':
      written = await outbox.finish(c, claim, 'failed', result.detail, now);
      deps.log.warn('recording-ready callback rejected', fields);
      break;
    case 'deferred':
      written = await outbox.reschedule(c, claim, now, result.detail, c.attempts - 1);
      break;
    case 'retry':
      if (c.attempts >= RECORDING_READY_MAX_ATTEMPTS) {
        outcome = 'failed';
        written = await outbox.finish(c, claim, 'failed', result.detail, now);
        deps.log.warn('recording-ready callback: giving up after the last attempt', fields);
      } else {
        const next = now + RECORDING_READY_BACKOFF_MS[c.attempts - 1];
        written = await outbox.reschedule(c, claim, next, result.detail);
        deps.log.info('recording-ready callback failed; will retry', { ...fields, nextAttemptAt: new Date(next).toISOString() });
      }
      break;
  }
  if (!written) {
    deps.log.warn('recording-ready callback: the attempt outlived its lease; its outcome was not recorded', fields);
    return 'lost';
  }
  return outcome;
}

/**
 * Announces an imported recording to the URL its meeting's create gave (reference §5.8), once per import
 * (`uploadKey`; without one, per call). Returns when the first attempt is over; later attempts are the
 * poller's. Never throws: the import has committed whatever happens here (failures are logged).
 */
export async function announceRecording(deps: Deps, recording: Recording, opts: AnnounceOptions = {}): Promise<void> {
  const fields = { recordID: recording.recordID, meetingID: recording.meetingID, tenantId: recording.tenantId };
  try {
    if (!recording.meetingID) return;
    const target = await deps.store.meetings.findCallbacks(bbbMeetingId(recording.tenantId, recording.meetingID));
    const url = target?.recordingReadyUrl;
    if (!url) return;
    const now = deps.clock();
    const claim = randomUUID();
    const importKey = opts.uploadKey ?? `call:${now}:${claim}`;
    const entry = await deps.store.callbackOutbox.create(
      { recordID: recording.recordID, importKey, meetingID: recording.meetingID, tenantId: recording.tenantId, url },
      now,
      now + RECORDING_READY_LEASE_MS,
      claim,
    );
    if (!entry) {
      deps.log.info('recording-ready callback: this import was announced already', { ...fields, uploadKey: opts.uploadKey });
      return;
    }
    await runClaimed(deps, entry, claim);
  } catch (e) {
    deps.log.error('recording-ready callback failed', { ...fields, error: (e as Error).message });
  }
}

/**
 * Makes the attempts that are due (the poller runs it after every cycle): one Query of the outbox, then
 * each due announcement is claimed (conditional write) and tried, IN_FLIGHT at once. Nothing is started
 * that could not end by `deadline`. Never throws; logs one line when anything was due.
 */
export async function deliverDueCallbacks(deps: Deps, opts: { deadline?: number; limit?: number } = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { due: 0, delivered: 0, stopped: 0, failed: 0, retrying: 0, skipped: 0 };
  try {
    const due = await deps.store.callbackOutbox.listDue(deps.clock(), opts.limit ?? RECORDING_READY_PER_CYCLE);
    report.due = due.length;
    await mapBounded(due, IN_FLIGHT, async (seen) => {
      try {
        const t = callTimeouts(deps.config, deps.clock(), opts.deadline);
        if (!t || t.clipped) return void report.skipped++;
        const claim = randomUUID();
        const claimed = await deps.store.callbackOutbox.claim(seen, deps.clock() + RECORDING_READY_LEASE_MS, claim);
        if (!claimed) return void report.skipped++;
        const outcome = await runClaimed(deps, claimed, claim, opts.deadline);
        if (outcome === 'delivered') report.delivered++;
        else if (outcome === 'stopped') report.stopped++;
        else if (outcome === 'failed' || outcome === 'rejected') report.failed++;
        else if (outcome === 'retry') report.retrying++;
        else report.skipped++;
      } catch (e) {
        report.skipped++;
        deps.log.error('recording-ready callback failed', { recordID: seen.recordID, error: (e as Error).message });
      }
    });
  } catch (e) {
    deps.log.error('recording-ready callbacks: the outbox could not be read', { error: (e as Error).message });
  }
  if (report.due > 0) deps.log.info('recording-ready callbacks', { ...report });
  return report;
}
