/**
 * Issue 13: request bodies within what a Lambda invocation carries, checksums in the query checked before
 * a body is read, and the admin API switched off by ADMIN_API_ENABLED=false. Real HTTP against the local
 * stack (the same createApp as the Lambda), plus API Gateway v2 events for the Lambda entry.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaRawQuery } from '../../functions/api/lambda-raw-query.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { createApp } from '../../shared/http/create-app.js';
import { MAX_BODY_BYTES } from '../../shared/http/request-input.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';

const MB = 1024 * 1024;
const ADMIN = 'admin-secret-for-limits-0123';
const TOO_LARGE = `The request body is too large: at most ${MAX_BODY_BYTES} bytes (4 MiB) are accepted.`;
/** Lambda's limit on a synchronous invocation's event (RequestTooLargeException above it). */
const LAMBDA_SYNC_PAYLOAD_BYTES = 6_291_456;

/** A create's XML body (one embedded document) of exactly `size` bytes. */
function slides(size: number): string {
  const head = '<?xml version="1.0"?><modules><module name="presentation"><document name="deck.pdf">';
  const tail = '</document></module></modules>';
  return head + 'A'.repeat(size - head.length - tail.length) + tail;
}

/** A POST whose body goes out in chunks (Transfer-Encoding: chunked, no Content-Length). */
function chunkedPost(baseUrl: string, pathAndQuery: string, contentType: string, body: Buffer): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method: 'POST', path: pathAndQuery, headers: { 'Content-Type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.on('socket', (s) => s.on('error', () => {})); // the server may stop reading once it has answered
    for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
    req.end();
  });
}

/**
 * A POST that declares `declared` bytes of body but sends only `sent` and holds the rest back until the
 * answer is in. An answer proves the server decided without the body: it never had it.
 */
function heldBackPost(baseUrl: string, pathAndQuery: string, contentType: string, declared: number, sent: Buffer): Promise<RawResponse & { unsent: number }> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method: 'POST', path: pathAndQuery, headers: { 'Content-Type': contentType, 'Content-Length': String(declared) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), unsent: declared - sent.length });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => {
      if (!req.destroyed) reject(e);
    });
    req.on('socket', (s) => s.on('error', () => {}));
    req.write(sent); // and nothing more: the request stays open
  });
}

const expectXmlError = (res: RawResponse, key: string, what: string) => {
  expect(res.status, what).toBe(200);
  expect(res.headers['content-type'], what).toMatch(/^application\/xml/);
  expect(xmlValue(res.body, 'returncode'), what).toBe('FAILED');
  expect(xmlValue(res.body, 'messageKey'), what).toBe(key);
};

