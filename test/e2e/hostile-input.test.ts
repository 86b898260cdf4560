import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const CHECKED = ['create', 'join', 'isMeetingRunning', 'getMeetingInfo', 'getMeetings', 'end'];

function expectXmlError(res: { status: number; body: string; headers: Record<string, unknown> }, key: string) {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/xml/);
  expect(res.body.startsWith('<?xml version="1.0"?>\n<response>\n  <returncode>FAILED</returncode>')).toBe(true);
  expect(xmlValue(res.body, 'messageKey')).toBe(key);
}

describe('hostile input never gets a 500, a stack trace or a secret', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
    await t.call('create', 'meetingID=known');
  });
  afterAll(() => t.close());

  it('every checksummed endpoint rejects a missing, empty, garbled, uppercase or wrong-secret checksum', async () => {
    const q = 'meetingID=known&fullName=A';
    for (const call of CHECKED) {
      const good = signQuery(call, q).split('checksum=')[1];
      const variants = [
        q,
        `${q}&checksum=`,
        `${q}&checksum`,
        `${q}&checksum=${'x'.repeat(40)}`,
        `${q}&checksum=${good.toUpperCase()}`,
        `${q}&checksum=${good.slice(0, 39)}`,
        `${q}&checksum=${good}0`,
        signQuery(call, q, 'wrong-secret'),
        `${q.replace('known', 'other')}&checksum=${good}`,
        `checksum=${good}&checksum=${good}`,
      ];
      for (const query of variants) {
        const res = await rawRequest(t.url, `/bigbluebutton/api/${call}?${query}`);
        expectXmlError(res, 'checksumError');
        expect(res.body).not.toContain(LB_SECRET);
      }
    }
  });

  it('accepts SHA-1, SHA-256, SHA-384 and SHA-512 over the raw query, with quotes and pluses as sent', async () => {
    const raw = "meetingID=known&name=O'Brien+%26+Co%20x";
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
      const res = await rawRequest(t.url, `/bigbluebutton/api/getMeetingInfo?${signQuery('getMeetingInfo', raw, LB_SECRET, algorithm)}`);
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    }
    // the same parameters re-encoded by a proxy no longer match the checksum
    const signed = signQuery('getMeetingInfo', raw);
    const reencoded = signed.replace("O'Brien", 'O%27Brien');
    expectXmlError(await rawRequest(t.url, `/bigbluebutton/api/getMeetingInfo?${reencoded}`), 'checksumError');
  });

  it('an algorithm outside LOADBALANCER_CHECKSUM_ALGORITHM is refused', async () => {
    const strict = await startTestStack({ env: { LOADBALANCER_CHECKSUM_ALGORITHM: 'SHA256:SHA512' } });
    try {
      expectXmlError(await strict.call('getMeetings', '', { algorithm: 'sha1' }), 'checksumError');
      expect(xmlValue((await strict.call('getMeetings', '', { algorithm: 'sha256' })).body, 'returncode')).toBe('SUCCESS');
    } finally {
      await strict.close();
    }
  });

  it('no configured secret means every checksum fails', async () => {
    const open = await startTestStack({ env: { LOADBALANCER_SECRET: '' } });
    try {
      const checksum = createHash('sha1').update('getMeetings').digest('hex');
      expectXmlError(await rawRequest(open.url, `/bigbluebutton/api/getMeetings?checksum=${checksum}`), 'checksumError');
    } finally {
      await open.close();
    }
  });

  it('odd and oversized parameters get an XML answer', async () => {
    const long = 'a'.repeat(300);
    const cases: [string, string, string][] = [
      ['create', `meetingID=${long}`, 'invalidMeetingIdentifier'],
      ['getMeetingInfo', `meetingID=${'b'.repeat(5000)}`, 'notFound'],
      ['join', `meetingID=${'c'.repeat(3000)}&fullName=x`, 'notFound'],
      ['getMeetingInfo', 'meetingID=%zz%', 'notFound'],
      ['getMeetingInfo', 'meetingID=%00%FF%FE', 'notFound'],
      ['getMeetingInfo', 'meetingID[]=x', 'missingParamMeetingID'],
      ['end', 'meetingID=%E2%9C%93%F0%9F%98%80', 'notFound'],
      // the BBB server refuses a 60 KB URL (as nginx would): we answer with an XML error, not a 500
      ['create', `meetingID=big&name=${'n'.repeat(60_000)}`, 'internalError'],
      ['create', 'meetingID=meta&meta_%3Cscript%3E=1&meta_a%20b=2&meta_=3', ''],
    ];
    for (const [call, query, key] of cases) {
      const res = await rawRequest(t.url, `/bigbluebutton/api/${call}?${signQuery(call, query)}`);
      expect(res.status).toBe(200);
      if (key) expectXmlError(res, key);
      else expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    }
    // getMeetings still renders well-formed XML after hostile metadata
    const list = await t.call('getMeetings');
    expect(xmlValue(list.body, 'returncode')).toBe('SUCCESS');
    expect(list.body).not.toContain('<<script>');
  });

  it('unsupported content types and methods answer in XML', async () => {
    const json = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=j')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"meetingID":"j"}',
    });
    expectXmlError(json, 'unsupportedContentType');
    expect(xmlValue(json.body, 'message')).toBe('POST request Content-Type is missing or unsupported');
    const noType = await rawRequest(t.url, `/bigbluebutton/api/getMeetings?${signQuery('getMeetings', '')}`, { method: 'POST', body: 'x=1' });
    expectXmlError(noType, 'unsupportedContentType');
    for (const method of ['PUT', 'DELETE', 'PATCH']) expectXmlError(await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=z')}`, { method }), 'unsupportedRequest');
    const head = await rawRequest(t.url, `/bigbluebutton/api/getMeetings?${signQuery('getMeetings', '')}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('a malformed multipart body is an XML error, not a 500', async () => {
    const res = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=mp')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=zzz' },
      body: 'this is not multipart',
    });
    expect(res.status).toBe(200);
    expect(res.body.startsWith('<?xml')).toBe(true);
  });
});
