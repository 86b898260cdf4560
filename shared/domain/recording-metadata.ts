/**
 * One playback format's `metadata.xml`, read exactly as Scalelite's `Recording.create_from_metadata_xml`
 * (reference §5.2), into what the import merges into a Recording. Pure: no I/O, no clock.
 *
 * Scalelite's leniency is kept where it only decides a value (`participants`, `start_time`, `end_time`
 * and `duration` read like Ruby's `to_i`/`to_f`: `"12abc"` → 12, `"abc"` → 0); what fails a format in
 * Scalelite fails it here, as a typed result naming what is wrong: no `<recording>`, no `<id>`, no
 * `<meta>`/`<meetingId>`, no `<playback>`/`<format>`/`<link>`, a link or thumbnail that is no URL, a
 * `<state>` outside the allowed set.
 */
import { childElements, firstChild, parseXmlDocument, textOf, XmlSyntaxError, type XmlNode } from '../bbb/parse-bbb-xml.js';
import { RECORDING_STATES, type PlaybackFormat, type RecordingState, type Thumbnail } from './recording.js';
import { TENANT_ID_SEPARATOR } from './meeting-id.js';
import { PROTOTYPE_NAMES } from './params.js';

/** `<meta>` children that are columns of the recording, not metadata (Scalelite's INTERNAL_METADATA). */
export const INTERNAL_METADATA: readonly string[] = ['isBreakout', 'meetingId', 'meetingName'];

/** The metadata key that names the owning tenant (reference §5.9). */
export const TENANT_ID_META = 'tenant-id';

/** What one metadata.xml says about its recording and its one playback format. */
export interface RecordingMetadata {
  recordID: string;
  /** `meta/meetingId` as BBB knew the meeting (a tenant's meeting: `<tenantId>~<meetingID>`) */
  meetingId: string;
  /** `meta/meetingName`; undefined when absent */
  name?: string;
  /** `<published>`: `true` only for the text `true`; undefined when absent */
  published?: boolean;
  participants?: number;
  /** `available` already mapped to `published` */
  state?: RecordingState;
  /** epoch ms; undefined when absent */
  startTime?: number;
  endTime?: number;
  /** every `<meta>` child but INTERNAL_METADATA and PROTOTYPE_NAMES, in document order (a repeated key: the last wins) */
  metadata: Record<string, string>;
  format: PlaybackFormat;
}

export type MetadataErrorCode =
  | 'xml.invalid'
  | 'recording.missing'
  | 'id.missing'
  | 'meta.missing'
  | 'meetingId.missing'
  | 'state.invalid'
  | 'playback.missing'
  | 'format.missing'
  | 'link.missing'
  | 'link.invalid'
  | 'thumbnail.invalid';

export interface MetadataError {
  code: MetadataErrorCode;
  /** one sentence naming the element and the value at fault */
  message: string;
}

export type MetadataResult = { ok: true; value: RecordingMetadata } | { ok: false; error: MetadataError };

const fail = (code: MetadataErrorCode, message: string): MetadataResult => ({ ok: false, error: { code, message } });

/** Nokogiri's `.text`: the text of the element and all its descendants, in document order. */
function deepText(node: XmlNode): string {
  const out: string[] = [];
  const todo: (XmlNode | string)[] = [node];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (typeof n === 'string') out.push(n);
    else for (let i = n.children.length - 1; i >= 0; i--) todo.push(n.children[i]);
  }
  return out.join('');
}

/** Ruby's `present?` on an element's text: the element exists and its text is not blank. */
const presentText = (node: XmlNode | undefined): string | undefined => {
  if (!node) return undefined;
  const text = deepText(node);
  return text.trim() === '' ? undefined : text;
};

