/**
 * The `call` dimension of the request metrics (Requests, RequestLatency): the BBB API's call names, `index`
 * for the API's root, `other` for any other path. The call comes from the URL, so it is mapped onto this
 * fixed set: a client must not be able to create metric series at will (shared/app/metrics.ts).
 */
const BBB_CALLS: ReadonlySet<string> = new Set([
  'create',
  'join',
  'end',
  'isMeetingRunning',
  'getMeetingInfo',
  'getMeetings',
  'insertDocument',
  'analytics_callback',
  'getRecordings',
  'publishRecordings',
  'updateRecordings',
  'deleteRecordings',
]);

export function bbbCallDimension(call: string): string {
  if (call === '') return 'index';
  return BBB_CALLS.has(call) ? call : 'other';
}
