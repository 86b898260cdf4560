/**
 * The documents of the recording calls, byte for byte as Scalelite's builder views render them
 * (`app/views/bigbluebutton_api/*_recordings.xml.builder`, reference §5.3–5.6), plus BBB 2.6's
 * `<totalElements>` on a paginated getRecordings.
 */
import { block, cdata, renderBuilder, text, type BuilderNode } from './builder-xml.js';
import type { PlaybackFormat, Recording, Thumbnail } from './recording.js';

/** Where the answer points for a format and a thumbnail (`originUrls`). */
export interface PlaybackUrls {
  playback(recording: Recording, format: PlaybackFormat): string;
  thumbnail(recording: Recording, thumbnail: Thumbnail): string;
}

/**
 * URLs on the requesting origin: every format's URL is the play route `<origin>/recording/<id>/<format>`
 * (which hands out the access cookies, then redirects to the stored playback path), with
 * `?token=<one-time token>` when `tokenFor` has one (protected recordings, reference §5.3); a
 * thumbnail is `<origin><stored path>` (Scalelite's `@url_prefix + thumbnail.url`). Thumbnails of
 * protected recordings are never shown (`formatNode`).
 */
export const originUrls = (origin: string, tokenFor?: (recording: Recording, format: PlaybackFormat) => string | undefined): PlaybackUrls => ({
  playback: (r, f) => {
    const token = tokenFor?.(r, f);
    return `${origin}/recording/${encodeURIComponent(r.recordID)}/${encodeURIComponent(f.type)}${token ? `?token=${token}` : ''}`;
  },
  thumbnail: (_r, t) => `${origin}${t.url}`,
});

export interface RecordingsDocument {
  recordings: readonly Recording[];
  urls: PlaybackUrls;
  /** PROTECTED_RECORDINGS_ENABLED: `<protected>` is written */
  showProtected: boolean;
  /** a paginated call: BBB's `<totalElements>` (all matches), after everything else */
  totalElements?: number;
}

const isBlank = (v: string) => v.trim() === '';

function metadataNode(metadata: Record<string, string>): BuilderNode {
  // an empty value holds an empty CDATA section, "for legacy reasons" (Scalelite)
  return block('metadata', ...Object.entries(metadata).map(([key, value]) => (isBlank(value) ? block(key, cdata('')) : text(key, value))));
}

function formatNode(r: Recording, f: PlaybackFormat, urls: PlaybackUrls): BuilderNode {
  const images = r.protected || f.thumbnails.length === 0 ? undefined : f.thumbnails.map((t) => text('image', urls.thumbnail(r, t), [['alt', t.alt], ['width', t.width?.toString()], ['height', t.height?.toString()]]));
  return block(
    'format',
    text('type', f.type),
    text('url', urls.playback(r, f)),
    text('length', f.length),
    f.processingTime !== undefined && text('processingTime', f.processingTime),
    images && block('preview', block('images', ...images)),
  );
}

function recordingNode(r: Recording, doc: RecordingsDocument): BuilderNode {
  // formats by name, as Scalelite's default scope orders them
  const formats = Object.values(r.formats).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return block(
    'recording',
    text('recordID', r.recordID),
    text('meetingID', r.meetingID),
    text('internalMeetingID', r.recordID),
    text('name', r.name),
    text('published', r.published ? 'true' : 'false'),
    doc.showProtected && text('protected', r.protected ? 'true' : 'false'),
    r.state !== undefined && text('state', r.state),
    text('startTime', Math.trunc(r.startTime)),
    text('endTime', Math.trunc(r.endTime)),
    r.participants !== undefined && text('participants', r.participants),
    metadataNode(r.metadata),
    block('playback', ...formats.map((f) => formatNode(r, f, doc.urls))),
  );
}

/** getRecordings' answer; `noRecordings` after `<recordings>` when there are none. */
export function recordingsXml(doc: RecordingsDocument): string {
  const none = doc.recordings.length === 0;
  return renderBuilder(
    block(
      'response',
      text('returncode', 'SUCCESS'),
      block('recordings', ...doc.recordings.map((r) => recordingNode(r, doc))),
      none && text('messageKey', 'noRecordings'),
      none && text('message', 'There are not recordings for the meetings'),
      doc.totalElements !== undefined && text('totalElements', doc.totalElements),
    ),
  );
}

/** publishRecordings: echoes the requested value. */
export const publishedXml = (published: boolean) => renderBuilder(block('response', text('returncode', 'SUCCESS'), text('published', String(published))));
/** updateRecordings */
export const updatedXml = (updated: boolean) => renderBuilder(block('response', text('returncode', 'SUCCESS'), text('updated', String(updated))));
/** deleteRecordings */
export const deletedXml = () => renderBuilder(block('response', text('returncode', 'SUCCESS'), text('deleted', 'true')));
