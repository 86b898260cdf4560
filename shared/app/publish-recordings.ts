/**
 * publishRecordings (reference §5.4): `recordID` (comma list, exact ids) and `publish` (`true` in any case
 * publishes, anything else unpublishes). Only the caller's tenant's recordings in state published or
 * unpublished are targets; none → `notFound`. Files never move (storage keys do not depend on publishing):
 * a change is one conditional write setting `published`, `state` and `publishUpdated` (a re-import keeps
 * the admin's choice). Cost per recording ≤ 1 read (one BatchGetItem for the list) + 1 write.
 */
import { presentParam, type Params } from '../domain/params.js';
import { recordingErrors } from '../domain/recording-errors.js';
import { rubySplit } from '../domain/recording-filters.js';
import { publishedXml } from '../domain/recording-xml.js';
import type { Deps } from './deps.js';
import { scopedRecordings, writeChange, type Scope } from './recording-targets.js';

export async function publishRecordings(deps: Deps, params: Params, scope: Scope): Promise<string> {
  const recordID = presentParam(params, 'recordID');
  if (recordID === undefined) throw recordingErrors.missingRecordId();
  const publishParam = presentParam(params, 'publish');
  if (publishParam === undefined) throw recordingErrors.missingPublish();
  const publish = publishParam.toLowerCase() === 'true';

  const targets = (await scopedRecordings(deps, rubySplit(recordID), scope)).filter((r) => r.state === 'published' || r.state === 'unpublished');
  if (targets.length === 0) throw recordingErrors.notFound();

  for (const target of targets.filter((r) => r.published !== publish)) {
    try {
      await writeChange(deps, target, scope, (r) =>
        r.state === 'published' || r.state === 'unpublished' ? { ...r, published: publish, publishUpdated: true, state: publish ? 'published' : 'unpublished' } : undefined,
      );
    } catch (e) {
      deps.log.warn('publishRecordings failed', { recordID: target.recordID, error: (e as Error).message });
      throw recordingErrors.publishFailed();
    }
  }
  return publishedXml(publish);
}