describe('the request-body cap', () => {
  it('is 4 MiB: base64-encoded into an API Gateway v2 event with the largest headers, it still fits a Lambda invocation', () => {
    expect(MAX_BODY_BYTES).toBe(4 * MB);
    // an HTTP API allows 10 KiB of request line and headers; the query shows up twice (raw and decoded)
    const query = `meetingID=${'m'.repeat(4000)}&checksum=${'0'.repeat(128)}`;
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/bigbluebutton/api/create',
      rawQueryString: query,
      cookies: [`c=${'v'.repeat(1000)}`],
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(MAX_BODY_BYTES), host: 'lb.example.com', 'x-filler': 'h'.repeat(4000) },
      queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
      requestContext: { accountId: '123456789012', apiId: 'abc', domainName: 'lb.example.com', http: { method: 'POST', path: '/bigbluebutton/api/create', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'u'.repeat(1000) }, requestId: randomUUID(), routeKey: '$default', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now() },
      body: Buffer.alloc(MAX_BODY_BYTES, 0x61).toString('base64'),
      isBase64Encoded: true,
    };
    const size = Buffer.byteLength(JSON.stringify(event));
    expect(size).toBeLessThan(LAMBDA_SYNC_PAYLOAD_BYTES - 500 * 1024); // over half a megabyte to spare
    // while 5 MB, base64-encoded, would not reach the function at all
    expect(Math.ceil((5 * 1000 * 1000) / 3) * 4).toBeGreaterThan(LAMBDA_SYNC_PAYLOAD_BYTES);
  });

  describe('over real HTTP (slctl serve: the same app and cap as on AWS)', () => {
    let t: TestStack;
    beforeAll(async () => {
      t = await startTestStack({ servers: 1, env: { ADMIN_SECRET: ADMIN } });
    });
    afterAll(() => t.close());

    const creates = () => t.fakes[0].requestsFor('create');

    it('a 5 MB create body: the BBB error (HTTP 200 XML), never a 413 or 500; nothing reaches BBB', async () => {
      const before = creates().length;
      for (const [type, body] of [
        ['application/xml', slides(5 * 1000 * 1000)],
        ['application/x-www-form-urlencoded', `meetingID=big&name=${'n'.repeat(5 * MB)}`],
        ['multipart/form-data; boundary=zz', `--zz\r\nContent-Disposition: form-data; name="name"\r\n\r\n${'n'.repeat(5 * MB)}\r\n--zz--\r\n`],
      ] as const) {
        const res = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=big-doc')}`, { method: 'POST', headers: { 'Content-Type': type }, body });
        expectXmlError(res, 'internalError', type);
        expect(xmlValue(res.body, 'message'), type).toBe(TOO_LARGE);
      }
      expect(creates()).toHaveLength(before);
    });

    it('the cap is exact, whether the length is declared or the body comes chunked', async () => {
      const path = (id: string) => `/bigbluebutton/api/create?${signQuery('create', `meetingID=${id}`)}`;
      const atCap = slides(MAX_BODY_BYTES);
      const ok = await rawRequest(t.url, path('cap-declared'), { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: atCap });
      expect(xmlValue(ok.body, 'returncode'), ok.body.slice(0, 300)).toBe('SUCCESS');
      expect(creates().at(-1)?.body.length).toBe(MAX_BODY_BYTES);
      const okChunked = await chunkedPost(t.url, path('cap-chunked'), 'application/xml', Buffer.from(atCap));
      expect(xmlValue(okChunked.body, 'returncode')).toBe('SUCCESS');
      expect(creates().at(-1)?.body.length).toBe(MAX_BODY_BYTES);

      const before = creates().length;
      const over = slides(MAX_BODY_BYTES + 1);
      expectXmlError(await rawRequest(t.url, path('over-declared'), { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: over }), 'internalError', 'declared');
      expectXmlError(await chunkedPost(t.url, path('over-chunked'), 'application/xml', Buffer.from(over)), 'internalError', 'chunked');
      // a body-signed form is parsed before its checksum can be checked: only up to the cap, also chunked
      const form = Buffer.from(`meetingID=f&name=${'n'.repeat(MAX_BODY_BYTES)}&checksum=${'0'.repeat(40)}`);
      expectXmlError(await chunkedPost(t.url, '/bigbluebutton/api/create', 'application/x-www-form-urlencoded', form), 'internalError', 'chunked form');
      expect(creates()).toHaveLength(before);
      // the balancer is fine afterwards
      expect(xmlValue((await t.call('getMeetings')).body, 'returncode')).toBe('SUCCESS');
    });

    it('a wrong checksum in the query is answered before the body is read: 3 MB declared, 64 KiB sent, the rest never', async () => {
      const start = Buffer.from(slides(3 * MB).slice(0, 64 * 1024));
      const wrong = `meetingID=held&checksum=${'0'.repeat(40)}`;
      for (const call of ['create', 'insertDocument']) {
        const res = await heldBackPost(t.url, `/bigbluebutton/api/${call}?${wrong}`, 'application/xml', 3 * MB, start);
        expectXmlError(res, 'checksumError', call);
        expect(res.unsent).toBe(3 * MB - 64 * 1024);
      }
      // the admin API (JSON body, checksum in the query) alike
      const admin = await heldBackPost(t.url, `/scalelite/api/addServer?checksum=${'0'.repeat(64)}`, 'application/json', 3 * MB, Buffer.from(`{"server":{"url":"https://x","secret":"${'s'.repeat(60_000)}`));
      expectXmlError(admin, 'checksumError', 'admin');
      expect((await t.stack.deps.store.servers.list()).map((s) => s.url)).not.toContain('https://x');
    });

    it('a wrong checksum with a whole 3 MB body that is no XML at all: checksumError; the right one with a real document succeeds', async () => {
      const garbage = `<modules><document>${'\u0000<<&&'.repeat((3 * MB) / 5)}`;
      const bad = await rawRequest(t.url, `/bigbluebutton/api/create?meetingID=whole&checksum=${'1'.repeat(40)}`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: garbage });
      expectXmlError(bad, 'checksumError', 'wrong checksum');
      const good = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=whole')}`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: slides(3 * MB) });
      expect(xmlValue(good.body, 'returncode')).toBe('SUCCESS');
      expect(creates().at(-1)?.body.length).toBe(3 * MB);
    });

    it('a form body still takes part in the checksum (PostChecksum), and the content type is still checked first', async () => {
      // a signed query with an unsigned form parameter is refused: the body was read for the check
      const unsigned = await rawRequest(t.url, `/bigbluebutton/api/create?${signQuery('create', 'meetingID=pc')}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'moderatorPW=x' });
      expectXmlError(unsigned, 'checksumError', 'unsigned body parameter');
      // an XML body on a form-only call, with a wrong checksum: the content type fails first, as in Scalelite
      const wrongType = await rawRequest(t.url, `/bigbluebutton/api/getMeetings?checksum=${'0'.repeat(40)}`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<x/>' });
      expectXmlError(wrongType, 'unsupportedContentType', 'content type');
      // a chunked body on a form-only call with no content type: read (capped) to see that there is one
      const chunked = await chunkedPost(t.url, `/bigbluebutton/api/getMeetings?${signQuery('getMeetings', '')}`, '', Buffer.from('hello'));
      expectXmlError(chunked, 'unsupportedContentType', 'chunked, no type');
    });

    it('the admin API: a 5 MB JSON body gets the XML error; a checksum carried in the JSON body still works', async () => {
      const big = await rawRequest(t.url, `/scalelite/api/addServer?${signQuery('addServer', '', ADMIN, 'sha256')}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ server: { url: 'https://big.example', secret: 's'.repeat(5 * MB) } }),
      });
      expectXmlError(big, 'internalError', 'admin 5 MB');
      expect(xmlValue(big.body, 'message')).toBe(TOO_LARGE);
      expectXmlError(await rawRequest(t.url, '/scalelite/api/getServers'), 'checksumError', 'no checksum at all');
      // no checksum in the query: the body is read (capped) and its checksum checked
      const viaBody = await rawRequest(t.url, '/scalelite/api/addServer', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ checksum: createHash('sha256').update(`addServer${ADMIN}`).digest('hex'), server: { url: 'https://via-body.example/bigbluebutton/api', secret: 'x' } }),
      });
      expect(viaBody.status, viaBody.body).toBe(201);
      expect((await t.stack.deps.store.servers.list()).map((s) => s.url)).toContain('https://via-body.example/bigbluebutton/api');
    });
  });

  describe('on Lambda (API Gateway HTTP API v2 events)', () => {
    let t: TestStack;
    let invoke: (init: { path: string; query: string; contentType: string; body: Buffer; declare: boolean }) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string }>;
    beforeAll(async () => {
      t = await startTestStack({ servers: 1 });
      const handler = handle(createApp(t.stack.deps, { rawQuery: lambdaRawQuery }));
      invoke = async ({ path, query, contentType, body, declare }) => {
        const event = {
          version: '2.0',
          routeKey: '$default',
          rawPath: path,
          rawQueryString: query,
          headers: { host: 'lb.example.com', 'content-type': contentType, ...(declare ? { 'content-length': String(body.length) } : {}), 'x-forwarded-proto': 'https' },
          requestContext: { domainName: 'lb.example.com', http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' }, requestId: randomUUID(), routeKey: '$default', stage: '$default', timeEpoch: Date.now() },
          body: body.toString('base64'),
          isBase64Encoded: true,
        };
        return (await handler(event as never, { awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as never)) as { statusCode: number; body: string };
      };
    });
    afterAll(() => t.close());

    it('a body over the cap is the BBB error, with or without a Content-Length header; one at the cap is served', async () => {
      const over = Buffer.from(`meetingID=l&name=${'n'.repeat(MAX_BODY_BYTES)}`);
      for (const declare of [true, false]) {
        const res = await invoke({ path: '/bigbluebutton/api/create', query: signQuery('create', ''), contentType: 'application/x-www-form-urlencoded', body: over, declare });
        expect(res.statusCode, `declare=${declare}`).toBe(200);
        expect(xmlValue(res.body, 'messageKey'), `declare=${declare}`).toBe('internalError');
        expect(xmlValue(res.body, 'message')).toBe(TOO_LARGE);
      }
      const atCap = await invoke({ path: '/bigbluebutton/api/create', query: signQuery('create', 'meetingID=lambda-cap'), contentType: 'application/xml', body: Buffer.from(slides(MAX_BODY_BYTES)), declare: true });
      expect(xmlValue(atCap.body, 'returncode'), atCap.body.slice(0, 300)).toBe('SUCCESS');
      expect(t.fakes[0].requestsFor('create').at(-1)?.body.length).toBe(MAX_BODY_BYTES);
    });
  });
});

