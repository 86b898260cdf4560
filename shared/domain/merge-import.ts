/**
 * What an import makes of the stored recording (pure): the formats of one upload, each with its parsed
 * metadata.xml, merged into the recording as it is stored (or a new one). Scalelite's rules (reference
 * §5.1, §5.2) with its broken intentions fixed:
 *  - recording fields (meetingID, name, participants, state, start/end) take the metadata's values when
 *    it has them; metadata keys are updated or added, keys the file does not name are kept; each imported
 *    format replaces the stored one of that type, other formats stay;
 *  - `published`: an admin's choice (`publishUpdated`, set by publishRecordings) survives every re-import
 *    (Scalelite means to but overwrites it first); else with RECORDING_IMPORT_UNPUBLISHED a new recording
 *    is unpublished and an existing one keeps its flag; else the metadata's `<published>` (absent: the
 *    stored flag, false for a new recording);
 *  - `state` follows `published` (Scalelite leaves a recording imported unpublished in state `published`):
 *    `published`/`unpublished` (or no state) become the one that matches; `processing`, `processed` and
 *    `deleted` are kept as the metadata or the record says;
 *  - `protected`: PROTECTED_RECORDINGS_ENABLED for a new recording, kept for an existing one (Scalelite
 *    overwrites it on every import, undoing updateRecordings' `protect`);
 *  - `tenantId`: the merged metadata's `tenant-id` (blank = no tenant).
 */
import type { PlaybackFormat, Recording } from './recording.js';
import { PROTOTYPE_NAMES } from './params.js';
import { setOwn, TENANT_ID_META, type RecordingMetadata } from './recording-metadata.js';

export interface ImportSettings {
  /** RECORDING_IMPORT_UNPUBLISHED */
  importUnpublished: boolean;
  /** PROTECTED_RECORDINGS_ENABLED */
  protectedEnabled: boolean;
  /** epoch ms, stored as `importedAt` */
  now: number;
}

/** One imported format: its metadata.xml and the front-end's meetingID resolved from it (`frontendMeetingId`). */
export interface FormatImport {
  metadata: RecordingMetadata;
  meetingID: string;
}

const copyFormat = (f: PlaybackFormat): PlaybackFormat => ({ ...f, thumbnails: f.thumbnails.map((t) => ({ ...t })) });

/**
 * The recording after importing `imports` (applied in the order given; the importer sorts them by format
 * type so the same upload always merges the same way) into `current` (undefined: not stored yet).
 * Never mutates its arguments. `imports` must not be empty and must all name `current`'s record id.
 */
export function mergeImport(current: Recording | undefined, imports: readonly FormatImport[], settings: ImportSettings): Recording {
  if (imports.length === 0) throw new Error('mergeImport: nothing to import');
  const recordID = imports[0].metadata.recordID;
  for (const i of imports) {
    if (i.metadata.recordID !== recordID || (current && current.recordID !== recordID)) {
      throw new Error(`mergeImport: record id ${i.metadata.recordID} does not belong to ${current?.recordID ?? recordID}`);
    }
  }

  const metadata: Record<string, string> = {};
  // prototype names never reach the store (its marshaller refuses a `constructor` key)
  const put = (k: string, v: string) => {
    if (!PROTOTYPE_NAMES.has(k)) setOwn(metadata, k, v);
  };
  for (const [k, v] of Object.entries(current?.metadata ?? {})) put(k, v);
  const formats: Record<string, PlaybackFormat> = {};
  for (const [k, f] of Object.entries(current?.formats ?? {})) Object.defineProperty(formats, k, { value: copyFormat(f), enumerable: true, writable: true, configurable: true });

  let meetingID = current?.meetingID ?? imports[0].meetingID;
  let name = current?.name ?? '';
  let participants = current?.participants;
  let state = current?.state;
  let startTime = current?.startTime ?? 0;
  let endTime = current?.endTime ?? 0;
  let metadataPublished: boolean | undefined;

  for (const { metadata: m, meetingID: id } of imports) {
    meetingID = id;
    if (m.name !== undefined) name = m.name;
    if (m.participants !== undefined) participants = m.participants;
    if (m.state !== undefined) state = m.state;
    if (m.startTime !== undefined) startTime = m.startTime;
    if (m.endTime !== undefined) endTime = m.endTime;
    if (m.published !== undefined) metadataPublished = m.published;
    for (const [k, v] of Object.entries(m.metadata)) put(k, v);
    Object.defineProperty(formats, m.format.type, { value: copyFormat(m.format), enumerable: true, writable: true, configurable: true });
  }

  let published: boolean;
  if (current?.publishUpdated) published = current.published;
  else if (settings.importUnpublished) published = current ? current.published : false;
  else published = metadataPublished ?? current?.published ?? false;

  if (published && (state === undefined || state === 'unpublished')) state = 'published';
  if (!published && (state === undefined || state === 'published')) state = 'unpublished';

  const tenant = Object.hasOwn(metadata, TENANT_ID_META) ? metadata[TENANT_ID_META] : '';
  const next: Recording = {
    recordID,
    meetingID,
    name,
    published,
    protected: current ? current.protected : settings.protectedEnabled,
    state,
    startTime,
    endTime,
    metadata,
    formats,
    importedAt: settings.now,
  };
  if (tenant.trim() !== '') next.tenantId = tenant;
  if (participants !== undefined) next.participants = participants;
  if (current?.publishUpdated !== undefined) next.publishUpdated = current.publishUpdated;
  if (current?.version !== undefined) next.version = current.version;
  return next;
}
