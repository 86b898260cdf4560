/**
 * What a getRecordings call asks for (pure): its parameters read as Scalelite reads them (reference §5.3),
 * with BBB's AND semantics for `meta_*` filters and BBB 2.6's `offset`/`limit` pagination, and the
 * predicate and order every access path applies.
 */
import { DEFAULT_LISTED_STATES, type Recording } from './recording.js';
import type { Params } from './params.js';

/** One `meta_<key>=<v1>,<v2>` filter: the recording's metadata `<key>` is one of the values. */
export interface MetaFilter {
  key: string;
  values: readonly string[];
}

/** The conditions a recording must meet (all of them). */
export interface RecordingFilter {
  /** undefined = any state (`state=any`) */
  states?: readonly string[];
  /** every filter must match (BBB's AND); within one filter any value (Scalelite's value list) */
  meta: readonly MetaFilter[];
  /** exact meetingIDs; undefined = any */
  meetingIDs?: readonly string[];
}

export interface Page {
  offset: number;
  limit: number;
}

export interface RecordingsQuery {
  /** recordID prefixes (case-sensitive); undefined = no recordID condition */
  recordIDPrefixes?: readonly string[];
  filter: RecordingFilter;
  /** BBB 2.6 pagination; undefined = every match (no `limit`) */
  page?: Page;
}

/** Ruby's `String#split(',')`: trailing empty fields dropped (`"a,"` → `["a"]`, `","` → `[]`, `",a"` → `["", "a"]`). */
export function rubySplit(text: string): string[] {
  const parts = text.split(',');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Rails' `present?` for a parameter: given, and not only whitespace. */
const present = (v: string | null | undefined): v is string => typeof v === 'string' && v.trim() !== '';

/** Java's `Integer.parseInt` (ASCII digits, optional sign, 32-bit); undefined where it throws. */
export function javaParseInt(text: string | null | undefined): number | undefined {
  if (typeof text !== 'string' || !/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/**
 * BBB 2.6's pagination (MeetingService.getRecordings2x): no valid `limit` → no pagination; `limit` clamped to
 * 1–100; `offset` 0 when missing, invalid or negative.
 */
export function parsePage(offset: string | null | undefined, limit: string | null | undefined): Page | undefined {
  const l = javaParseInt(limit);
  if (l === undefined) return undefined;
  const o = javaParseInt(offset);
  return { offset: o === undefined || o < 0 ? 0 : o, limit: Math.min(100, Math.max(1, l)) };
}

/**
 * A `meta_` parameter's metadata key: the name after the `meta_` prefix, lower-cased — what BBB does and
 * what updateRecordings stores (Scalelite removes every `meta_` in the name and keeps its case).
 */
export const metaFilterKey = (name: string): string => name.slice(5).toLowerCase();

/** The parameters of getRecordings (§5.3, with the deliberate differences above). */
export function parseRecordingsQuery(params: Params): RecordingsQuery {
  const state = params.get('state');
  let states: readonly string[] | undefined = DEFAULT_LISTED_STATES;
  if (present(state)) {
    const list = rubySplit(state);
    states = list.includes('any') ? undefined : [...new Set(list)];
  }
  const meta: MetaFilter[] = [];
  for (const [name, value] of params) {
    if (!name.startsWith('meta_')) continue;
    meta.push({ key: metaFilterKey(name), values: [...new Set(rubySplit(value ?? ''))] });
  }
  const recordID = params.get('recordID');
  const meetingID = params.get('meetingID');
  let recordIDPrefixes: string[] | undefined;
  if (present(recordID)) {
    const list = rubySplit(recordID);
    // an empty entry (`a,,b`) is a prefix of every id: no condition at all (Scalelite's LIKE '%')
    recordIDPrefixes = list.length > 0 && list.includes('') ? undefined : [...new Set(list)];
  }
  return {
    recordIDPrefixes,
    filter: { states, meta, meetingIDs: present(meetingID) ? [...new Set(rubySplit(meetingID))] : undefined },
    page: parsePage(params.get('offset'), params.get('limit')),
  };
}

/** Whether the query can match nothing at all (an empty list; a meta key no recording has: ''), so no query needs to run. */
export function matchesNothing(q: RecordingsQuery): boolean {
  const f = q.filter;
  return q.recordIDPrefixes?.length === 0 || f.states?.length === 0 || f.meetingIDs?.length === 0 || f.meta.some((m) => m.values.length === 0 || m.key === '');
}

/** The predicate every path applies (the store also pushes it into a FilterExpression where it can). */
export function matchesFilter(r: Pick<Recording, 'state' | 'metadata' | 'meetingID'>, f: RecordingFilter): boolean {
  if (f.states !== undefined && (r.state === undefined || !f.states.includes(r.state))) return false;
  if (f.meetingIDs !== undefined && !f.meetingIDs.includes(r.meetingID)) return false;
  const metadata = r.metadata ?? {};
  return f.meta.every((m) => Object.hasOwn(metadata, m.key) && m.values.includes(metadata[m.key]));
}

/** The order of every listing: start time, newest first, then record id descending (the index order). */
export function newestFirst(a: Pick<Recording, 'startTime' | 'recordID'>, b: Pick<Recording, 'startTime' | 'recordID'>): number {
  // as the index keys sort them (store/keys.ts `startKey`: whole ms, never below 0)
  const ta = Math.max(0, Math.floor(a.startTime));
  const tb = Math.max(0, Math.floor(b.startTime));
  if (ta !== tb) return tb - ta;
  return a.recordID < b.recordID ? 1 : a.recordID > b.recordID ? -1 : 0;
}
