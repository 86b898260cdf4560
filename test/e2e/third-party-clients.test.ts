/**
 * Two npm BBB clients (both sha1 GET clients) against the balancer, as a real integrator would use them:
 * `bigbluebutton-js` (URLs + an axios client that parses the XML) and `bbb-promise` (request-promise + xml2js).
 *
 * Both take the BBB "server URL" as printed by `bbb-conf --secret` (`https://host/bigbluebutton`) and append
 * `/api/<call>` themselves, so they are given `${t.url}/bigbluebutton` (no trailing slash: bbb-promise does not
 * strip it). Their requests reach `${t.url}/bigbluebutton/api/<call>`.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { LB_SECRET, startTestStack, type TestStack } from '../helpers/test-stack.js';

const require = createRequire(import.meta.url);

/** The parts of bigbluebutton-js used here (the package ships no types). */
interface BigBlueButtonJs {
  api(host: string, secret: string): {
    administration: {
      create(name: string, id: string, kw?: Record<string, unknown>): string;
      join(fullName: string, meetingID: string, password: string, kw?: Record<string, unknown>): string;
      end(meetingID: string, password: string): string;
    };
    monitoring: {
      getMeetingInfo(meetingID: string): string;
      isMeetingRunning(meetingID: string): string;
    };
  };
  /** GET + fast-xml-parser v3: the `<response>` element as an object (numbers and booleans coerced). */
  http(url: string): Promise<Record<string, unknown>>;
}

/** xml2js output: every element is an array of strings. */
type Xml2js = { response: Record<string, string[]> };

/** The parts of bbb-promise used here (the package ships no types). */
interface BbbPromise {
  server(host: string, secret: string): {
    administration: {
      create(name: string, id: string, kw?: Record<string, unknown>): Promise<Xml2js>;
      join(fullName: string, meetingID: string, password: string, kw?: Record<string, unknown>): string;
      end(meetingID: string, password: string): Promise<Xml2js>;
    };
    monitoring: {
      getMeetingInfo(meetingID: string): Promise<Xml2js>;
      isMeetingRunning(meetingID: string): Promise<Xml2js>;
    };
  };
}

const bbbJs = require('bigbluebutton-js') as BigBlueButtonJs;
const bbbPromise = require('bbb-promise') as BbbPromise;

let t: TestStack;
let host: string;

beforeAll(async () => {
  t = await startTestStack({ servers: 2 });
  host = `${t.url}/bigbluebutton`;
});
afterAll(() => t.close());

/** The single fake that received a create for this meetingID (asserts there is exactly one). */
function serverOf(meetingID: string): FakeBbb {
  const holders = t.fakes.filter((f) => f.requestsFor('create').some((r) => r.params.meetingID === meetingID));
  expect(holders).toHaveLength(1);
  return holders[0];
}

/**
 * Follows a client-built join URL: the balancer answers 302 to the meeting's fake BBB, whose own checksum
 * check passes and which answers 302 into its html5client.
 */
