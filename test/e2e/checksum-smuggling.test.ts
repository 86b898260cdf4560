import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

/**
 * Issue 9 item 8 (invariant 8): the checksum parameter is found by parsing the query, never by
 * removing `checksum=<v>` text wherever it appears — otherwise a user holding a signed join URL hides
 * signed parameters (guest=true) inside another parameter and the call still verifies.
 */
describe('checksum text smuggled into other parameters', () => {
  let t: TestStack;
  const signedQuery = 'meetingID=sm-1&fullName=Guest+User&password=ap&guest=true';
  let signed: string;
  let checksum: string;

  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
    const created = await t.call('create', 'meetingID=sm-1&moderatorPW=mp&attendeePW=ap');
    expect(xmlValue(created.body, 'returncode'), created.body).toBe('SUCCESS');
    signed = signQuery('join', signedQuery);
    checksum = signed.slice(signed.lastIndexOf('checksum=') + 'checksum='.length);
  });
  afterAll(() => t.close());

  const join = (query: string) => rawRequest(t.url, `/bigbluebutton/api/join?${query}`);

  it('the signed join URL itself redirects, with guest=true (control)', async () => {
    const res = await join(signed);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.location!).searchParams.get('guest')).toBe('true');
  });

  it('a signed join URL with `checksum=<v>` hidden in a parameter name (dropping guest=true) is refused with checksumError', async () => {
    // textual removal of every `checksum=<v>` turns `guestchecksum=<v>=true` back into `guest=true`:
    // the old check verified, and BBB got a parameter named `guestchecksum` instead of guest=true
    const smuggled = `meetingID=sm-1&fullName=Guest+User&password=ap&guestchecksum=${checksum}=true&checksum=${checksum}`;
    const res = await join(smuggled);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.headers.location).toBeUndefined();
    expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
    expect(xmlValue(res.body, 'messageKey')).toBe('checksumError');
  });

  it('the same smuggling in a value, glued to the checksum, or as a repeated checksum is refused too', async () => {
    const variants = [
      `meetingID=sm-1&fullName=Guest+Userchecksum=${checksum}&password=ap&guest=true&checksum=${checksum}`,
      `${signedQuery}&checksum=${checksum}checksum=${checksum}`,
      `${signedQuery}&checksum=${checksum}&checksum=${checksum}`,
      `${signedQuery}&checksum=${checksum}&%63hecksum=${checksum}`,
    ];
    for (const query of variants) {
      const res = await join(query);
      expect(res.headers.location, query).toBeUndefined();
      expect(xmlValue(res.body, 'messageKey'), query).toBe('checksumError');
    }
  });
});
