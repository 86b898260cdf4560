import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

describe('a front-end’s full flow against two fake BBB servers', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 2 });
  });
  afterAll(() => t.close());

  it('create → join redirect → isMeetingRunning → getMeetingInfo → end', async () => {
    const create = await t.call('create', 'meetingID=flow-1&name=Flow+One&attendeePW=ap&moderatorPW=mp&record=true');
    expect(create.status).toBe(200);
    expect(create.headers['content-type']).toMatch(/application\/xml/);
    expect(xmlValue(create.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(create.body, 'meetingID')).toBe('flow-1');

    const creates = t.fakes.flatMap((f) => f.requestsFor('create').map((r) => ({ f, r })));
    expect(creates).toHaveLength(1);
    const { f: chosen, r: received } = creates[0];
    expect(received.checksumValid).toBe(true);
    expect(received.params.meetingID).toBe('flow-1');
    expect(received.params.name).toBe('Flow One');
    expect(received.params.moderatorPW).toBe('mp');
    expect(received.params.attendeePW).toBe('ap');
    expect(received.params.record).toBe('true');
    expect(received.params.voiceBridge).toMatch(/^[1-9]\d{8}$/);
    expect(received.params).not.toHaveProperty('checksum', expect.stringMatching(/^$/));
    expect(received.paramOrder.at(-1)).toBe('checksum');

    const join = await t.call('join', 'meetingID=flow-1&fullName=Alice&role=MODERATOR');
    expect(join.status).toBe(302);
    const location = new URL(join.headers.location!);
    expect(`${location.origin}${location.pathname}`).toBe(`${chosen.url}/join`);
    const rawQuery = join.headers.location!.split('?')[1];
    const checksum = new URL(join.headers.location!).searchParams.get('checksum')!;
    const unsigned = rawQuery.replace(`&checksum=${checksum}`, '');
    const algo = checksum.length === 128 ? 'sha512' : checksum.length === 64 ? 'sha256' : 'sha1';
    expect(createHash(algo).update(`join${unsigned}${chosen.secret}`).digest('hex')).toBe(checksum);

    // the user follows the redirect: the fake BBB accepts the checksum and the user is in
    const followed = await fetch(join.headers.location!, { redirect: 'manual' });
    expect(followed.status).toBe(302);
    expect(chosen.requestsFor('join').at(-1)!.checksumValid).toBe(true);

    const running = await t.call('isMeetingRunning', 'meetingID=flow-1');
    expect(xmlValue(running.body, 'running')).toBe('true');

    const info = await t.call('getMeetingInfo', 'meetingID=flow-1&password=ignored');
    expect(xmlValue(info.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(info.body, 'participantCount')).toBe('1');
    expect(chosen.requestsFor('getMeetingInfo').at(-1)!.params).toEqual({ meetingID: 'flow-1', checksum: expect.any(String) });

    const end = await t.call('end', 'meetingID=flow-1&password=mp');
    expect(xmlValue(end.body, 'messageKey')).toBe('sentEndMeetingRequest');
    expect(chosen.requestsFor('end').at(-1)!.params.password).toBe('mp');

    const after = await t.call('getMeetingInfo', 'meetingID=flow-1');
    expect(xmlValue(after.body, 'messageKey')).toBe('notFound');
    const notRunning = await t.call('isMeetingRunning', 'meetingID=flow-1');
    expect(xmlValue(notRunning.body, 'running')).toBe('false');
  });
});
