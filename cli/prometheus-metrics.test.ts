import { describe, expect, it } from 'vitest';
import type { ClusterOverview, ServerOverview } from '../shared/app/cluster-overview.js';
import { METRIC, type MetricName } from '../shared/app/metrics.js';
import { PrometheusMetrics, prometheusName, snakeCase } from './prometheus-metrics.js';

const lines = (text: string) => text.split('\n');

const server = (id: string, extra: Partial<ServerOverview> = {}): ServerOverview => ({
  id,
  hostname: `${id}.example.org`,
  state: 'enabled',
  online: true,
  meetings: 2,
  users: 10,
  largestMeeting: 6,
  videos: 1,
  load: 10,
  loadMultiplier: 1,
  capacity: null,
  bbbVersion: '3.0.4',
  tag: null,
  pollError: null,
  polledAt: 1,
  ...extra,
});

const overview = (extra: Partial<ClusterOverview> = {}): ClusterOverview => ({
  at: 1_800_000_000_000,
  pollInterval: 60,
  servers: [server('bbb-1', { tag: 'de' }), server('bbb-2', { online: false, meetings: 0, users: 0, load: null }), server('bbb-3', { state: 'cordoned', load: 4.5 })],
  counts: { total: 3, online: 2, offline: 1, cordoned: 1, disabled: 0 },
  tenants: [
    { tenantId: 't1', meetings: 3, participants: 12 },
    { tenantId: '_', meetings: 1, participants: 2 },
  ],
  tenantsCycle: { cycle: 30_000_000, startedAt: 1_799_999_990_000 },
  cycles: [],
  ...extra,
});

describe('Prometheus names from the METRIC catalog', () => {
  it('scalelite_<snake_case>, counters _total, timings _seconds, gauges bare', () => {
    expect(snakeCase('PollSkippedServers')).toBe('poll_skipped_servers');
    expect(prometheusName('Requests')).toBe('scalelite_requests_total');
    expect(prometheusName('BbbCallLatency')).toBe('scalelite_bbb_call_latency_seconds');
    expect(prometheusName('PollCycleDuration')).toBe('scalelite_poll_cycle_duration_seconds');
    expect(prometheusName('ServersOnline')).toBe('scalelite_servers_online');
    expect(prometheusName('RecordingImportFailures')).toBe('scalelite_recording_import_failures_total');
  });

  it('every catalog name is a valid Prometheus metric name', () => {
    for (const name of Object.keys(METRIC) as MetricName[]) expect(prometheusName(name)).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  });
});

