import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';

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

// ---- Issue 9, items 11 and 12: prototype names, control characters, huge bodies (fuzz) ----

/** A clean answer: never a 500; a join redirect, or an XML document that a strict XML 1.0 parser takes. */
function expectStrictAnswer(res: RawResponse, what: string) {
  expect(res.status, what).not.toBe(500);
  if (res.status === 302) {
    expect(res.headers.location, what).toBeTruthy();
    return;
  }
  expect(res.status, what).toBe(200);
  expect(res.headers['content-type'], what).toMatch(/^application\/xml/);
  assertStrictXml(res.body, what);
  expect(['SUCCESS', 'FAILED'], what).toContain(xmlValue(res.body, 'returncode'));
}

/** Each UTF-8 byte of the text as %XX (what a client sends for it). */
const pct = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const FUZZ_CALLS = ['create', 'join', 'isMeetingRunning', 'getMeetingInfo', 'getMeetings', 'end', 'insertDocument'];

describe('fuzz: prototype names anywhere in a request', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
  });
  afterAll(() => t.close());

  it('as parameter names, meta_ names and values, on every call: strict XML answers, never a 500', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const queries = [
        `meetingID=${name}&${name}=x`,
        `meetingID=known&meta_${name}=x&${name}`,
        `${name}=1`,
        `meetingID=known&${name}[]=x&${name}[${name}]=y`,
        `meetingID=${name}&fullName=${name}&role=MODERATOR&name=${name}&meta_${name}=${name}`,
      ];
      for (const call of FUZZ_CALLS) {
        for (const query of queries) expectStrictAnswer(await t.call(call, query), `${call}?${query}`);
      }
    }
    // and the server was never taken for dead
    expect((await t.poll()).find((s) => s.id === 'bbb-1')?.online).toBe(true);
  });

  it('`constructor`, `__proto__` and `toString` are ordinary meetingIDs; meta_constructor no longer fails the create', async () => {
    for (const id of ['constructor', '__proto__', 'toString']) {
      const created = await t.call('create', `meetingID=${id}&name=${id}&meta_constructor=x&meta___proto__=y&meta_${id}=z`);
      expect(xmlValue(created.body, 'returncode'), id).toBe('SUCCESS');
      expect(xmlValue(created.body, 'meetingID'), id).toBe(id);
      await t.poll();
      const info = await t.call('getMeetingInfo', `meetingID=${id}`);
      expect(xmlValue(info.body, 'returncode'), id).toBe('SUCCESS');
      expect(xmlValue(info.body, 'meetingID'), id).toBe(id);
      assertStrictXml(info.body, id);
    }
    const list = await t.call('getMeetings');
    for (const id of ['constructor', '__proto__', 'toString']) expect(list.body).toContain(`<meetingID>${id}</meetingID>`);
    assertStrictXml(list.body);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('fuzz: control characters and other characters XML 1.0 forbids', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
  });
  afterAll(() => t.close());

  const FORBIDDEN = ['\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\uFFFE', '\uFFFF'];

  it('in meetingIDs, names, metadata, parameter names: every answer and getMeetings stay strict XML', async () => {
    for (const [i, c] of FORBIDDEN.entries()) {
      const e = pct(c);
      const id = `ctl${i}${e}x`;
      expectStrictAnswer(await t.call('create', `meetingID=${id}&name=n${e}m&meta_k${e}=v&meta_note=v${e}w&a${e}b=1&${e}=${e}`), `create ${i}`);
      for (const call of ['getMeetingInfo', 'isMeetingRunning', 'join', 'insertDocument']) {
        expectStrictAnswer(await t.call(call, `meetingID=${id}&fullName=f${e}g&role=VIEWER&userdata-x${e}=1`), `${call} ${i}`);
      }
    }
    expect((await t.poll()).find((s) => s.id === 'bbb-1')?.online).toBe(true);
    const list = await t.call('getMeetings');
    expect(xmlValue(list.body, 'returncode')).toBe('SUCCESS');
    expect(list.body).toContain('<meetingName>n\uFFFDm</meetingName>');
    assertStrictXml(list.body, 'getMeetings');
    for (const [i, c] of FORBIDDEN.entries()) expectStrictAnswer(await t.call('end', `meetingID=ctl${i}${pct(c)}x`), `end ${i}`);
  });

  it('seeded random queries (odd bytes, escapes, markup, prototype names) on every call', async () => {
    let seed = 0x9e3779b9;
    const random = () => {
      // mulberry32: the same queries on every run
      seed = (seed + 0x6d2b79f5) | 0;
      let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const PIECES = ['a', 'Z', '9', '-', '.', '_', '%00', '%01', '%1F', '%7F', '%FF', '%ED%A0%80', '%EF%BF%BE', '%EF%BF%BF', '%F0%9F%98%80', '%3C', '%3E', '%26', '%3D', '%25', '%zz', '%', '+', ']]%3E', '%26amp%3B', '%26%23x1%3B', '__proto__', 'constructor', 'meta_', 'toString', '[]', '[x]'];
    const token = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(PIECES)).join('');
    for (let n = 0; n < 150; n++) {
      const call = pick(FUZZ_CALLS);
      const params = [`meetingID=${random() < 0.5 ? 'fz' : token()}`, 'fullName=f', 'role=VIEWER'];
      for (let k = Math.floor(random() * 5); k > 0; k--) params.push(random() < 0.5 ? `meta_${token()}=${token()}` : `${token()}=${token()}`);
      const query = params.join('&');
      expectStrictAnswer(await t.call(call, query), `${call}?${query}`);
    }
    await t.poll();
    const list = await t.call('getMeetings');
    assertStrictXml(list.body, 'getMeetings');
    expect((await t.stack.deps.store.servers.get('bbb-1'))?.online).toBe(true);
  });
});

