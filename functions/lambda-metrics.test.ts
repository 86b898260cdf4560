/**
 * The EMF the Lambda adapter writes: the JSON lines CloudWatch Logs turns into metrics
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * `_aws.Timestamp`, `_aws.CloudWatchMetrics[0]` with the namespace, the dimension sets and each metric's
 * name and unit, and the dimension values and metric values at the top level. Captured from stdout, where
 * Powertools writes them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC, type MetricName } from '../shared/app/metrics.js';
import { emfDimensions, unitOf } from './emf-layout.js';
import { LambdaMetrics, MAX_BUFFERED, MAX_VALUES, withMetrics } from './lambda-metrics.js';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const NOW = Date.now();
let lines: string[] = [];

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

/** The EMF documents written since the test began (every stdout line must be one). */
const documents = (): Emf[] => lines.flatMap((l) => l.split('\n').filter((x) => x.trim() !== '')).map((l) => JSON.parse(l) as Emf);
/** The one document whose top level has `name` with these dimension values. */
function documentOf(name: string, dims: Record<string, string> = {}): Emf {
  const found = documents().filter((d) => name in d && Object.entries(dims).every(([k, v]) => d[k] === v));
  expect(found, `one document with ${name} ${JSON.stringify(dims)}`).toHaveLength(1);
  return found[0];
}

const metrics = (service = 'api') => new LambdaMetrics({ namespace: 'Scalelite-Test', service, clock: () => NOW });

