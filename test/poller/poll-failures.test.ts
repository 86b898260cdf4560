/**
 * Why a server fails its poll: the reason in the cycle's report and log line, and on the server item
 * (`pollError`, what `slctl status` shows) until a poll succeeds — without extra writes per cycle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BbbFailedError, BbbTransportError } from '../../shared/bbb/bbb-client.js';
import { pollErrorText, pollFailureReason } from '../../shared/app/poll-servers.js';
import { startPollerFixture, type PollerFixture } from './poller-fixture.js';

let f: PollerFixture;
afterEach(() => f?.close());

describe('pollFailureReason', () => {
  it.each([
    [new BbbFailedError('checksumError', 'Checksums do not match'), 'checksumError'],
    [new BbbFailedError('', 'no key'), 'error'],
    [new BbbTransportError('connect ECONNREFUSED 127.0.0.1:8090'), 'refused'],
    [new BbbTransportError('no connection within 5000 ms'), 'timeout'],
    [new BbbTransportError('no answer within 10000 ms'), 'timeout'],
    [new BbbTransportError('getaddrinfo ENOTFOUND bbb.invalid'), 'unknownHost'],
    [new BbbTransportError('connect EHOSTUNREACH 10.0.0.9:443'), 'unreachable'],
    [new BbbTransportError('socket hang up'), 'reset'],
    [new BbbTransportError('self-signed certificate'), 'tls'],
    [new BbbTransportError('Response is not XML'), 'notBbb'],
    [new BbbTransportError('Response did not include returncode'), 'notBbb'],
    [new TypeError('Invalid URL'), 'badUrl'],
    [new Error('something else'), 'error'],
  ])('%s → %s', (e, reason) => expect(pollFailureReason(e)).toBe(reason));

  it('joins reason and detail once', () => {
    expect(pollErrorText('refused', 'connect ECONNREFUSED 127.0.0.1:1')).toBe('refused: connect ECONNREFUSED 127.0.0.1:1');
    expect(pollErrorText('error', '')).toBe('error');
  });
});

describe('a failing server is named with its reason', () => {
  it('in the report, the log line and on the server, until a poll succeeds', async () => {
    f = await startPollerFixture({ servers: 3 });
    const { servers } = f.t.stack.deps.store;
    await servers.updateConfig('bbb-2', { secret: 'not-the-secret' });
    await f.fakes[2].stop(); // nothing listens on bbb-3's port any more
    f.writesSince();

    const report = await f.poll();
    expect(report.failures).toEqual([
      { id: 'bbb-2', url: f.fakes[1].url, reason: 'checksumError', error: expect.any(String) },
      { id: 'bbb-3', url: f.fakes[2].url, reason: 'refused', error: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    // an online server's first failure is still one write (the failure count carries the reason)
    expect(f.writesSince()).toBe(2);
    expect((await f.server('bbb-2')).pollError).toMatch(/^checksumError: /);
    expect((await f.server('bbb-3')).pollError).toMatch(/^refused: .*ECONNREFUSED/);
    expect((await f.server('bbb-1')).pollError).toBeUndefined();
    const line = f.logs.filter((l) => l.msg === 'poll cycle').at(-1)!;
    expect(line.fields.failures).toEqual([expect.stringMatching(/^bbb-2: checksumError: /), expect.stringMatching(/^bbb-3: refused: .*ECONNREFUSED/)]);

    // the same failure again: no new write of the reason (second failure: offline, as before)
    await f.poll();
    expect((await f.server('bbb-2')).online).toBe(false);
    f.writesSince();
    await f.poll();
    expect(f.writesSince()).toBe(0);
    expect((await f.server('bbb-2')).pollError).toMatch(/^checksumError: /);

    // the secret fixed: the next poll brings it online and clears the reason
    await servers.updateConfig('bbb-2', { secret: f.fakes[1].secret });
    const healed = await f.poll();
    expect(healed.failures.map((x) => x.id)).toEqual(['bbb-3']);
    expect(healed.wentOnline).toEqual(['bbb-2']);
    const s = await f.server('bbb-2');
    expect(s.online).toBe(true);
    expect(s.pollError).toBeUndefined();
  });

  it('a server that never answered gets its reason without a poll time (its statistics stay unknown)', async () => {
    f = await startPollerFixture({ servers: 0 });
    const { servers } = f.t.stack.deps.store;
    await servers.add({ id: 'web', url: 'http://127.0.0.1:9/bigbluebutton/api', secret: 's', state: 'enabled' });
    const report = await f.poll();
    expect(report.failures).toEqual([{ id: 'web', url: 'http://127.0.0.1:9/bigbluebutton/api', reason: 'refused', error: expect.any(String) }]);
    const s = await f.server('web');
    expect(s.pollError).toMatch(/^refused: /);
    expect(s.polledAt).toBeUndefined();
  });
});
