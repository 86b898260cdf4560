import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../shared/app/logger.js';
import { RecordingMetrics } from '../../shared/app/metrics.js';
import { createApp, urlRawQuery } from '../../shared/http/create-app.js';
import { startLocalStack } from '../../cli/local-stack.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, type TestStack } from '../helpers/test-stack.js';

describe('one structured log line per request', () => {
  const lines: string[] = [];
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1, log: createLogger('info', (l) => lines.push(l)) });
  });
  afterAll(() => t.close());

  it('names the call, meeting, server and outcome, and never a secret or checksum', async () => {
    lines.length = 0;
    const query = signQuery('create', 'meetingID=log-1&moderatorPW=topsecretpw&attendeePW=ap');
    await t.call('create', 'meetingID=log-1&moderatorPW=topsecretpw&attendeePW=ap');
    await t.call('join', 'meetingID=log-1&fullName=A&password=topsecretpw');
    await t.call('getMeetingInfo', 'meetingID=nope');
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ level: 'info', call: 'create', meetingID: 'log-1', server: 'bbb-1', outcome: 'SUCCESS' });
    expect(requests[1]).toMatchObject({ call: 'join', meetingID: 'log-1', server: 'bbb-1', outcome: 'redirect' });
    expect(requests[2]).toMatchObject({ call: 'getMeetingInfo', outcome: 'notFound' });
    for (const r of requests) {
      expect(typeof r.reqId).toBe('string');
      expect(typeof r.ms).toBe('number');
    }
    expect(new Set(requests.map((r) => r.reqId)).size).toBe(3);
    const all = lines.join('\n');
    for (const secret of [LB_SECRET, t.fakes[0].secret, 'topsecretpw', query.split('checksum=')[1]]) expect(all).not.toContain(secret);
  });

  it('takes the request id from the runtime adapter when it has one (API Gateway’s on Lambda)', async () => {
    lines.length = 0;
    let n = 0;
    const app = createApp({ ...t.stack.deps, log: createLogger('info', (l) => lines.push(l)) }, { rawQuery: urlRawQuery, requestId: () => `runtime-${++n}` });
    await app.request(`/bigbluebutton/api/isMeetingRunning?${signQuery('isMeetingRunning', 'meetingID=log-1')}`);
    await app.request(`/bigbluebutton/api/isMeetingRunning?${signQuery('isMeetingRunning', 'meetingID=log-1')}`);
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request').map((l) => l.reqId)).toEqual(['runtime-1', 'runtime-2']);
  });

  it('counts Requests by call and outcome and times RequestLatency by call, with calls from a fixed set', async () => {
    const metrics = new RecordingMetrics();
    const app = createApp({ ...t.stack.deps, metrics });
    const get = (call: string, query: string) => app.request(`/bigbluebutton/api/${call}?${signQuery(call, query)}`);
    await get('create', 'meetingID=log-m&moderatorPW=mp&attendeePW=ap');
    await get('getMeetingInfo', 'meetingID=log-m');
    await get('getMeetingInfo', 'meetingID=nope');
    await app.request('/bigbluebutton/api/getMeetingInfo?meetingID=log-m&checksum=bad');
    await get('no-such-call-4711', '');
    expect(metrics.total('Requests', { call: 'create', outcome: 'success' })).toBe(1);
    expect(metrics.total('Requests', { call: 'getMeetingInfo', outcome: 'success' })).toBe(1);
    expect(metrics.total('Requests', { call: 'getMeetingInfo', outcome: 'notFound' })).toBe(1);
    expect(metrics.total('Requests', { call: 'getMeetingInfo', outcome: 'checksumError' })).toBe(1);
    expect(metrics.total('Requests', { call: 'other', outcome: 'unsupportedRequest' })).toBe(1);
    const latency = metrics.samples.filter((s) => s.name === 'RequestLatency');
    expect(latency.map((s) => s.dims)).toEqual([{ call: 'create' }, { call: 'getMeetingInfo' }, { call: 'getMeetingInfo' }, { call: 'getMeetingInfo' }, { call: 'other' }]);
    for (const s of latency) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(metrics.samples.every((s) => s.kind !== 'gauge')).toBe(true);
  });
});

describe('slctl serve’s own log (no logger given)', () => {
  it('writes whole JSON lines to stdout in batches, each request with its own generated id, all out by close()', async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => writes.push(String(chunk)) > 0);
    try {
      const stack = await startLocalStack({ env: { LOADBALANCER_SECRET: LB_SECRET, PORT: '0', DYNAMODB_TABLE: 'serve-log' }, poll: false, retentionIntervalMs: 0 });
      const calls = Array.from({ length: 8 }, (_, i) => rawRequest(stack.url, `/bigbluebutton/api/isMeetingRunning?${signQuery('isMeetingRunning', `meetingID=serve-${i}`)}`));
      await Promise.all(calls);
      await stack.close();
    } finally {
      spy.mockRestore();
    }
    const text = writes.join('');
    expect(text.endsWith('\n')).toBe(true);
    const requests = text.slice(0, -1).split('\n').map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests.map((r) => r.call)).toEqual(Array(8).fill('isMeetingRunning'));
    expect(new Set(requests.map((r) => r.reqId)).size).toBe(8);
    expect(text).toContain('ADMIN_SECRET is not set'); // the start-up's warning, first
    expect(text).not.toContain(LB_SECRET);
  });
});

describe('slctl serve’s poller', () => {
  it('polls on its own: an enabled server comes online without a manual poll', async () => {
    const fake = await FakeBbb.start();
    const live = await startLocalStack({ env: { LOADBALANCER_SECRET: 's', PORT: '0', POLL_INTERVAL: '1', LOG_LEVEL: 'silent' }, poll: true });
    try {
      await live.deps.store.servers.add({ id: 'auto', url: fake.url, secret: fake.secret, state: 'enabled' });
      await vi.waitFor(async () => expect((await live.deps.store.servers.get('auto'))?.online).toBe(true), { timeout: 10_000, interval: 100 });
      expect(fake.requestsFor('getMeetings').length).toBeGreaterThan(0);
    } finally {
      await live.close();
      await fake.stop();
    }
  });
});
