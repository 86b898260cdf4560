/**
 * What publishRecordings, updateRecordings and deleteRecordings share: the recordings a call names that
 * belong to its tenant (one BatchGetItem for up to 100 ids), and a write of one recording conditioned on
 * the version read — 1 read + 1 write per recording; only a recording another writer changed in between
 * is read and written again.
 */
import type { Recording } from '../domain/recording.js';
import type { Deps } from './deps.js';

/** The tenant a call acts for: its id, or none (single-tenant mode: the recordings without a tenant). */
export type Scope = { id: string } | undefined;

/** A recording is the scope's when its tenant is the scope's tenant (both none in single-tenant mode). */
export const ownedBy = (r: Recording, scope: Scope): boolean => (r.tenantId ?? undefined) === scope?.id;

/** Longer ids cannot be keys of the table (and no import accepts them): they name no recording. */
const MAX_ID_BYTES = 1024;

/** The named recordings of the scope, in the order of `ids` (duplicates once; unknown and others' left out). */
export async function scopedRecordings(deps: Deps, ids: readonly string[], scope: Scope): Promise<Recording[]> {
  const lookup = [...new Set(ids)].filter((id) => id !== '' && Buffer.byteLength(id) <= MAX_ID_BYTES);
  if (lookup.length === 0) return [];
  return (await deps.store.recordings.getMany(lookup)).filter((r) => ownedBy(r, scope));
}

/**
 * Stores `change(recording)` (undefined: leave it) with a put conditioned on the version that was read.
 * When another writer came in between, the recording is read again and changed again — as long as it is
 * still the scope's.
 */
export async function writeChange(deps: Deps, read: Recording, scope: Scope, change: (r: Recording) => Recording | undefined): Promise<void> {
  const next = change(structuredClone(read));
  if (next === undefined) return;
  if (await deps.store.recordings.save({ ...next, recordID: read.recordID, version: read.version })) return;
  await deps.store.recordings.update(read.recordID, (current) => (current && ownedBy(current, scope) ? change(current) : undefined));
}
