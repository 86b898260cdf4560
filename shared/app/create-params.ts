import { isForwardableParam, metaKeyOf, presentParam, type Params } from '../domain/params.js';

export interface CapturedCallbacks {
  analyticsCallbackUrl?: string;
  recordingReadyUrl?: string;
}

const RECORDING_READY = ['meta_bn-recording-ready-url', 'meta_bbb-recording-ready-url', 'meta_canvas-recording-ready-url'];

/**
 * Captures the callback URLs of a create (reference §2.7) and rewrites the parameters in place:
 * the analytics URL is replaced by our relay endpoint; recording-ready URLs are removed.
 * Unlike Scalelite, `meta_canvas-recording-ready-url` is honoured as the third fallback.
 */
export function captureCallbacks(params: Params, base: string): CapturedCallbacks {
  const out: CapturedCallbacks = {};
  if (params.has('meta_analytics-callback-url')) {
    out.analyticsCallbackUrl = params.get('meta_analytics-callback-url') ?? '';
    params.set('meta_analytics-callback-url', `${base}/bigbluebutton/api/analytics_callback`);
  }
  const url = RECORDING_READY.map((k) => presentParam(params, k)).find((v) => v !== undefined);
  if (url !== undefined) {
    out.recordingReadyUrl = url;
    for (const k of RECORDING_READY) params.delete(k);
  }
  return out;
}

/** Ruby's `to_i`: the leading integer of a string, else 0. */
export function leadingInt(value: string | null | undefined): number {
  const m = /^\s*([+-]?\d+)/.exec(value ?? '');
  return m ? parseInt(m[1], 10) : 0;
}

/** MAX_MEETING_DURATION: a missing, zero or larger duration becomes the maximum. */
export function capDuration(params: Params, maxMinutes: number): void {
  if (maxMinutes === 0) return;
  const duration = leadingInt(params.get('duration'));
  if (duration === 0 || duration > maxMinutes) params.set('duration', String(maxMinutes));
}

/**
 * `meta_*` parameters as BBB stores them: key without the prefix, lower-cased — only those we forward
 * (`isForwardableParam`: never `constructor` & co., which would also break DynamoDB's marshalling). A
 * null-prototype object, so no name can reach a prototype.
 */
export function metadataOf(params: Params): Record<string, string> {
  const meta = Object.create(null) as Record<string, string>;
  for (const [k, v] of params) if (k.startsWith('meta_') && k.length > 5 && v !== null && isForwardableParam(k)) meta[metaKeyOf(k)] = v;
  return meta;
}

/** The create parameter that carries a meeting's expected size; ours, never forwarded to BBB. */
export const SIZE_HINT_PARAM = 'meta_expected-participants';

export interface SizeHint {
  /** the expected number of participants; undefined when the create gives none */
  expected?: number;
  /** the text of a `meta_expected-participants` that is not a positive integer (ignored) */
  ignored?: string;
}

/** Whether a parameter name is the size hint (any case: BBB lower-cases metadata names). */
export const isSizeHintParam = (key: string): boolean => key.toLowerCase() === SIZE_HINT_PARAM;

/** A positive integer in decimal, as written (`20`, `+20`); undefined for anything else. */
function positiveInteger(text: string | null | undefined): number | undefined {
  const m = /^\+?(\d{1,9})$/.exec((text ?? '').trim());
  const n = m ? Number(m[1]) : 0;
  return n > 0 ? n : undefined;
}

/**
 * Takes the create's size hint out of its parameters (`meta_expected-participants` never reaches BBB,
 * nor the stored metadata): its value when it is a positive integer, else — and when it is absent —
 * BBB's own `maxParticipants` when > 0 (which stays: BBB enforces it). A hint that is not a positive
 * integer is ignored (`ignored`), as BBB would ignore metadata it does not understand: the create goes on.
 */
export function takeSizeHint(params: Params): SizeHint {
  // BBB lower-cases metadata names: `meta_Expected-Participants` is the same hint, and is removed too
  let raw: string | undefined;
  for (const key of [...params.keys()]) {
    if (!isSizeHintParam(key)) continue;
    if (raw === undefined || key === SIZE_HINT_PARAM) raw = params.get(key) ?? '';
    params.delete(key);
  }
  const hinted = raw === undefined ? undefined : positiveInteger(raw);
  const ignored = raw !== undefined && hinted === undefined && raw.trim() !== '' ? { ignored: raw } : {};
  const expected = hinted ?? positiveInteger(params.get('maxParticipants'));
  return { ...(expected !== undefined ? { expected } : {}), ...ignored };
}
