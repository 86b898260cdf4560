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
