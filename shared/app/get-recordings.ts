/**
 * getRecordings (reference §5.3) over the store's access paths, never a Scan:
 *  - `recordID` given: 1 Query per entry (GSI2, record id prefix, case-sensitive), in parallel;
 *  - else `meetingID` given: 1 Query per meetingID (GSI1), in parallel;
 *  - else with `limit` (a page): the tenant's matching ids from GSI3 (1 Query per 1 MB of its index
 *    entries; the total from the same pass) + 1 BatchGetItem for the page;
 *  - else (every match): the tenant's GSI2 partition, 1 Query per 1 MB of its recordings.
 * States and `meta_*` filters (AND between keys, any listed value within one) go into each Query's
 * FilterExpression. Ordered by start time, newest first. Pagination as BBB 2.6 (`offset`, `limit`,
 * `<totalElements>`). Multitenant: only the host tenant's recordings; single-tenant: the recordings
 * without a tenant.
 * Every format's `<url>` is the play route; a protected recording's carries a new one-time token per
 * format and call (`mintPlaybackTokens`: 1 BatchWriteItem per 25 tokens, only when there are any).
 */
import { randomBytes } from 'node:crypto';
import type { Params } from '../domain/params.js';
import { presentParam } from '../domain/params.js';
import { recordingErrors } from '../domain/recording-errors.js';
import { matchesNothing, parseRecordingsQuery } from '../domain/recording-filters.js';
import { originUrls, recordingsXml } from '../domain/recording-xml.js';
import type { Recording } from '../domain/recording.js';
import type { Deps } from './deps.js';
import type { Scope } from './recording-targets.js';

export interface GetRecordingsInput {
  params: Params;
  scope: Scope;
  /** `<scheme>://<host>[:port]` the client addressed (RequestInput.origin): playback URLs are absolute on it */
  origin: string;
}

export interface RecordingsResult {
  recordings: Recording[];
  /** set for a paginated call: all matches */
  total?: number;
}

/** The recordings a getRecordings call asks for (the query part, without the document). */
export async function findRecordings(deps: Deps, params: Params, scope: Scope): Promise<RecordingsResult> {
  const q = parseRecordingsQuery(params);
  const repo = deps.store.recordings;
  const tenantId = scope?.id;
  if (matchesNothing(q)) return { recordings: [], total: q.page ? 0 : undefined };
  let all: Recording[];
  if (q.recordIDPrefixes) all = await repo.byRecordIdPrefixes(tenantId, q.recordIDPrefixes, q.filter);
  else if (q.filter.meetingIDs) all = await repo.byMeetingIDs(tenantId, q.filter.meetingIDs, q.filter);
  else if (q.page) return repo.page(tenantId, q.filter, q.page);
  else all = await repo.list(tenantId, q.filter);
  return q.page ? { recordings: all.slice(q.page.offset, q.page.offset + q.page.limit), total: all.length } : { recordings: all };
}

export async function getRecordings(deps: Deps, input: GetRecordingsInput): Promise<string> {
  const { params } = input;
  if (deps.config.getRecordingsApiFiltered && presentParam(params, 'recordID') === undefined && presentParam(params, 'meetingID') === undefined) {
    throw recordingErrors.missingParameters();
  }
  const { recordings, total } = await findRecordings(deps, params, input.scope);
  const tokens = await mintPlaybackTokens(deps, recordings);
  return recordingsXml({
    recordings,
    urls: originUrls(input.origin, (r, f) => tokens.get(tokenSlot(r.recordID, f.type))),
    showProtected: deps.config.protectedRecordingsEnabled,
    totalElements: total,
  });
}

const tokenSlot = (recordID: string, format: string) => `${recordID}/${format}`;

/**
 * A new one-time token for every format of every protected recording in the answer (the recording's flag,
 * whatever PROTECTED_RECORDINGS_ENABLED says), stored for PROTECTED_RECORDINGS_TOKEN_TIMEOUT minutes.
 * Returns them by `<record id>/<format>`.
 */
async function mintPlaybackTokens(deps: Deps, recordings: readonly Recording[]): Promise<Map<string, string>> {
  const expiresAt = Math.floor(deps.clock() / 1000) + deps.config.protectedRecordingsTokenTimeout * 60;
  const minted = recordings
    .filter((r) => r.protected)
    .flatMap((r) => Object.values(r.formats).map((f) => ({ token: randomBytes(32).toString('hex'), recordID: r.recordID, format: f.type, expiresAt })));
  if (minted.length > 0) await deps.store.playbackTokens.mint(minted);
  return new Map(minted.map((t) => [tokenSlot(t.recordID, t.format), t.token]));
}