describe('fuzz: huge bodies', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
  });
  afterAll(() => t.close());

  const post = (call: string, query: string, contentType: string, body: string) =>
    rawRequest(t.url, `/bigbluebutton/api/${call}?${signQuery(call, query)}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  const MB = 1024 * 1024;

  it('a 10 MB form body: a clean BBB answer', async () => {
    const res = await post('create', '', 'application/x-www-form-urlencoded', `meetingID=huge-form&name=${'n'.repeat(10 * MB)}`);
    // a FAILED document (a BBB server refuses a 10 MB URL, as nginx would), never a 500
    expectStrictAnswer(res, '10 MB form');
    expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
    const many = await post('create', '', 'application/x-www-form-urlencoded', `meetingID=huge-many&${Array.from({ length: 200_000 }, (_, i) => `p${i}=${i % 3 ? '__proto__' : 'constructor'}`).join('&')}`);
    expectStrictAnswer(many, '200,000 parameters');
    // and the process is still there
    expect(xmlValue((await t.call('getMeetings')).body, 'returncode')).toBe('SUCCESS');
  });

  it('a 3.9 MB XML body (slides) is forwarded; a body over the limit (4 MiB) is refused in XML', async () => {
    const slides = `<?xml version="1.0"?><modules><module name="presentation"><document name="x.pdf">${'QUJD'.repeat((3.9 * MB) / 4)}</document></module></modules>`;
    const res = await post('create', 'meetingID=huge-xml', 'application/xml', slides);
    expectStrictAnswer(res, '3.9 MB XML');
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    expect(t.fakes[0].requestsFor('create').at(-1)?.body.length).toBe(slides.length);
    const controls = await post('create', 'meetingID=ctl-xml', 'application/xml', `<modules>\u0001${'<x/>'.repeat(MB / 2)}</modules>`);
    expectStrictAnswer(controls, 'XML body with a control character');
    const tooBig = await post('create', 'meetingID=too-big', 'application/xml', 'x'.repeat(17 * MB));
    expectStrictAnswer(tooBig, '17 MB');
    expect(xmlValue(tooBig.body, 'returncode')).toBe('FAILED');
  });
});

/** Issue 9 items 8 and 9 (invariant 8): checksum text smuggled into other parameters, unsigned form bodies. */
describe('checksum smuggling: no variant lets an unsigned parameter through', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ servers: 1 });
    expect(xmlValue((await t.call('create', 'meetingID=known')).body, 'returncode')).toBe('SUCCESS');
  });
  afterAll(() => t.close());

  const q = 'meetingID=known&fullName=A';
  const checksumOf = (call: string) => signQuery(call, q).split('checksum=')[1];

  it('the signed query passes the checksum on every endpoint (control)', async () => {
    for (const call of CHECKED) {
      const res = await rawRequest(t.url, `/bigbluebutton/api/${call}?${signQuery(call, q)}`);
      expect(xmlValue(res.body, 'messageKey') ?? '', call).not.toBe('checksumError');
    }
  });

  it('checksum text in a name, in a value, glued to the checksum, repeated or percent-encoded twice is checksumError', async () => {
    const asked = t.fakes[0].requests.length;
    for (const call of CHECKED) {
      const c = checksumOf(call);
      const variants = [
        `meetingID=known&fullNamechecksum=${c}=A&checksum=${c}`,
        `meetingIDchecksum=${c}=known&fullName=A&checksum=${c}`,
        `meetingID=knownchecksum=${c}&fullName=A&checksum=${c}`,
        `meetingID=known&fullName=A&checksum=${c}checksum=${c}`,
        `meetingID=known&fullName=A&checksum=${c}&checksum=${c}`,
        `checksum=${c}&meetingID=known&fullName=A&checksum=${c}`,
        `meetingID=known&fullName=A&checksum=${c}&%63hecksum=${c}`,
        `meetingID=known&fullName=A&%63hecksum=${c}&%63hecksum=${c}`,
        `meetingID=known&fullName=A&checksum=${c}&role=MODERATOR`,
        `meetingID=known&fullName=A&role=MODERATORchecksum=${c}&checksum=${c}`,
      ];
      for (const query of variants) {
        const res = await rawRequest(t.url, `/bigbluebutton/api/${call}?${query}`);
        expect(res.headers.location, `${call}?${query}`).toBeUndefined();
        expectXmlError(res, 'checksumError');
      }
    }
    expect(t.fakes[0].requests).toHaveLength(asked);
  });

  it('a signed query with parameters added in a form or multipart body is checksumError', async () => {
    const asked = t.fakes[0].requests.length;
    const boundary = 'smuggle';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="moderatorPW"\r\n\r\nx\r\n--${boundary}--\r\n`;
    for (const call of CHECKED.filter((c) => c !== 'join')) {
      const path = `/bigbluebutton/api/${call}?${signQuery(call, q)}`;
      for (const body of ['moderatorPW=x', 'meetingID=other', `checksum=${checksumOf(call)}`, 'meta_endCallbackUrl=https%3A%2F%2Fevil.example']) {
        expectXmlError(await rawRequest(t.url, path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }), 'checksumError');
      }
      expectXmlError(
        await rawRequest(t.url, path, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: multipart }),
        'checksumError',
      );
    }
    expect(t.fakes[0].requests).toHaveLength(asked);
  });
});
