import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChecksum } from '../helpers/post-sign.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

function multipart(fields: [string, string][]): { body: string; headers: Record<string, string> } {
  const boundary = 'b0undary42';
  const body = fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
  return { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

/** Issue 9 item 9 (invariant 8): a form POST's body parameters are signed as BBB's PostChecksum signs them. */
describe('form POST bodies are signed', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
  });
  afterAll(() => t.close());

  const post = (call: string, query: string, body: string, headers: Record<string, string> = FORM) =>
    rawRequest(t.url, `/bigbluebutton/api/${call}?${query}`, { method: 'POST', headers, body });
  const creates = () => t.fakes[0].requestsFor('create');

  it('a signed query with an unsigned moderatorPW or callback URL in the body is refused; nothing reaches BBB', async () => {
    const before = creates().length;
    for (const body of ['moderatorPW=evil', 'meta_endCallbackUrl=https%3A%2F%2Fevil.example%2Fhook', 'meetingID=pc-other']) {
      const res = await post('create', signQuery('create', 'meetingID=pc-1&name=Room'), body);
      expect(res.status).toBe(200);
      expect(xmlValue(res.body, 'returncode'), body).toBe('FAILED');
      expect(xmlValue(res.body, 'messageKey'), body).toBe('checksumError');
    }
    // the same in a multipart body
    const mp = multipart([['moderatorPW', 'evil']]);
    expect(xmlValue((await post('create', signQuery('create', 'meetingID=pc-1'), mp.body, mp.headers)).body, 'messageKey')).toBe('checksumError');
    expect(creates()).toHaveLength(before);
    expect(xmlValue((await t.call('getMeetingInfo', 'meetingID=pc-1')).body, 'messageKey')).toBe('notFound');
  });

  it('Scalelite’s old form: the checksum over the empty query, everything in the body, is refused', async () => {
    const res = await post('create', signQuery('create', ''), 'meetingID=pc-old&name=Posted+Room');
    expect(xmlValue(res.body, 'messageKey')).toBe('checksumError');
  });

  it('BBB’s form POST: empty query, checksum in the body over the sorted, URLEncoder-encoded parameters', async () => {
    const params: [string, string][] = [
      ['name', "Posted Room's ~*(1)"],
      ['meetingID', 'pc-bbb'],
      ['moderatorPW', 'mp'],
    ];
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const body = `${params.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('&')}&checksum=${postChecksum('create', params, algorithm)}`;
      const res = await post('create', '', body);
      expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
    }
    expect(creates().at(-1)!.params).toMatchObject({ meetingID: 'pc-bbb', name: "Posted Room's ~*(1)", moderatorPW: 'mp' });
    expect(creates().at(-1)!.checksumValid).toBe(true);
  });

  it('query and body parameters are signed together; the checksum may be in the query', async () => {
    const checksum = postChecksum('create', [
      ['meetingID', 'pc-mix'],
      ['record', 'false'],
      ['name', 'Mixed'],
    ]);
    const res = await post('create', `meetingID=pc-mix&record=false&checksum=${checksum}`, 'name=Mixed');
    expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
    expect(creates().at(-1)!.params).toMatchObject({ meetingID: 'pc-mix', name: 'Mixed', record: 'false' });
    // the same checksum with one more body parameter fails
    expect(xmlValue((await post('create', `meetingID=pc-mix&record=false&checksum=${checksum}`, 'name=Mixed&moderatorPW=x')).body, 'messageKey')).toBe(
      'checksumError',
    );
  });

  it('a multipart body signed as BBB signs it is accepted', async () => {
    const params: [string, string][] = [
      ['meetingID', 'pc-mp'],
      ['name', 'Multi part'],
    ];
    const mp = multipart([...params, ['checksum', postChecksum('create', params)]]);
    const res = await post('create', '', mp.body, mp.headers);
    expect(xmlValue(res.body, 'returncode'), res.body).toBe('SUCCESS');
    expect(creates().at(-1)!.params).toMatchObject({ meetingID: 'pc-mp', name: 'Multi part' });
  });

  it('a body that adds no parameter keeps the raw query check; the checksum may be the body’s only parameter', async () => {
    const query = "meetingID=pc-q&name=O'Brien+Room";
    const signed = signQuery('create', query);
    expect(xmlValue((await post('create', signed, '')).body, 'returncode')).toBe('SUCCESS');
    const checksum = signed.slice(signed.lastIndexOf('checksum=') + 'checksum='.length);
    expect(xmlValue((await post('getMeetingInfo', 'meetingID=pc-q', `checksum=${signQuery('getMeetingInfo', 'meetingID=pc-q').split('checksum=')[1]}`)).body, 'meetingID')).toBe('pc-q');
    // a checksum in both places is one too many
    expect(xmlValue((await post('create', signed, `checksum=${checksum}`)).body, 'messageKey')).toBe('checksumError');
  });

  it('getMeetingInfo and end by form POST need the body signed too', async () => {
    const signedBody = `meetingID=pc-q&checksum=${postChecksum('getMeetingInfo', [['meetingID', 'pc-q']])}`;
    expect(xmlValue((await post('getMeetingInfo', '', signedBody)).body, 'meetingID')).toBe('pc-q');
    expect(xmlValue((await post('getMeetingInfo', signQuery('getMeetingInfo', ''), 'meetingID=pc-q')).body, 'messageKey')).toBe('checksumError');
    expect(xmlValue((await post('end', signQuery('end', 'meetingID=nope'), 'meetingID=pc-q')).body, 'messageKey')).toBe('checksumError');
    expect(t.fakes[0].requestsFor('end')).toHaveLength(0);
    expect(xmlValue((await t.call('getMeetingInfo', 'meetingID=pc-q')).body, 'meetingID')).toBe('pc-q');
  });
});
