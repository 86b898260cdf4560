/**
 * The metrics port: what the use cases count and time. Adapters: CloudWatch EMF through Powertools on
 * Lambda (flushed at the end of each invocation), prom-client in `slctl serve` (scraped at /metrics),
 * `noMetrics` where nobody reads them. Names come from METRIC (below) so every adapter, dashboard and
 * alarm agrees; dimension values are ids and outcomes only — never secrets, never user-supplied text
 * of unbounded cardinality (a meetingID is never a dimension).
 */
export type MetricDimensions = Record<string, string>;

export interface Metrics {
  /** adds `value` (default 1) to a counter */
  count(name: MetricName, value?: number, dims?: MetricDimensions): void;
  /** one duration sample, milliseconds */
  timing(name: MetricName, ms: number, dims?: MetricDimensions): void;
  /** the current value of a gauge (the poller's view of the cluster) */
  gauge(name: MetricName, value: number, dims?: MetricDimensions): void;
}

export const noMetrics: Metrics = { count() {}, timing() {}, gauge() {} };

/** Every metric the code emits: name → kind, unit and dimensions (the catalog dashboards and alarms are built from). */
export const METRIC = {
  // API (per request)
  Requests: { kind: 'count', dims: ['call', 'outcome'], doc: 'BBB API requests by call and outcome (success or the messageKey).' },
  RequestLatency: { kind: 'timing', dims: ['call'], doc: 'BBB API request duration, ms.' },
  // outgoing BBB calls
  BbbCalls: { kind: 'count', dims: ['call', 'outcome'], doc: 'Calls to BBB servers by API call and outcome (ok, failed = BBB FAILED, timeout, error).' },
  BbbCallLatency: { kind: 'timing', dims: ['call'], doc: 'Duration of calls to BBB servers, ms.' },
  // placement
  Placements: { kind: 'count', dims: ['server'], doc: 'Meetings placed on a server (new meetings and re-placements).' },
  // poller (per cycle)
  PollCycleDuration: { kind: 'timing', dims: [], doc: 'Duration of one poll cycle, ms.' },
  PollSkippedServers: { kind: 'count', dims: [], doc: 'Servers a cycle did not poll (its deadline).' },
  PollFailedServers: { kind: 'count', dims: [], doc: 'Servers whose getMeetings failed in a cycle.' },
  ServersOnline: { kind: 'gauge', dims: [], doc: 'Online servers (enabled or cordoned).' },
  ServersOffline: { kind: 'gauge', dims: [], doc: 'Offline servers (not disabled).' },
  ServersCordoned: { kind: 'gauge', dims: [], doc: 'Cordoned servers.' },
  ServersDisabled: { kind: 'gauge', dims: [], doc: 'Disabled servers.' },
  ServerMeetings: { kind: 'gauge', dims: ['server'], doc: 'Meetings on a server.' },
  ServerParticipants: { kind: 'gauge', dims: ['server'], doc: 'Participants on a server.' },
  ServerLoad: { kind: 'gauge', dims: ['server'], doc: 'Load of a server as placement sees it.' },
  TenantMeetings: { kind: 'gauge', dims: ['tenant'], doc: 'Running meetings of a tenant (`_`: no tenant).' },
  TenantParticipants: { kind: 'gauge', dims: ['tenant'], doc: 'Participants in a tenant\'s meetings (`_`: no tenant).' },
  // recordings
  RecordingsImported: { kind: 'count', dims: [], doc: 'Recordings imported (uploads filed).' },
  RecordingImportFailures: { kind: 'count', dims: [], doc: 'Uploads whose import failed (retried, then dead-lettered).' },
  RecordingsExpired: { kind: 'count', dims: [], doc: 'Recordings past their retention found by the retention job.' },
  RecordingsPurged: { kind: 'count', dims: [], doc: 'Recordings deleted by the retention job.' },
  RecordingsPurgeFailed: { kind: 'count', dims: [], doc: 'Recordings the retention job failed to delete.' },
} as const satisfies Record<string, { kind: 'count' | 'timing' | 'gauge'; dims: readonly string[]; doc: string }>;

export type MetricName = keyof typeof METRIC;

/** Collects what was emitted (tests). */
export class RecordingMetrics implements Metrics {
  readonly samples: Array<{ kind: 'count' | 'timing' | 'gauge'; name: MetricName; value: number; dims: MetricDimensions }> = [];
  count(name: MetricName, value = 1, dims: MetricDimensions = {}) { this.samples.push({ kind: 'count', name, value, dims }); }
  timing(name: MetricName, ms: number, dims: MetricDimensions = {}) { this.samples.push({ kind: 'timing', name, value: ms, dims }); }
  gauge(name: MetricName, value: number, dims: MetricDimensions = {}) { this.samples.push({ kind: 'gauge', name, value, dims }); }
  /** sum of the counted values of `name` whose dimensions include `dims` */
  total(name: MetricName, dims: MetricDimensions = {}): number {
    return this.samples.filter((s) => s.name === name && Object.entries(dims).every(([k, v]) => s.dims[k] === v)).reduce((n, s) => n + s.value, 0);
  }
}
