import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBbb, signBbbUrl, type Algorithm } from './fake-bbb-server.js';
import { CHECKSUM_ERROR, callBbb, callBbbText } from './bbb-test-helpers.js';

let bbb: FakeBbb;
beforeEach(async () => {
  bbb = await FakeBbb.start({ secret: 'test-secret' });
});
afterEach(async () => {
  await bbb.stop();
});

const call = (name: string, query = '', algorithm?: Algorithm, init?: RequestInit) => callBbb(bbb, name, query, algorithm, init);
const text = (name: string, query = '', algorithm?: Algorithm) => callBbbText(bbb, name, query, algorithm);

describe('requests and instances', () => {
  it('records method, call, rawQuery, params and paramOrder', async () => {
    const before = Date.now();
    await call('getMeetingInfo', 'meetingID=q+1&b=%2F&meetingID=q2', 'sha256');
    const r = bbb.requests[0];
    expect(r).toMatchObject({ method: 'GET', path: '/bigbluebutton/api/getMeetingInfo', call: 'getMeetingInfo', body: '' });
    expect(r.rawQuery).toMatch(/^meetingID=q\+1&b=%2F&meetingID=q2&checksum=[0-9a-f]{64}$/);
    expect(r.params).toEqual({ meetingID: 'q2', b: '/', checksum: r.rawQuery.split('checksum=')[1] });
    expect(r.paramOrder).toEqual(['meetingID', 'b', 'meetingID', 'checksum']);
    expect(r.at).toBeGreaterThanOrEqual(before);
    bbb.clearRequests();
    expect(bbb.requests).toEqual([]);
  });

  it('keeps two instances independent', async () => {
    const other = await FakeBbb.start();
    try {
      expect(other.secret).toMatch(/^[0-9a-f]{32}$/);
      expect(other.secret).not.toBe(bbb.secret);
      expect(other.url).not.toBe(bbb.url);
      await call('create', 'meetingID=only-here');
      expect(other.meetings.size).toBe(0);
      expect(other.requests).toHaveLength(0);
      expect(await (await fetch(signBbbUrl(other.url, 'getMeetings', '', bbb.secret))).text()).toBe(CHECKSUM_ERROR);
    } finally {
      await other.stop();
    }
  });
});

describe('fault injection', () => {
  it('failNext answers http500, garbage and FAILED internalError, then recovers', async () => {
    bbb.failNext(1, 'http500');
    bbb.failNext(1, 'garbage');
    bbb.failNext(2, 'failed', 'getMeetings');
    expect((await call('getMeetingInfo', 'meetingID=x')).status).toBe(500);
    const garbage = await call('isMeetingRunning', 'meetingID=x');
    expect(garbage.status).toBe(200);
    expect(await garbage.text()).not.toContain('<response>');
    expect(await text('isMeetingRunning', 'meetingID=x')).toContain('<running>false</running>'); // not a getMeetings
    for (let i = 0; i < 2; i++) {
      expect(await text('getMeetings')).toBe(
        '<response><returncode>FAILED</returncode><messageKey>internalError</messageKey><message>An internal error occurred.</message></response>',
      );
    }
    expect(await text('getMeetings')).toContain('noMeetings');
    expect(bbb.requests).toHaveLength(6);
  });

  it('failNext reset makes fetch reject, and the request is still recorded', async () => {
    bbb.failNext(1, 'reset', 'create');
    await expect(call('create', 'meetingID=z')).rejects.toThrow();
    expect(bbb.requestsFor('create')).toHaveLength(1);
    expect(bbb.meetings.size).toBe(0);
    expect(await text('create', 'meetingID=z')).toContain('SUCCESS');
  });

  it('setLatency and setLatencyFor delay answers', async () => {
    bbb.setLatency(50);
    let t = Date.now();
    await text('getMeetings');
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    bbb.setLatency(0);
    bbb.setLatencyFor('isMeetingRunning', 80);
    t = Date.now();
    await text('isMeetingRunning', 'meetingID=a');
    expect(Date.now() - t).toBeGreaterThanOrEqual(75);
  });

  it('stop does not wait for delayed answers', async () => {
    bbb.setLatency(5000);
    const slow = call('getMeetings');
    slow.catch(() => undefined);
    await expect.poll(() => bbb.requests.length).toBe(1);
    const t = Date.now();
    await bbb.stop();
    expect(Date.now() - t).toBeLessThan(1000);
    await expect(slow).rejects.toThrow();
  });

  it('setDown makes fetch reject until setDown(false)', async () => {
    expect((await call('getMeetings')).status).toBe(200); // leaves a keep-alive socket behind
    bbb.setDown(true);
    await expect(call('getMeetings')).rejects.toThrow();
    await expect(fetch(bbb.url)).rejects.toThrow();
    bbb.setDown(false);
    expect((await call('getMeetings')).status).toBe(200);
  });

  it('hang keeps requests open; hang(false) answers them; stop does not hang', async () => {
    bbb.hang(true);
    const pending = call('getMeetings');
    await expect.poll(() => bbb.requests.length).toBe(1);
    bbb.hang(false);
    expect((await pending).status).toBe(200);

    bbb.hang(true);
    const stuck = call('getMeetings');
    stuck.catch(() => undefined);
    await expect.poll(() => bbb.requests.length).toBe(2);
    const t = Date.now();
    await bbb.stop();
    expect(Date.now() - t).toBeLessThan(1000);
    await expect(stuck).rejects.toThrow();
  });
});
