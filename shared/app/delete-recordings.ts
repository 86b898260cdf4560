/**
 * deleteRecordings (reference §5.6): `recordID` (comma list, exact ids); the caller's tenant's recordings in
 * any state; none → `notFound`. For each: every object under `recordings/<recordID>/` is deleted from
 * storage (all pages, all formats — Scalelite lists only the first 1,000 of the published ones), then the
 * recording is kept with state `deleted` and no playback formats (its files are gone). Failure →
 * `internalError` `Unable to delete recording.`; the record is only marked after its files are gone, so
 * a failed call can be repeated.
 *
 * Deliberate difference: the recording keeps its metadata and its tenant (Scalelite drops both, so a
 * tenant never sees its deleted recordings again, §9.4.7): `getRecordings&state=deleted` (or `any`) lists
 * it for its own tenant, and for no other.
 * Cost per recording ≤ 1 read (one BatchGetItem for the list) + 1 write + the storage calls.
 */
import { presentParam, type Params } from '../domain/params.js';
import { recordingErrors } from '../domain/recording-errors.js';
import { rubySplit } from '../domain/recording-filters.js';
import { deletedXml } from '../domain/recording-xml.js';
import { recordingPrefix } from '../storage/storage-keys.js';
import type { Deps } from './deps.js';
import { scopedRecordings, writeChange, type Scope } from './recording-targets.js';

export async function deleteRecordings(deps: Deps, params: Params, scope: Scope): Promise<string> {
  const recordID = presentParam(params, 'recordID');
  if (recordID === undefined) throw recordingErrors.missingRecordId();
  const targets = await scopedRecordings(deps, rubySplit(recordID), scope);
  if (targets.length === 0) throw recordingErrors.notFound();

  for (const target of targets) {
    try {
      const removed = deps.storage ? await deps.storage.deletePrefix(recordingPrefix(target.recordID)) : 0;
      await writeChange(deps, target, scope, (r) => (r.state === 'deleted' && Object.keys(r.formats).length === 0 ? undefined : { ...r, state: 'deleted', formats: {} }));
      deps.log.info('recording deleted', { recordID: target.recordID, objects: removed });
    } catch (e) {
      deps.log.warn('deleteRecordings failed', { recordID: target.recordID, error: (e as Error).message });
      throw recordingErrors.deleteFailed();
    }
  }
  return deletedXml();
}
