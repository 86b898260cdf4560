import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollAll, pollServer } from '../../shared/app/poll-servers.js';
import { keys } from '../../shared/store/keys.js';
import { gate, injectDynamoFaults, throttled, type DynamoCall } from '../helpers/dynamo-faults.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';

/**
 * Issue 9 items 1–4: one meeting, one server, and no partial create, under interleavings driven
 * deterministically — a DynamoDB middleware parks or fails chosen writes; the clock is the test's.
 */
const xmlValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
const MIN = 60_000;

let now = Date.parse('2026-12-01T10:00:00Z');
let t: TestStack;
let undo: (() => void) | undefined;
beforeAll(async () => {
  t = await startTestStack({ servers: 2, clock: () => now, env: { DEFAULT_MEETING_TTL: '3600' } });
});
afterAll(() => t.close());
afterEach(() => {
  undo?.();
  undo = undefined;
});

const record = (meetingID: string) => t.stack.deps.store.meetings.get({ meetingID }, now);
const fakeOf = (serverId: string) => t.fakes[Number(serverId.replace('bbb-', '')) - 1];
const creates = (meetingID: string) => t.fakes.map((f) => f.requestsFor('create').filter((r) => r.params.meetingID === meetingID).length);
/** Fails the first call that `match` picks, once. */
const failOnce = (match: (c: DynamoCall) => boolean) => {
  let done = false;
  undo = injectDynamoFaults(t.stack.db, (c) => {
    if (done || !match(c)) return undefined;
    done = true;
    return { fail: throttled() };
  });
};

describe('item 1: a create renews the record against the poller', () => {
  it('a poll answered before a restarted session was created does not delete its record', async () => {
    await t.call('create', 'meetingID=r1&moderatorPW=mp');
    const placed = (await record('r1'))!;
    const fake = fakeOf(placed.serverId);
    now += 5 * MIN; // well past the poller's grace period
    fake.endMeeting('r1'); // the session ended on BBB

    const g = gate();
    undo = injectDynamoFaults(t.stack.db, (c) => {
      if (c.command !== 'DeleteItemCommand' || c.pk !== 'MEETING#r1') return undefined;
      g.arrive();
      return { hold: g.wait };
    });
    const cycle = pollAll(t.stack.deps); // its getMeetings does not list r1
    await g.reached; // … and it is about to remove the record
    const again = await t.call('create', 'meetingID=r1&moderatorPW=mp'); // the moderator starts it again
    expect(xmlValue(again.body, 'returncode')).toBe('SUCCESS');
    expect(fake.meetings.has('r1')).toBe(true);
    g.open();
    await cycle;

    expect(await record('r1')).toMatchObject({ serverId: placed.serverId });
    await t.call('create', 'meetingID=r1&moderatorPW=mp');
    const elsewhere = t.fakes.filter((f) => f !== fake);
    expect(elsewhere.flatMap((f) => f.requestsFor('create')).filter((r) => r.params.meetingID === 'r1')).toEqual([]);
    expect(fake.meetings.has('r1')).toBe(true);
  });
});

describe('item 2: a refused load reservation re-places before BBB is called', () => {
  it('a server disabled behind a stale snapshot never gets the create', async () => {
    const stale = await startTestStack({ servers: 2, clock: () => now, env: { REGISTRY_TTL: '3600' } });
    try {
      const [a, b] = stale.fakes;
      await stale.stack.deps.store.servers.updateConfig('bbb-1', { tag: 'pref' });
      stale.stack.deps.registry.invalidate();
      await stale.stack.deps.registry.listServers(); // the snapshot: bbb-1 enabled, tagged
      await stale.stack.deps.store.servers.updateConfig('bbb-1', { state: 'disabled' }); // the snapshot does not know
      const res = await stale.call('create', 'meetingID=s1&meta_server-tag=pref');
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
      expect(a.requestsFor('create')).toEqual([]);
      expect(b.requestsFor('create').map((r) => r.params.meetingID)).toEqual(['s1']);
      expect(await stale.stack.deps.store.meetings.get({ meetingID: 's1' }, now)).toMatchObject({ serverId: 'bbb-2' });
    } finally {
      await stale.close();
    }
  });
});