/** Ruby's `String#to_i`: the leading integer, 0 when there is none. */
export function rubyToI(text: string): number {
  const m = /^\s*([+-]?\d+(?:_\d+)*)/.exec(text);
  if (!m) return 0;
  const n = Number(m[1].replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : 0;
}

/** Ruby's `String#to_f`: the leading decimal number, 0 when there is none. */
export function rubyToF(text: string): number {
  const m = /^\s*([+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?)/.exec(text);
  if (!m) return 0;
  const n = Number(m[1].replace(/_/g, ''));
  return Number.isFinite(n) ? n : 0;
}

/** Ruby's Float#round (halves away from zero). */
const rubyRound = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

/** Sets an own property whatever the key (`__proto__` included): keys come from BBB documents. */
export function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An absolute http(s) URL's path + query (`URI(link).request_uri`); undefined when it is none. */
function requestUri(link: string): string | undefined {
  if (!/^https?:\/\//i.test(link)) return undefined;
  try {
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** A URL's path (`URI(text).path`): of an absolute URL, or of a reference starting with `/`. */
function pathOf(text: string): string | undefined {
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return new URL(text).pathname;
    if (text.startsWith('/') && !text.startsWith('//')) return new URL(text, 'http://host').pathname;
  } catch {
    return undefined;
  }
  return undefined;
}

const intAttr = (node: XmlNode, name: string): number | undefined => {
  const attr = node.attrs.find(([n]) => n === name);
  return attr ? rubyToI(attr[1]) : undefined;
};

/** Parses one metadata.xml; never throws. */
export function parseRecordingMetadata(xml: string): MetadataResult {
  let root: XmlNode;
  try {
    root = parseXmlDocument(xml);
  } catch (e) {
    return fail('xml.invalid', `metadata.xml is not an XML document: ${e instanceof XmlSyntaxError ? e.message : String(e)}`);
  }
  if (root.name !== 'recording') return fail('recording.missing', `the root element is <${root.name}>, not <recording>`);

  const recordID = presentText(firstChild(root, 'id'))?.trim();
  if (!recordID) return fail('id.missing', '<recording> has no <id>');

  const meta = firstChild(root, 'meta');
  if (!meta) return fail('meta.missing', '<recording> has no <meta>');
  const meetingId = presentText(firstChild(meta, 'meetingId'));
  if (meetingId === undefined) return fail('meetingId.missing', '<meta> has no <meetingId>');
  const nameNode = firstChild(meta, 'meetingName');

  let state: RecordingState | undefined;
  const stateText = presentText(firstChild(root, 'state'));
  if (stateText !== undefined) {
    const mapped = stateText === 'available' ? 'published' : stateText; // BBB screenshare writes `available`
    if (!(RECORDING_STATES as readonly string[]).includes(mapped)) {
      return fail('state.invalid', `<state> "${stateText}" is not one of ${RECORDING_STATES.join(', ')} (or available)`);
    }
    state = mapped as RecordingState;
  }

  const metadata: Record<string, string> = {};
  for (const child of childElements(meta)) {
    // `__proto__`, `constructor`, `prototype` are left out, as a create's meta_ names are (issue 9): the
    // DynamoDB marshaller cannot store a map with a `constructor` key, nor keep `__proto__`
    if (INTERNAL_METADATA.includes(child.name) || PROTOTYPE_NAMES.has(child.name)) continue;
    setOwn(metadata, child.name, deepText(child));
  }

  const playback = firstChild(root, 'playback');
  if (!playback) return fail('playback.missing', '<recording> has no <playback>');
  const formatName = presentText(firstChild(playback, 'format'))?.trim();
  if (!formatName) return fail('format.missing', '<playback> has no <format>');
  const linkNode = firstChild(playback, 'link');
  const link = linkNode ? deepText(linkNode).trim() : '';
  if (link === '') return fail('link.missing', `<playback> of format ${formatName} has no <link>`);
  const url = requestUri(link);
  if (url === undefined) return fail('link.invalid', `<link> "${link}" of format ${formatName} is not an http(s) URL`);
  const duration = presentText(firstChild(playback, 'duration'));
  const processing = presentText(firstChild(playback, 'processing_time'));

  const thumbnails: Thumbnail[] = [];
  const images = firstChild(playback, 'extensions');
  const imageList = images && firstChild(images, 'preview') ? firstChild(firstChild(images, 'preview')!, 'images') : undefined;
  for (const image of imageList ? childElements(imageList) : []) {
    const text = deepText(image).trim();
    if (text === '') continue; // an image without a URL shows nothing
    const path = pathOf(text);
    if (path === undefined) return fail('thumbnail.invalid', `thumbnail ${thumbnails.length} of format ${formatName}: "${text}" is not a URL`);
    const thumbnail: Thumbnail = { url: path };
    const width = intAttr(image, 'width');
    const height = intAttr(image, 'height');
    const alt = image.attrs.find(([n]) => n === 'alt')?.[1];
    if (width !== undefined) thumbnail.width = width;
    if (height !== undefined) thumbnail.height = height;
    if (alt !== undefined) thumbnail.alt = alt;
    thumbnails.push(thumbnail);
  }

  const format: PlaybackFormat = {
    type: formatName,
    url,
    length: duration === undefined ? 0 : rubyRound(rubyToF(duration) / 60_000),
    thumbnails,
  };
  if (processing !== undefined) format.processingTime = rubyToI(processing);

  const value: RecordingMetadata = { recordID, meetingId, metadata, format };
  if (nameNode) value.name = deepText(nameNode);
  const published = presentText(firstChild(root, 'published'));
  if (published !== undefined) value.published = published === 'true';
  const participants = presentText(firstChild(root, 'participants'));
  if (participants !== undefined) value.participants = rubyToI(participants);
  if (state !== undefined) value.state = state;
  const start = presentText(firstChild(root, 'start_time'));
  if (start !== undefined) value.startTime = rubyToI(start);
  const end = presentText(firstChild(root, 'end_time'));
  if (end !== undefined) value.endTime = rubyToI(end);
  return { ok: true, value };
}

/**
 * The front-end's meetingID of a recording, from the id BBB knew (`meta/meetingId`) and the recording's
 * tenant (`meta/tenant-id`): a tenant's meeting is `<tenantId>~<meetingID>` on BBB (`bbbMeetingId`), so
 * the prefix is dropped; the hashed form `<tenantId>~#<64 hex>` cannot be turned back and needs a lookup
 * of the meeting's records (`lookup`: the BBB id to look up; keep it when nothing is found). Without a
 * tenant, or without the prefix (a recording of a meeting created elsewhere), the id is the front-end's.
 */
export function frontendMeetingId(meetingId: string, tenantId: string | undefined): { meetingID: string } | { lookup: string } {
  if (tenantId === undefined || tenantId === '') return { meetingID: meetingId };
  const prefix = `${tenantId}${TENANT_ID_SEPARATOR}`;
  if (!meetingId.startsWith(prefix)) return { meetingID: meetingId };
  const rest = meetingId.slice(prefix.length);
  // `#<64 hex>` is the hashed form only when the id is what bbbMeetingId would make of a long meetingID;
  // a short front-end id of that shape maps to itself, and the lookup settles which one it is
  if (/^#[0-9a-f]{64}$/.test(rest)) return { lookup: meetingId };
  return { meetingID: rest };
}