describe('ADMIN_API_ENABLED', () => {
  it('defaults to true; false (and anything but true) turns it off; blank is the default', () => {
    const base = { LOADBALANCER_SECRET: LB_SECRET };
    expect(parseConfig(base).adminApiEnabled).toBe(true);
    expect(parseConfig({ ...base, ADMIN_API_ENABLED: '' }).adminApiEnabled).toBe(true);
    expect(parseConfig({ ...base, ADMIN_API_ENABLED: 'TRUE' }).adminApiEnabled).toBe(true);
    for (const off of ['false', 'False', 'no', '0', 'ture']) expect(parseConfig({ ...base, ADMIN_API_ENABLED: off }).adminApiEnabled, off).toBe(false);
  });

  describe('false: /scalelite/api/* answers exactly as an unknown route', () => {
    let t: TestStack;
    const warnings: string[] = [];
    beforeAll(async () => {
      const log = { info: () => {}, warn: (m: string) => void warnings.push(m), error: () => {} };
      t = await startTestStack({ env: { ADMIN_API_ENABLED: 'false' }, log });
    });
    afterAll(() => t.close());

    it('signed calls, GET and POST, get the catch-all’s unsupportedRequest; nothing is changed', async () => {
      const unknown = await rawRequest(t.url, '/no/such/route');
      expectXmlError(unknown, 'unsupportedRequest', 'control');
      // ADMIN_SECRET unset: the admin API would accept the LB secret — a correctly signed call
      const calls: [string, RawResponse][] = [
        ['getServers', await rawRequest(t.url, `/scalelite/api/getServers?${signQuery('getServers', '', LB_SECRET, 'sha256')}`)],
        ['getServers without checksum', await rawRequest(t.url, '/scalelite/api/getServers')],
        ['unknown call', await rawRequest(t.url, '/scalelite/api/nothing')],
        [
          'addServer',
          await rawRequest(t.url, `/scalelite/api/addServer?${signQuery('addServer', '', LB_SECRET, 'sha256')}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ server: { url: 'https://new.example/bigbluebutton/api', secret: 'x' } }),
          }),
        ],
      ];
      for (const [what, res] of calls) {
        expect(res.status, what).toBe(unknown.status);
        expect(res.headers['content-type'], what).toBe(unknown.headers['content-type']);
        expect(res.body, what).toBe(unknown.body);
      }
      expect(await t.stack.deps.store.servers.list()).toEqual([]);
      // and no warning about ADMIN_SECRET for an API that is not there
      expect(warnings.filter((w) => w.includes('ADMIN_SECRET'))).toEqual([]);
      // the BBB API is untouched
      expect(xmlValue((await t.call('getMeetings')).body, 'returncode')).toBe('SUCCESS');
    });
  });
});