describe('the EMF the Lambda adapter writes', () => {
  it('a count with dimensions: one document, namespace, service + its dimensions, the summed value at the top level', () => {
    const m = metrics();
    m.count('Requests', 1, { call: 'create', outcome: 'success' });
    m.count('Requests', 1, { call: 'create', outcome: 'success' });
    m.count('Requests', 3, { call: 'create', outcome: 'success' });
    expect(lines).toEqual([]); // buffered until the flush
    m.flush();
    expect(documents()).toEqual([
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [{ Namespace: 'Scalelite-Test', Dimensions: [['service', 'call', 'outcome']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] }],
        },
        service: 'api',
        call: 'create',
        outcome: 'success',
        Requests: 5,
      },
    ]);
  });

  it('timings keep every value (an EMF array, in milliseconds); metrics of the same dimension values share one document', () => {
    const m = metrics();
    m.timing('RequestLatency', 12.5, { call: 'join' });
    m.timing('RequestLatency', 30, { call: 'join' });
    m.timing('BbbCallLatency', 7, { call: 'join' });
    m.flush();
    expect(documents()).toHaveLength(1);
    const d = documentOf('RequestLatency', { call: 'join' });
    expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'call']]);
    expect(d._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'RequestLatency', Unit: 'Milliseconds' },
      { Name: 'BbbCallLatency', Unit: 'Milliseconds' },
    ]);
    expect([d.RequestLatency, d.BbbCallLatency]).toEqual([[12.5, 30], 7]);
  });

  it('gauges per server and per tenant land each with their own dimension values; dimensionless ones with service only', () => {
    const m = metrics('poller');
    m.gauge('ServersOnline', 2);
    m.gauge('ServersOffline', 1);
    m.timing('PollCycleDuration', 840);
    for (const [server, meetings, users, load] of [
      ['bbb-1', 3, 40, 52],
      ['bbb-2', 0, 0, 0],
    ] as const) {
      m.gauge('ServerMeetings', meetings, { server });
      m.gauge('ServerParticipants', users, { server });
      m.gauge('ServerLoad', load, { server });
    }
    m.gauge('TenantMeetings', 2, { tenant: 'acme' });
    m.gauge('TenantParticipants', 35, { tenant: 'acme' });
    m.flush();
    // one document per dimension set and values: the cluster, two servers, one tenant
    expect(documents()).toHaveLength(4);
    const cluster = documentOf('ServersOnline');
    expect(cluster._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(cluster).toMatchObject({ service: 'poller', ServersOnline: 2, ServersOffline: 1, PollCycleDuration: 840 });
    expect(cluster._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'ServersOnline', Unit: 'Count' },
      { Name: 'ServersOffline', Unit: 'Count' },
      { Name: 'PollCycleDuration', Unit: 'Milliseconds' },
    ]);
    const bbb1 = documentOf('ServerLoad', { server: 'bbb-1' });
    expect(bbb1._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'Scalelite-Test',
      Dimensions: [['service', 'server']],
      Metrics: [
        { Name: 'ServerMeetings', Unit: 'Count' },
        { Name: 'ServerParticipants', Unit: 'Count' },
        { Name: 'ServerLoad', Unit: 'None' },
      ],
    });
    expect(bbb1).toMatchObject({ ServerMeetings: 3, ServerParticipants: 40, ServerLoad: 52 });
    expect(documentOf('ServerLoad', { server: 'bbb-2' })).toMatchObject({ ServerMeetings: 0, ServerParticipants: 0, ServerLoad: 0 });
    const acme = documentOf('TenantMeetings', { tenant: 'acme' });
    expect(acme._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'tenant']]);
    expect(acme).toMatchObject({ TenantMeetings: 2, TenantParticipants: 35 });
    for (const d of documents()) expect(d._aws.Timestamp).toBe(NOW);
  });

  it('BbbCalls also goes out by outcome alone (the rollup the failure alarm reads)', () => {
    const m = metrics();
    m.count('BbbCalls', 1, { call: 'getMeetingInfo', outcome: 'timeout' });
    m.flush();
    const d = documentOf('BbbCalls', { call: 'getMeetingInfo', outcome: 'timeout' });
    expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['service', 'call', 'outcome'],
      ['service', 'outcome'],
    ]);
    expect(d.BbbCalls).toBe(1);
  });

  it('a document holds at most MAX_VALUES values of a metric: more go into further documents with the same dimensions', () => {
    const m = metrics('poller');
    for (let i = 0; i < MAX_VALUES + 5; i++) m.gauge('ServerLoad', i, { server: 'bbb-9' });
    m.count('PollSkippedServers', 2);
    m.flush();
    const docs = documents().filter((d) => d.server === 'bbb-9');
    expect(docs.map((d) => (d.ServerLoad as number[]).length)).toEqual([MAX_VALUES, 5]);
    for (const d of docs) expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'server']]);
    expect(documentOf('PollSkippedServers').PollSkippedServers).toBe(2);
  });

  it('a long invocation writes what it has once maxBuffered samples wait (MAX_BUFFERED by default)', () => {
    expect(MAX_BUFFERED).toBeGreaterThan(1000);
    const m = new LambdaMetrics({ namespace: 'Scalelite-Test', service: 'poller', clock: () => NOW, maxBuffered: 250 });
    for (let i = 0; i < 248; i++) m.timing('PollCycleDuration', 1);
    m.count('PollSkippedServers', 1);
    m.count('PollSkippedServers', 1); // a count adds to its value: no new sample
    expect([lines, m.pending]).toEqual([[], 249]);
    m.timing('PollCycleDuration', 1);
    expect(m.pending).toBe(0);
    const values = documents().reduce((n, d) => n + (d.PollCycleDuration as number[]).length, 0);
    expect(values).toBe(249);
    expect(documents().reduce((n, d) => n + ((d.PollSkippedServers as number) ?? 0), 0)).toBe(2);
  });

  it('dimension values CloudWatch would refuse are made acceptable; values that are no number are dropped', () => {
    const m = metrics();
    m.gauge('TenantMeetings', 1, { tenant: 'ünï' });
    m.gauge('TenantMeetings', 1, { tenant: ' ' });
    m.gauge('TenantMeetings', Number.NaN, { tenant: 'nan' });
    m.flush();
    expect(documents().map((d) => d.tenant).sort()).toEqual(['(none)', '?n?']);
  });

  it('nothing buffered: nothing written', () => {
    metrics().flush();
    expect(lines).toEqual([]);
  });

  it('every catalog metric has a CloudWatch unit and its dimensions named', () => {
    for (const name of Object.keys(METRIC) as MetricName[]) {
      expect(['Count', 'Milliseconds', 'None']).toContain(unitOf(name));
      expect(emfDimensions(name)[0]).toBe('service');
    }
  });
});

describe('withMetrics', () => {
  it('the process-wide adapter starts in the contract’s default namespace, and takes the configured one', () => {
    const m = new LambdaMetrics({ service: 'api', clock: () => NOW });
    m.count('Requests', 1, { call: 'join', outcome: 'success' });
    m.flush();
    m.namespace = 'Other';
    m.count('Requests', 1, { call: 'join', outcome: 'success' });
    m.flush();
    expect(documents().map((d) => d._aws.CloudWatchMetrics[0].Namespace)).toEqual(['Scalelite', 'Other']);
  });

  it('writes the metrics of an invocation when it returns, and when it throws; sets the service dimension', async () => {
    const m = metrics('unset');
    const ok = withMetrics(async (n: number) => {
      m.count('RecordingsImported', n);
      return n * 2;
    }, m, 'importer');
    expect(await ok(3)).toBe(6);
    expect(documentOf('RecordingsImported')).toMatchObject({ service: 'importer', RecordingsImported: 3 });
    lines = [];
    const failing = withMetrics(async () => {
      m.count('RecordingImportFailures');
      throw new Error('boom');
    }, m);
    await expect(failing()).rejects.toThrow('boom');
    expect(documentOf('RecordingImportFailures')).toMatchObject({ service: 'importer', RecordingImportFailures: 1 });
  });
});