async function followJoin(joinUrl: string, meetingID: string, fullName: string): Promise<void> {
  expect(joinUrl.startsWith(`${t.url}/bigbluebutton/api/join?`)).toBe(true);
  const res = await fetch(joinUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  const fake = serverOf(meetingID);
  expect(location.startsWith(`${fake.url}/join?`)).toBe(true);

  const before = fake.requestsFor('join').length;
  const atBbb = await fetch(location, { redirect: 'manual' });
  expect(atBbb.status).toBe(302);
  expect(atBbb.headers.get('location')).toMatch(/\/html5client\/join\?sessionToken=/);
  const joins = fake.requestsFor('join');
  expect(joins).toHaveLength(before + 1);
  const join = joins.at(-1)!;
  expect(join.checksumValid).toBe(true);
  expect(join.params.meetingID).toBe(meetingID);
  expect(join.params.fullName).toBe(fullName);
}

describe('bigbluebutton-js', () => {
  const meetingID = 'tp-js-1';
  const name = 'Weekly team sync room';

  it('create → join → isMeetingRunning → getMeetingInfo → end', async () => {
    const api = bbbJs.api(host, LB_SECRET);

    const created = await bbbJs.http(api.administration.create(name, meetingID, { attendeePW: 'ap', moderatorPW: 'mp', record: false }));
    expect(created.returncode).toBe('SUCCESS');
    expect(String(created.meetingID)).toBe(meetingID);
    const fake = serverOf(meetingID);
    const received = fake.requestsFor('create').at(-1)!;
    expect(received.checksumValid).toBe(true);
    expect(received.params.name).toBe(name);
    expect(fake.meetings.get(meetingID)?.meetingName).toBe(name);

    await followJoin(api.administration.join('Ada Lovelace', meetingID, 'mp'), meetingID, 'Ada Lovelace');

    const running = await bbbJs.http(api.monitoring.isMeetingRunning(meetingID));
    expect(running.returncode).toBe('SUCCESS');
    expect(String(running.running)).toBe('true');

    const info = await bbbJs.http(api.monitoring.getMeetingInfo(meetingID));
    expect(info.returncode).toBe('SUCCESS');
    expect(String(info.meetingID)).toBe(meetingID);
    expect(info.meetingName).toBe(name);
    expect(String(info.running)).toBe('true');
    expect(Number(info.participantCount)).toBe(1);

    const ended = await bbbJs.http(api.administration.end(meetingID, 'mp'));
    expect(ended.returncode).toBe('SUCCESS');
    expect(ended.messageKey).toBe('sentEndMeetingRequest');
    expect(fake.meetings.has(meetingID)).toBe(false);

    const after = await bbbJs.http(api.monitoring.isMeetingRunning(meetingID));
    expect(after.returncode).toBe('SUCCESS');
    expect(String(after.running)).toBe('false');
    const gone = await bbbJs.http(api.monitoring.getMeetingInfo(meetingID));
    expect(gone.returncode).toBe('FAILED');
    expect(gone.messageKey).toBe('notFound');
  });
});

describe('bbb-promise', () => {
  const meetingID = 'tp-promise-1';
  const name = 'Physics lab section B';

  it('create → join → isMeetingRunning → getMeetingInfo → end', async () => {
    const server = bbbPromise.server(host, LB_SECRET);

    const created = (await server.administration.create(name, meetingID, { attendeePW: 'ap', moderatorPW: 'mp' })).response;
    expect(created.returncode).toEqual(['SUCCESS']);
    expect(created.meetingID).toEqual([meetingID]);
    expect(created.moderatorPW).toEqual(['mp']);
    const fake = serverOf(meetingID);
    const received = fake.requestsFor('create').at(-1)!;
    expect(received.checksumValid).toBe(true);
    expect(received.params.name).toBe(name);

    // the README's flow: join URLs built from the create answer
    await followJoin(server.administration.join('Grace Hopper', created.meetingID[0], created.attendeePW[0]), meetingID, 'Grace Hopper');
    expect(fake.meetings.get(meetingID)!.attendees.map((a) => a.role)).toEqual(['VIEWER']);

    const running = (await server.monitoring.isMeetingRunning(meetingID)).response;
    expect(running.returncode).toEqual(['SUCCESS']);
    expect(running.running).toEqual(['true']);

    const info = (await server.monitoring.getMeetingInfo(meetingID)).response;
    expect(info.returncode).toEqual(['SUCCESS']);
    expect(info.meetingID).toEqual([meetingID]);
    expect(info.meetingName).toEqual([name]);
    expect(info.participantCount).toEqual(['1']);

    const ended = (await server.administration.end(meetingID, 'mp')).response;
    expect(ended.returncode).toEqual(['SUCCESS']);
    expect(ended.messageKey).toEqual(['sentEndMeetingRequest']);
    expect(fake.meetings.has(meetingID)).toBe(false);

    const after = (await server.monitoring.isMeetingRunning(meetingID)).response;
    expect(after.running).toEqual(['false']);
  });
});

/**
 * Neither client supports an apostrophe: both sign over `querystring.stringify` (which leaves `'` as is) but
 * put `%27` on the wire (axios parses the URL with the legacy `url.parse`, which escapes `'`; request encodes
 * its `qs` with the `qs` package). A checksum over the raw query, as BBB and Scalelite verify it, cannot
 * match. The balancer answers checksumError exactly like a BBB server does for the same client.
 */
describe('a name with an apostrophe (unsupported by both clients)', () => {
  const name = "Alice's Room";

  it('bigbluebutton-js: the balancer answers checksumError, as BBB itself does', async () => {
    const url = bbbJs.api(host, LB_SECRET).administration.create(name, 'tp-js-apos');
    expect(url).toContain("name=Alice's%20Room");
    const viaLb = await bbbJs.http(url);
    expect(viaLb.returncode).toBe('FAILED');
    expect(viaLb.messageKey).toBe('checksumError');

    const fake = t.fakes[0];
    const direct = await bbbJs.http(bbbJs.api(fake.url.replace(/\/api$/, ''), fake.secret).administration.create(name, 'tp-js-apos'));
    expect(direct.returncode).toBe('FAILED');
    expect(direct.messageKey).toBe('checksumError');
    const sent = fake.requestsFor('create').at(-1)!;
    expect(sent.rawQuery).toContain('name=Alice%27s%20Room');
    expect(sent.checksumValid).toBe(false);
    expect(t.fakes.some((f) => f.meetings.has('tp-js-apos'))).toBe(false);
  });

  it('bbb-promise: the balancer answers checksumError, as BBB itself does', async () => {
    const viaLb = (await bbbPromise.server(host, LB_SECRET).administration.create(name, 'tp-promise-apos')).response;
    expect(viaLb.returncode).toEqual(['FAILED']);
    expect(viaLb.messageKey).toEqual(['checksumError']);

    const fake = t.fakes[1];
    const direct = (await bbbPromise.server(fake.url.replace(/\/api$/, ''), fake.secret).administration.create(name, 'tp-promise-apos')).response;
    expect(direct.messageKey).toEqual(['checksumError']);
    const sent = fake.requestsFor('create').at(-1)!;
    expect(sent.rawQuery).toContain('name=Alice%27s%20Room');
    expect(sent.checksumValid).toBe(false);
    expect(t.fakes.some((f) => f.meetings.has('tp-promise-apos'))).toBe(false);
  });
});
