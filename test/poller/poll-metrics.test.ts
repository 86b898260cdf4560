/**
 * The metrics of a poll cycle (shared/app/poll-metrics.ts, a POLL_CYCLE_HOOKS entry) and of every call to
 * a BBB server (BbbClient), on a local stack with fake BBB servers: the deps are assembled with a
 * RecordingMetrics (assemble's `metrics` option), as the Lambda composition root does with its adapter.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getMeetingInfo } from '../../shared/app/meeting-calls.js';
import { METRIC, RecordingMetrics, type MetricName } from '../../shared/app/metrics.js';
import { emitPollMetrics, tenantTotals } from '../../shared/app/poll-metrics.js';
import { pollAll } from '../../shared/app/poll-servers.js';
import { silentLogger } from '../../shared/app/logger.js';
import type { Env } from '../../shared/config/env-names.js';
import { ApiError } from '../../shared/domain/api-error.js';
import { assemble } from '../../shared/runtime/assemble.js';
import { startPollerFixture, type PollerFixture } from './poller-fixture.js';

let f: PollerFixture;
afterEach(() => f?.close());

/** A fixture whose pollAll and use cases count into `metrics`. */
async function withMetrics(servers: number, env: Env = {}) {
  f = await startPollerFixture({ servers, env: { MULTITENANCY_ENABLED: 'true', CONNECT_TIMEOUT: '0.3', RESPONSE_TIMEOUT: '0.3', ...env } });
  const metrics = new RecordingMetrics();
  const deps = assemble(f.t.stack.config, { db: f.t.stack.db, clock: f.now, log: silentLogger, storage: f.t.stack.storage, metrics });
  return { metrics, deps };
}

/** The gauges of `name`: value by the one dimension value (or '' without dimensions). */
function gauges(metrics: RecordingMetrics, name: MetricName): Record<string, number> {
  return Object.fromEntries(metrics.samples.filter((s) => s.name === name).map((s) => [Object.values(s.dims)[0] ?? '', s.value]));
}

describe('a poll cycle’s metrics', () => {
  it('servers by state, per server, per tenant, and the cycle’s own, over fake servers with meetings', async () => {
    const { metrics, deps } = await withMetrics(5);
    await f.place(0, 'acme~a', { users: 5 });
    await f.place(0, 'acme~b', { users: 3 });
    await f.place(0, 'beta~c', { users: 2 });
    await f.place(1, 'plain', { users: 4 });
    await f.place(1, 'breakout-of-plain', { users: 2, isBreakout: true });
    await f.place(2, 'beta~d', { users: 1 });
    await deps.store.servers.updateConfig('bbb-3', { state: 'cordoned' });
    await deps.store.servers.updateConfig('bbb-4', { state: 'disabled' });
    f.fakes[4].hang(true); // bbb-5 never answers: timeouts, offline after SERVER_UNHEALTHY_THRESHOLD (2) cycles
    await pollAll(deps);
    f.advance(60_000);
    metrics.samples.length = 0;

    const report = await pollAll(deps);
    expect(report.byState).toEqual({ enabled: { online: 2, offline: 1 }, cordoned: { online: 1, offline: 0 }, disabled: { online: 1, offline: 0 } });
    expect([gauges(metrics, 'ServersOnline'), gauges(metrics, 'ServersOffline'), gauges(metrics, 'ServersCordoned'), gauges(metrics, 'ServersDisabled')]).toEqual([
      { '': 3 },
      { '': 1 },
      { '': 1 },
      { '': 1 },
    ]);
    expect(metrics.total('PollFailedServers')).toBe(1);
    expect(metrics.total('PollSkippedServers')).toBe(0);
    expect(metrics.samples.filter((s) => s.name === 'PollCycleDuration')).toEqual([{ kind: 'timing', name: 'PollCycleDuration', value: report.durationMs, dims: {} }]);

    // per server that answered and is online (bbb-5 did not answer; a disabled server has no load)
    expect(gauges(metrics, 'ServerMeetings')).toEqual({ 'bbb-1': 3, 'bbb-2': 2, 'bbb-3': 1, 'bbb-4': 0 });
    expect(gauges(metrics, 'ServerParticipants')).toEqual({ 'bbb-1': 10, 'bbb-2': 6, 'bbb-3': 1, 'bbb-4': 0 });
    expect(Object.keys(gauges(metrics, 'ServerLoad')).sort()).toEqual(['bbb-1', 'bbb-2', 'bbb-3']);
    expect(gauges(metrics, 'ServerLoad')['bbb-1']).toBe(report.serverStats.find((s) => s.id === 'bbb-1')!.load);

    // per tenant by the BBB-side id's prefix; the breakout room (BBB's own id) counts under `_`
    expect(gauges(metrics, 'TenantMeetings')).toEqual({ _: 2, acme: 2, beta: 2 });
    expect(gauges(metrics, 'TenantParticipants')).toEqual({ _: 6, acme: 8, beta: 3 });

    // every sample names a catalog metric with exactly the catalog's dimensions
    for (const s of metrics.samples) {
      expect(METRIC[s.name].kind, s.name).toBe(s.kind);
      expect(Object.keys(s.dims).sort(), s.name).toEqual([...METRIC[s.name].dims].sort());
    }
  });

  it('METRICS_PER_SERVER=false and METRICS_PER_TENANT=false leave only the cluster’s metrics', async () => {
    const { metrics, deps } = await withMetrics(2, { METRICS_PER_SERVER: 'false', METRICS_PER_TENANT: 'false' });
    await f.place(0, 'acme~a', { users: 5 });
    await pollAll(deps);
    const names = new Set(metrics.samples.map((s) => s.name));
    expect(names.has('ServersOnline')).toBe(true);
    expect(['ServerMeetings', 'ServerParticipants', 'ServerLoad', 'TenantMeetings', 'TenantParticipants'].filter((n) => names.has(n as MetricName))).toEqual([]);
    expect(gauges(metrics, 'ServersOnline')).toEqual({ '': 2 });
  });

  it('a report without states (another poller’s) still gives online and offline', () => {
    const metrics = new RecordingMetrics();
    const deps = { metrics, config: { metricsPerServer: true, metricsPerTenant: true } } as unknown as Parameters<typeof emitPollMetrics>[0];
    const report = { online: 4, offline: 1, skipped: 2, failed: 1, durationMs: 10, meetings: [], serverStats: [] } as unknown as Parameters<typeof emitPollMetrics>[1];
    emitPollMetrics(deps, report, { cycle: 1, startedAt: 0 });
    expect([gauges(metrics, 'ServersOnline'), gauges(metrics, 'ServersOffline'), metrics.total('PollSkippedServers')]).toEqual([{ '': 4 }, { '': 1 }, 2]);
    expect(gauges(metrics, 'ServersCordoned')).toEqual({});
  });

  it('tenantTotals sums meetings and participants per tenant, in tenant order', () => {
    const m = (tenantId: string, participants: number) => ({ serverId: 's', bbbMeetingId: `${tenantId}~x`, tenantId, participants, createTime: 0, isBreakout: false });
    expect([...tenantTotals({ meetings: [m('b', 1), m('a', 2), m('b', 3), m('_', 0)] })]).toEqual([
      ['_', { meetings: 1, participants: 0 }],
      ['a', { meetings: 1, participants: 2 }],
      ['b', { meetings: 2, participants: 4 }],
    ]);
  });
});

