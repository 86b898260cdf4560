import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterOverview } from '../../shared/app/cluster-overview.js';
import { keys } from '../../shared/store/keys.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary against this file's own local stack: directly, and (project cli-lambda) through the admin function.
const t = useSlctlFixture('slctl-metrics');
const { slctl, seedServer } = t;

beforeEach(async () => {
  // no poll cycles of an earlier test
  const { db, config } = t.stack;
  const res = await db.send(new QueryCommand({ TableName: config.dynamodbTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.pollHistoryPartition() } }));
  for (const item of res.Items ?? []) await db.send(new DeleteCommand({ TableName: config.dynamodbTable, Key: { pk: item.pk, sk: item.sk } }));
});

async function seedCluster(): Promise<void> {
  await seedServer({ id: 'm-1', state: 'enabled', tag: 'de' }, { online: true, load: 12, meetings: 2, users: 12, polledAt: 1 });
  await seedServer({ id: 'm-2', state: 'cordoned' }, { online: false, polledAt: 1 });
  await seedServer({ id: 'm"3\\', state: 'disabled' });
  const now = Date.now();
  await t.stack.deps.store.pollHistory.record({
    cycle: Math.floor(now / 60_000),
    startedAt: now,
    durationMs: 80,
    servers: 3,
    polled: 1,
    failed: 1,
    skipped: 0,
    errors: 0,
    online: 1,
    offline: 2,
    meetings: 2,
    participants: 12,
    wentOnline: [],
    wentOffline: ['m-2'],
    tenants: [{ tenantId: '_', meetings: 2, participants: 12 }],
    tenantsOmitted: 0,
  });
}

describe('slctl metrics', () => {
  it('prints the cluster gauges in the Prometheus text format', async () => {
    await seedCluster();
    const r = await slctl(['metrics']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('# TYPE scalelite_servers_online gauge');
    expect(lines).toContain('scalelite_servers_online 1');
    expect(lines).toContain('scalelite_servers_offline 1');
    expect(lines).toContain('scalelite_servers_cordoned 1');
    expect(lines).toContain('scalelite_servers_disabled 1');
    expect(lines).toContain('scalelite_server_load{server="m-1",tag="de"} 12');
    expect(lines).toContain('scalelite_server_participants{server="m-1",tag="de"} 12');
    expect(lines).toContain('scalelite_server_online{server="m\\"3\\\\",tag="",state="disabled"} 0');
    expect(lines).toContain('scalelite_tenant_participants{tenant="_"} 12');
    expect(lines).toContain('scalelite_cluster_up 1');
  }, SPAWN_TIMEOUT * 2);

  it('dashboard:data (hidden): the overview as one line of JSON, without secrets or URLs', async () => {
    await seedCluster();
    const r = await slctl(['dashboard:data']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout) as ClusterOverview;
    expect(o.servers.map((s) => [s.id, s.state, s.online, s.load])).toEqual([
      ['m"3\\', 'disabled', false, null],
      ['m-1', 'enabled', true, 12],
      ['m-2', 'cordoned', false, null],
    ]);
    expect(o.counts).toEqual({ total: 3, online: 1, offline: 1, cordoned: 1, disabled: 1 });
    expect(o.cycles).toHaveLength(1);
    expect(o.cycles[0].wentOffline).toEqual(['m-2']);
    expect(o.tenants).toEqual([{ tenantId: '_', meetings: 2, participants: 12 }]);
    expect(r.stdout).not.toContain('secret');
    expect(r.stdout).not.toContain('https://');
    expect((await slctl(['--help'])).stdout).not.toContain('dashboard:data');
  }, SPAWN_TIMEOUT * 3);
});