describe('item 3: a create that failed half-way is repaired by the next', () => {
  const cases: [string, (c: DynamoCall) => boolean][] = [
    ['the meeting record', (c) => c.command === 'UpdateItemCommand' && c.pk?.startsWith('MEETING#') === true],
    ['the voice-bridge reservation', (c) => c.command === 'UpdateItemCommand' && c.pk?.startsWith('VOICEBRIDGE#') === true],
    ['the load reservation', (c) => c.command === 'UpdateItemCommand' && c.pk?.startsWith('SERVER#') === true],
  ];
  for (const [i, [what, match]] of cases.entries()) {
    it(`${what} fails (throttled after the SDK's retries): the retry leaves everything consistent`, async () => {
      const id = `p-${i}`;
      const query = `meetingID=${id}&meta_analytics-callback-url=https%3A%2F%2Flms.example%2Fa&meta_bbb-recording-ready-url=https%3A%2F%2Flms.example%2Fr`;
      failOnce(match);
      const first = await t.call('create', query);
      undo?.();
      undo = undefined;
      const firstKey = xmlValue(first.body, 'returncode');
      if (firstKey !== 'SUCCESS') expect(xmlValue(first.body, 'messageKey')).toBe('internalError');
      const retry = await t.call('create', query);
      expect(xmlValue(retry.body, 'returncode')).toBe('SUCCESS');

      const stored = (await record(id))!;
      const onBbb = fakeOf(stored.serverId).meetings.get(id)!;
      // BBB runs the meeting with the password and voice bridge the balancer keeps
      expect({ moderatorPW: onBbb.moderatorPW, voiceBridge: onBbb.voiceBridge }).toEqual({ moderatorPW: stored.moderatorPW, voiceBridge: stored.voiceBridge });
      expect(creates(id).filter((n) => n > 0)).toHaveLength(1); // one server
      // the voice bridge is reserved for it, with the callbacks and the server
      const vb = await t.stack.db.send(new GetCommand({ TableName: t.stack.config.dynamodbTable, Key: keys.voiceBridge(stored.voiceBridge) }));
      expect(vb.Item).toMatchObject({ meetingID: id, serverId: stored.serverId });
      expect(await t.stack.deps.store.meetings.findCallbacks(id)).toMatchObject({
        meetingID: id,
        serverId: stored.serverId,
        analyticsCallbackUrl: 'https://lms.example/a',
        recordingReadyUrl: 'https://lms.example/r',
      });
    });
  }
});

describe('item 4: expiries and counters', () => {
  it('the voice-bridge reservation is renewed with its meeting', async () => {
    await t.call('create', 'meetingID=vb-renew');
    const stored = (await record('vb-renew'))!;
    fakeOf(stored.serverId).addAttendee('vb-renew', { fullName: 'Ann' });
    const vbExpiry = async () =>
      (await t.stack.db.send(new GetCommand({ TableName: t.stack.config.dynamodbTable, Key: keys.voiceBridge(stored.voiceBridge) }))).Item?.expiresAt as number;
    expect(await vbExpiry()).toBe(stored.expiresAt);
    now += 31 * MIN; // less than half of DEFAULT_MEETING_TTL (1 h) left
    await pollAll(t.stack.deps);
    const renewed = (await record('vb-renew'))!;
    expect(renewed.expiresAt).toBe(Math.floor(now / 1000) + 3600);
    expect(await vbExpiry()).toBe(renewed.expiresAt);
  });

  it('two pollers counting the same failures at once both count (ADD): the server goes offline on time', async () => {
    const down = await FakeBbb.start();
    const s = await t.addServer(down, { id: 'flaky' });
    expect(s.online).toBe(true);
    down.setDown(true);
    // both pollers read the server before either writes (the Lambda and `slctl poll:all`)
    const snapshot = (await t.stack.deps.store.servers.get('flaky'))!;
    await Promise.all([pollServer(t.stack.deps, snapshot), pollServer(t.stack.deps, snapshot)]);
    const after = (await t.stack.deps.store.servers.get('flaky'))!;
    expect(after.online).toBe(false); // SERVER_UNHEALTHY_THRESHOLD (2) failures counted
    await t.stack.deps.store.servers.remove('flaky');
    await down.stop();
  });
});

describe('item 13: generated passwords', () => {
  it('come from the CSPRNG, not from the placement draw (deps.random)', async () => {
    const fixed = await startTestStack({ servers: 1, random: () => 0 });
    try {
      const made = new Set<string>();
      for (const id of ['pw-1', 'pw-2', 'pw-3']) {
        await fixed.call('create', `meetingID=${id}`);
        const pw = (await fixed.stack.deps.store.meetings.get({ meetingID: id }, Date.now()))!.moderatorPW;
        expect(pw).toMatch(/^[A-Za-z0-9]{8}$/);
        expect(fixed.fakes[0].meetings.get(id)!.moderatorPW).toBe(pw);
        made.add(pw);
      }
      expect(made.size).toBe(3); // with Math.random replaced by () => 0 the old code made AAAAAAAA thrice
    } finally {
      await fixed.close();
    }
  });
});