describe('PrometheusMetrics (the Metrics port over prom-client)', () => {
  it('counters, histograms in seconds and gauges, with the catalog dimensions as labels', async () => {
    const m = new PrometheusMetrics();
    m.count('Requests', 1, { call: 'create', outcome: 'success' });
    m.count('Requests', 2, { call: 'create', outcome: 'success' });
    m.count('Requests', 1, { call: 'join', outcome: 'notFound', extra: 'dropped' });
    m.timing('RequestLatency', 42, { call: 'join' });
    m.timing('PollCycleDuration', 1500);
    m.count('RecordingsImported');
    const text = lines(await m.render());
    expect(text).toContain('# HELP scalelite_requests_total BBB API requests by call and outcome (success or the messageKey).');
    expect(text).toContain('# TYPE scalelite_requests_total counter');
    expect(text).toContain('scalelite_requests_total{call="create",outcome="success"} 3');
    expect(text).toContain('scalelite_requests_total{call="join",outcome="notFound"} 1');
    expect(text).toContain('# HELP scalelite_request_latency_seconds BBB API request duration, seconds.');
    expect(text).toContain('# TYPE scalelite_request_latency_seconds histogram');
    expect(text).toContain('scalelite_request_latency_seconds_bucket{le="0.025",call="join"} 0');
    expect(text).toContain('scalelite_request_latency_seconds_bucket{le="0.05",call="join"} 1');
    expect(text).toContain('scalelite_request_latency_seconds_bucket{le="+Inf",call="join"} 1');
    expect(text).toContain('scalelite_request_latency_seconds_sum{call="join"} 0.042');
    expect(text).toContain('scalelite_request_latency_seconds_count{call="join"} 1');
    expect(text).toContain('scalelite_poll_cycle_duration_seconds_bucket{le="1"} 0');
    expect(text).toContain('scalelite_poll_cycle_duration_seconds_bucket{le="2.5"} 1');
    expect(text).toContain('scalelite_recordings_imported_total 1');
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('escapes hostile label values: quotes, backslashes, newlines', async () => {
    const m = new PrometheusMetrics();
    m.count('Placements', 1, { server: 'evil"id\\x\ny' });
    expect(lines(await m.render())).toContain('scalelite_placements_total{server="evil\\"id\\\\x\\ny"} 1');
  });

  it('without the cluster collector, gauges are what the port set', async () => {
    const m = new PrometheusMetrics();
    m.gauge('ServerLoad', 7, { server: 'bbb-1' });
    expect(lines(await m.render())).toContain('scalelite_server_load{server="bbb-1"} 7');
  });
});

describe('the cluster gauges (read at every scrape)', () => {
  it('servers by state, per server with id and tag, per tenant, the newest cycle', async () => {
    const m = new PrometheusMetrics({ cluster: true });
    m.gauge('ServerLoad', 99, { server: 'pushed' }); // owned by the collector: ignored
    m.setClusterSource(async () => overview());
    const text = lines(await m.render());
    expect(text).toContain('# TYPE scalelite_servers_online gauge');
    expect(text).toContain('scalelite_servers_online 2');
    expect(text).toContain('scalelite_servers_offline 1');
    expect(text).toContain('scalelite_servers_cordoned 1');
    expect(text).toContain('scalelite_servers_disabled 0');
    expect(text).toContain('scalelite_server_meetings{server="bbb-1",tag="de"} 2');
    expect(text).toContain('scalelite_server_participants{server="bbb-1",tag="de"} 10');
    expect(text).toContain('scalelite_server_load{server="bbb-1",tag="de"} 10');
    expect(text).toContain('scalelite_server_load{server="bbb-3",tag=""} 4.5');
    expect(text.some((l) => l.startsWith('scalelite_server_load{server="bbb-2"'))).toBe(false); // offline: no load
    expect(text.some((l) => l.includes('pushed'))).toBe(false);
    expect(text).toContain('scalelite_server_online{server="bbb-1",tag="de",state="enabled"} 1');
    expect(text).toContain('scalelite_server_online{server="bbb-2",tag="",state="enabled"} 0');
    expect(text).toContain('scalelite_server_online{server="bbb-3",tag="",state="cordoned"} 1');
    expect(text).toContain('scalelite_tenant_meetings{tenant="t1"} 3');
    expect(text).toContain('scalelite_tenant_participants{tenant="t1"} 12');
    expect(text).toContain('scalelite_tenant_meetings{tenant="_"} 1');
    expect(text).toContain('scalelite_cluster_up 1');
  });

  it('hostile server ids, tags and tenant ids are escaped', async () => {
    const m = new PrometheusMetrics({ cluster: true });
    const hostile = 'a"b\\c\nd';
    m.setClusterSource(async () => overview({ servers: [server(hostile, { tag: 'x"\n\\' })], tenants: [{ tenantId: hostile, meetings: 1, participants: 2 }] }));
    const text = lines(await m.render());
    expect(text).toContain('scalelite_server_meetings{server="a\\"b\\\\c\\nd",tag="x\\"\\n\\\\"} 2');
    expect(text).toContain('scalelite_tenant_participants{tenant="a\\"b\\\\c\\nd"} 2');
    // one sample per line: no raw newline got through
    expect(text.filter((l) => l !== '' && !l.startsWith('#')).every((l) => /^scalelite_[a-z_]+(\{.*\})? [-0-9.e+]+$/.test(l))).toBe(true);
  });

  it('a removed server, a tenant without meetings disappear at the next scrape', async () => {
    const m = new PrometheusMetrics({ cluster: true });
    let o = overview();
    m.setClusterSource(async () => o);
    expect(await m.render()).toContain('server="bbb-2"');
    o = overview({ servers: [server('bbb-1')], tenants: [{ tenantId: '_', meetings: 1, participants: 2 }] });
    const text = await m.render();
    expect(text).not.toContain('server="bbb-2"');
    expect(text).not.toContain('tenant="t1"');
    expect(text).toContain('scalelite_tenant_meetings{tenant="_"} 1');
  });

  it('a failed read: cluster_up 0 and no other cluster sample (never a stale or zero value)', async () => {
    const errors: string[] = [];
    const m = new PrometheusMetrics({ cluster: true, onClusterError: (e) => errors.push(e.message) });
    let fail = false;
    m.setClusterSource(async () => {
      if (fail) throw new Error('table unreachable');
      return overview();
    });
    await m.render();
    fail = true;
    m.count('Requests', 1, { call: 'join', outcome: 'success' });
    const text = lines(await m.render());
    expect(errors).toEqual(['table unreachable']);
    expect(text).toContain('scalelite_cluster_up 0');
    expect(text).toContain('scalelite_requests_total{call="join",outcome="success"} 1');
    const samples = text.filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples.filter((l) => !l.startsWith('scalelite_requests_total'))).toEqual(['scalelite_cluster_up 0']);
  });
});
