import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../shared/app/logger.js';
import { startLocalStack } from '../../cli/local-stack.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { LB_SECRET, signQuery, startTestStack, type TestStack } from '../helpers/test-stack.js';

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
    const all = lines.join('\n');
    for (const secret of [LB_SECRET, t.fakes[0].secret, 'topsecretpw', query.split('checksum=')[1]]) expect(all).not.toContain(secret);
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