describe('BbbCalls and BbbCallLatency: every call to a BBB server, by outcome', () => {
  it('the poller’s getMeetings: ok, failed (BBB FAILED: wrong secret), timeout (no answer), error (refused)', async () => {
    const { metrics, deps } = await withMetrics(4);
    await deps.store.servers.updateConfig('bbb-2', { secret: 'not-the-secret' });
    f.fakes[2].hang(true);
    await f.fakes[3].stop();
    await pollAll(deps);
    const calls = metrics.samples.filter((s) => s.name === 'BbbCalls' && s.dims.call === 'getMeetings');
    expect(calls.map((s) => s.dims.outcome).sort()).toEqual(['error', 'failed', 'ok', 'timeout']);
    expect(calls.every((s) => s.kind === 'count' && s.value === 1)).toBe(true);
    expect(metrics.samples.filter((s) => s.name === 'BbbCallLatency' && s.dims.call === 'getMeetings')).toHaveLength(4);
  });

  it('a use case’s call (getMeetingInfo through callServer): ok, then failed when BBB answers FAILED', async () => {
    const { metrics, deps } = await withMetrics(1);
    await f.place(0, 'm1', { users: 1 });
    await getMeetingInfo(deps, new Map([['meetingID', 'm1']]));
    f.fakes[0].failNext(1, 'failed', 'getMeetingInfo');
    await expect(getMeetingInfo(deps, new Map([['meetingID', 'm1']]))).rejects.toBeInstanceOf(ApiError);
    expect(metrics.samples.filter((s) => s.name === 'BbbCalls').map((s) => s.dims)).toEqual([
      { call: 'getMeetingInfo', outcome: 'ok' },
      { call: 'getMeetingInfo', outcome: 'failed' },
    ]);
    expect(metrics.samples.filter((s) => s.name === 'BbbCallLatency').map((s) => [s.kind, s.dims])).toEqual([
      ['timing', { call: 'getMeetingInfo' }],
      ['timing', { call: 'getMeetingInfo' }],
    ]);
  });

  it('METRICS_ENABLED=false: assemble wires no metrics, not even into the BBB client', async () => {
    const { metrics, deps } = await withMetrics(1, { METRICS_ENABLED: 'false' });
    await pollAll(deps);
    expect(metrics.samples).toEqual([]);
  });
});
