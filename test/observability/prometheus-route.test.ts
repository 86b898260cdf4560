import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

/** GET /metrics of the local stack (`slctl serve`): the adapter the use cases count into, and the cluster gauges. */
describe('slctl serve: GET /metrics', () => {
  let t: TestStack;
  let offset = 0;

  beforeAll(async () => {
    t = await startTestStack({ servers: 2, env: { MULTITENANCY_ENABLED: 'false' }, clock: () => Date.now() + offset });
    await t.stack.deps.store.servers.updateConfig('bbb-2', { tag: 'de"\\\nx' });
    const created = await t.call('create', 'meetingID=prom-1&name=Prom&moderatorPW=mp&attendeePW=ap');
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    // the next poll interval: its cycle is recorded (a second poll in the interval of the first is not)
    offset += t.stack.config.pollInterval * 1000;
    await t.poll();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the Prometheus text format: cluster gauges, per server, per tenant, and the request counters', async () => {
    const res = await rawRequest(t.url, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = res.body.split('\n');
    expect(lines).toContain('scalelite_servers_online 2');
    expect(lines).toContain('scalelite_servers_offline 0');
    expect(lines).toContain('scalelite_cluster_up 1');
    const placed = lines.find((l) => /^scalelite_server_meetings\{server="bbb-[12]",tag="[^"]*"\} 1$/.test(l));
    expect(placed).toBeDefined();
    expect(lines).toContain('scalelite_server_online{server="bbb-2",tag="de\\"\\\\\\nx",state="enabled"} 1');
    expect(lines).toContain('scalelite_tenant_meetings{tenant="_"} 1');
    // counted by the API into the same adapter (assemble's `metrics`)
    expect(lines.some((l) => /^scalelite_requests_total\{call="create",outcome="[^"]+"\} 1$/.test(l))).toBe(true);
  });

  it('follows the cluster: a server that goes offline is counted so at the next scrape', async () => {
    t.fakes[0].setDown(true);
    try {
      for (let i = 0; i < t.stack.config.serverUnhealthyThreshold; i++) await t.poll();
      const lines = (await rawRequest(t.url, '/metrics')).body.split('\n');
      expect(lines).toContain('scalelite_servers_online 1');
      expect(lines).toContain('scalelite_servers_offline 1');
      expect(lines).toContain('scalelite_server_online{server="bbb-1",tag="",state="enabled"} 0');
    } finally {
      t.fakes[0].setDown(false);
    }
  });

  it('HEAD answers without a body; other methods 405', async () => {
    const head = await rawRequest(t.url, '/metrics', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await rawRequest(t.url, '/metrics', { method: 'POST', body: '' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});

describe('slctl serve with METRICS_ENABLED=false', () => {
  it('has no /metrics: the path is an unknown route of the app', async () => {
    const t = await startTestStack({ env: { METRICS_ENABLED: 'false' } });
    try {
      const res = await rawRequest(t.url, '/metrics');
      expect(res.body).not.toContain('scalelite_');
      expect(res.headers['content-type'] ?? '').not.toContain('version=0.0.4');
    } finally {
      await t.close();
    }
  });
});
