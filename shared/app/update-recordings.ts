/**
 * updateRecordings (reference §5.5): `recordID` (comma list, exact ids), any `meta_<key>` (key lower-cased;
 * a blank value removes the key, any other sets it) and `protect` (Rails' boolean cast, applied to the
 * first listed recording only). Every listed id must be one of the caller's tenant's recordings (any
 * state) — an unknown id, another tenant's id or a repeated id answers `<updated>false</updated>` and
 * changes nothing. `<updated>` is true when a meta key was given or `protect` was applied.
 *
 * Deliberate differences: `meta_tenant-id` is ignored (a recording's tenant is not the front-end's to
 * change: `slctl recordings:addToTenant` assigns it), and so is a `meta_` key that is not a plain XML name
 * (the same rule as create's, issue 9) — such a key could never be shown by getRecordings.
 * Cost per recording ≤ 1 read (one BatchGetItem for the list) + 1 write; an unchanged recording is not written.
 */
import { isForwardableParam, presentParam, type Params } from '../domain/params.js';
import { recordingErrors } from '../domain/recording-errors.js';
import { rubySplit } from '../domain/recording-filters.js';
import { setOwn, TENANT_ID_META } from '../domain/recording-metadata.js';
import type { Recording } from '../domain/recording.js';
import { updatedXml } from '../domain/recording-xml.js';
import type { Deps } from './deps.js';
import { scopedRecordings, writeChange, type Scope } from './recording-targets.js';

/** ActiveModel::Type::Boolean: these are false, any other present value is true. */
const FALSE_VALUES = new Set(['0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF']);

interface MetaChanges {
  set: Map<string, string>;
  remove: Set<string>;
}

function metaChanges(params: Params): MetaChanges {
  const changes: MetaChanges = { set: new Map(), remove: new Set() };
  for (const [name, value] of params) {
    if (!name.startsWith('meta_') || !isForwardableParam(name)) continue;
    const key = name.slice(5).toLowerCase();
    if (key === TENANT_ID_META) continue;
    if (value === null || value.trim() === '') {
      changes.set.delete(key);
      changes.remove.add(key);
    } else {
      changes.remove.delete(key);
      changes.set.set(key, value);
    }
  }
  return changes;
}

function applied(r: Recording, changes: MetaChanges, protect: boolean | undefined): Recording | undefined {
  let changed = false;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.metadata)) {
    if (changes.remove.has(k)) changed = true;
    else setOwn(metadata, k, v);
  }
  for (const [k, v] of changes.set) {
    if (metadata[k] !== v || !Object.hasOwn(metadata, k)) changed = true;
    setOwn(metadata, k, v);
  }
  if (protect !== undefined && r.protected !== protect) changed = true;
  return changed ? { ...r, metadata, protected: protect ?? r.protected } : undefined;
}

export async function updateRecordings(deps: Deps, params: Params, scope: Scope): Promise<string> {
  const recordID = presentParam(params, 'recordID');
  if (recordID === undefined) throw recordingErrors.missingRecordId();
  const ids = rubySplit(recordID);
  const found = await scopedRecordings(deps, ids, scope);
  // every listed id must be the caller's (a repeated id counts twice, as Scalelite's count does)
  if (ids.length === 0 || found.length !== ids.length) return updatedXml(false);

  const changes = metaChanges(params);
  const protectParam = presentParam(params, 'protect');
  const protect = protectParam === undefined ? undefined : !FALSE_VALUES.has(protectParam);
  const byId = new Map(found.map((r) => [r.recordID, r]));
  for (const [i, id] of ids.entries()) {
    const first = i === 0;
    await writeChange(deps, byId.get(id)!, scope, (r) => applied(r, changes, first ? protect : undefined));
  }
  return updatedXml(changes.set.size > 0 || changes.remove.size > 0 || protect !== undefined);
}
