/**
 * Issue 9, items 11 and 12: what a tenant can make a BBB server write must never take the server
 * offline or make one of our documents unparseable.
 *  - Tags named `__proto__`, `constructor`, … in BBB's answers (a meeting's metadata): the poll reads them,
 *    the server stays online, getMeetingInfo answers the document.
 *  - `meta_` names that would become such tags are not forwarded by create.
 *  - Characters XML 1.0 forbids (a meeting named `a%01b`): every document we emit stays strict XML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMeeting } from '../fake-bbb/fake-bbb-server.js';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ servers: 1 });
});
afterAll(() => t.close());

/** The fake's meeting that our create of `name` made. */
function fakeMeetingNamed(name: string): FakeMeeting {
  const m = [...t.fakes[0].meetings.values()].find((x) => x.createParams.name === name);
  if (!m) throw new Error(`no meeting named ${name} on the fake`);
  return m;
}

async function pollTimes(n: number) {
  for (let i = 0; i < n; i++) await t.poll();
  return (await t.stack.deps.store.servers.get('bbb-1'))!;
}

describe('tags named like prototype properties in BBB answers', () => {
  it('the poll succeeds, the server stays online, getMeetings and getMeetingInfo answer with the metadata', async () => {
    const created = await t.call('create', 'meetingID=proto-tags&name=proto-tags');
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    // as if BBB echoed them (another client created the meeting, or an older balancer forwarded the names)
    fakeMeetingNamed('proto-tags').metadata = Object.fromEntries([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['prototype', 'pt'],
      ['tostring', 't'],
      ['hasOwnProperty', 'h'],
      ['a.b-c', 'd'],
    ]);
    const before = t.fakes[0].requestsFor('getMeetings').length;
    const server = await pollTimes(3); // SERVER_UNHEALTHY_THRESHOLD failed polls would take it offline
    expect(t.fakes[0].requestsFor('getMeetings').length).toBeGreaterThanOrEqual(before + 3);
    expect(server.online).toBe(true);
    expect(server.meetings).toBe(1);

    const info = await t.call('getMeetingInfo', 'meetingID=proto-tags');
    expect(xmlValue(info.body, 'returncode')).toBe('SUCCESS');
    expect(info.body).toContain('<__proto__>p</__proto__><constructor>c</constructor><prototype>pt</prototype><tostring>t</tostring><hasOwnProperty>h</hasOwnProperty><a.b-c>d</a.b-c>');
    assertStrictXml(info.body, 'getMeetingInfo');

    const list = await t.call('getMeetings');
    expect(xmlValue(list.body, 'returncode')).toBe('SUCCESS');
    expect(list.body).toContain('<meetingID>proto-tags</meetingID>');
    expect(list.body).toContain('<__proto__>p</__proto__><constructor>c</constructor>'); // the poller's snapshot
    assertStrictXml(list.body, 'getMeetings');

    const running = await t.call('isMeetingRunning', 'meetingID=proto-tags');
    expect(xmlValue(running.body, 'returncode')).toBe('SUCCESS');
  });

  it('create does not forward meta_ names BBB would echo as such tags, and still succeeds', async () => {
    const res = await t.call('create', 'meetingID=proto-create&name=proto-create&meta___proto__=y&meta_constructor=x&meta_PROTOTYPE=z&meta_toString=s&meta_1x=1&meta_a%01b=2&meta_ok=fine');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    assertStrictXml(res.body, 'create');
    const sent = t.fakes[0].requestsFor('create').at(-1)!;
    const metaSent = sent.paramOrder.filter((n) => n.toLowerCase().startsWith('meta_'));
    expect(metaSent).toEqual(['meta_toString', 'meta_ok']);
    expect(fakeMeetingNamed('proto-create').metadata).toEqual({ tostring: 's', ok: 'fine' });
    const records = await t.stack.deps.store.meetings.listByTenant(undefined, Date.now());
    expect({ ...records.find((m) => m.meetingID === 'proto-create')?.metadata }).toEqual({ tostring: 's', ok: 'fine' });
  });
});

describe('characters XML 1.0 forbids (a meeting named a%01b)', () => {
  it('create, the poll, getMeetings, getMeetingInfo: every document we emit is strict XML', async () => {
    const name = 'ctl-\u0001-\u001f-\uFFFF-x';
    const created = await t.call('create', `meetingID=ctl&name=${encodeURIComponent(name)}&meta_note=${encodeURIComponent('v\u0002w')}`);
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    assertStrictXml(created.body, 'create');
    expect(fakeMeetingNamed(name).meetingName).toBe(name); // BBB got the name as sent

    const server = await pollTimes(3);
    expect(server.online).toBe(true);

    const info = await t.call('getMeetingInfo', 'meetingID=ctl');
    expect(xmlValue(info.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(info.body, 'meetingName')).toBe('ctl-\uFFFD-\uFFFD-\uFFFD-x');
    expect(xmlValue(info.body, 'note')).toBe('v\uFFFDw');
    assertStrictXml(info.body, 'getMeetingInfo');

    const list = await t.call('getMeetings');
    expect(list.body).toContain('<meetingName>ctl-\uFFFD-\uFFFD-\uFFFD-x</meetingName>');
    assertStrictXml(list.body, 'getMeetings');
  });

  it('U+FFFE in a name is replaced too (an encoded surrogate is invalid UTF-8: U+FFFD already when decoded)', async () => {
    const created = await t.call('create', 'meetingID=ctl2&name=a%ED%A0%80b%EF%BF%BEc');
    expect(xmlValue(created.body, 'returncode')).toBe('SUCCESS');
    assertStrictXml(created.body, 'create');
    await pollTimes(1);
    const list = await t.call('getMeetings');
    expect(list.body).toContain('<meetingName>a\uFFFD\uFFFD\uFFFDb\uFFFDc</meetingName>');
    assertStrictXml(list.body, 'getMeetings');
  });
});
