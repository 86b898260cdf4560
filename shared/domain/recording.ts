/**
 * A recording as the balancer keeps it (reference §4.2, §5): one item per record id, with its playback
 * formats and their thumbnails inside. The files live in object storage under
 * `recordings/<recordID>/<format>/…` (see shared/storage/storage-keys.ts) and never move: publishing,
 * protecting and tenancy are decided from this record when a file is served.
 */
export type RecordingState = 'processing' | 'processed' | 'published' | 'unpublished' | 'deleted';
export const RECORDING_STATES: readonly RecordingState[] = ['processing', 'processed', 'published', 'unpublished', 'deleted'];

export interface Thumbnail {
  /** path only (BBB's host and query dropped), e.g. `/presentation/<id>/presentation/<slide>/thumbnails/thumb-1.png` */
  url: string;
  width?: number;
  height?: number;
  alt?: string;
}

export interface PlaybackFormat {
  /** `presentation`, `video`, `podcast`, `notes`, `screenshare`, `capture`, … */
  type: string;
  /** path + query of BBB's playback link (host dropped), e.g. `/playback/presentation/2.3/<id>` */
  url: string;
  /** minutes, rounded */
  length: number;
  processingTime?: number;
  /** in BBB's order */
  thumbnails: Thumbnail[];
}

export interface Recording {
  recordID: string;
  /** the front-end's meetingID (a tenant's namespaced BBB id is turned back on import) */
  meetingID: string;
  /** the owning tenant (metadata `tenant-id`); undefined = no tenant */
  tenantId?: string;
  name: string;
  published: boolean;
  protected: boolean;
  state?: RecordingState;
  /** epoch ms; 0 when unknown */
  startTime: number;
  endTime: number;
  participants?: number;
  /** every `<meta>` child but isBreakout, meetingId, meetingName (keys as BBB wrote them) */
  metadata: Record<string, string>;
  /** by format type */
  formats: Record<string, PlaybackFormat>;
  /** an admin chose published/unpublished (publishRecordings): a re-import keeps that choice */
  publishUpdated?: boolean;
  /** epoch ms of the latest import */
  importedAt?: number;
  /** optimistic-concurrency counter of the stored item (set by the store) */
  version?: number;
}

/** States getRecordings shows without a `state` parameter. */
export const DEFAULT_LISTED_STATES: readonly RecordingState[] = ['published', 'unpublished'];
