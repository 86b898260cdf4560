/**
 * The Lambda entry as API Gateway HTTP API (payload format 2.0) drives it: hand-built events through
 * `handle(createApp(deps, { rawQuery: lambdaRawQuery }))`, with the deps of a local stack and fake BBBs behind.
 * (functions/api/handler.ts itself is not imported: it builds its deps from process.env at import.)
 */
import { postChecksum } from '../helpers/post-sign.js';
import { createHash, randomUUID } from 'node:crypto';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaRawQuery } from '../../functions/api/lambda-raw-query.js';
import { createApp } from '../../shared/http/create-app.js';
import { LB_SECRET, signQuery, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';

const DOMAIN = 'abc123xyz.execute-api.eu-central-1.amazonaws.com';

interface V2Result {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  cookies?: string[];
}

interface EventInit {
  method?: 'GET' | 'POST' | 'HEAD';
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** Decodes a query the way API Gateway fills `queryStringParameters` (repeated keys joined with a comma). */
function queryStringParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

/** An API Gateway HTTP API payload v2 event, shaped like the real thing. */
function v2Event(init: EventInit) {
  const method = init.method ?? 'GET';
  const rawQueryString = init.rawQueryString ?? '';
  const now = new Date();
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Greenlight/3.0';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: init.rawPath,
    rawQueryString,
    headers: {
      accept: '*/*',
      'content-length': String(init.body === undefined ? 0 : Buffer.byteLength(init.body, init.isBase64Encoded ? 'base64' : 'utf8')),
      host: DOMAIN,
      'user-agent': userAgent,
      'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...init.headers,
    },
    queryStringParameters: queryStringParameters(rawQueryString),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123xyz',
      domainName: DOMAIN,
      domainPrefix: 'abc123xyz',
      http: { method, path: init.rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}

const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'scalelite-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:scalelite-api',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/scalelite-api',
  logStreamName: '2024/01/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unxml = (s: string | undefined) =>
  s?.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] !== '#' ? (XML_ENTITIES[e] ?? m) : String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );

const checksumOver = (text: string, algorithm: 'sha1' | 'sha256') => createHash(algorithm).update(text).digest('hex');

let t: TestStack;
let invoke: (init: EventInit) => Promise<V2Result>;

beforeAll(async () => {
  t = await startTestStack({ servers: 1 });
  const handler = handle(createApp(t.stack.deps, { rawQuery: lambdaRawQuery }));
  invoke = async (init) => (await handler(v2Event(init) as never, lambdaContext as never)) as V2Result;
});
afterAll(() => t.close());

const api = (call: string, query: string, algorithm: 'sha1' | 'sha256' = 'sha1'): EventInit => ({
  rawPath: `/bigbluebutton/api/${call}`,
  rawQueryString: signQuery(call, query, LB_SECRET, algorithm),
});

describe('API Gateway HTTP API (payload v2) events', () => {
  const fake = () => t.fakes[0];
  beforeEach(() => fake().clearRequests());

  it('index: SUCCESS with the API version, no checksum needed', async () => {
    for (const rawPath of ['/bigbluebutton/api', '/bigbluebutton/api/']) {
      const res = await invoke({ rawPath });
      expect(res.statusCode).toBe(200);
      expect(res.isBase64Encoded).toBe(false);
      expect(res.headers?.['content-type']).toMatch(/xml/);
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
      expect(xmlValue(res.body, 'version')).toBeDefined();
    }
  });

  for (const algorithm of ['sha1', 'sha256'] as const) {
    it(`create with ' + and %20 in the raw query, signed over it exactly (${algorithm})`, async () => {
      const id = `o'brien+${algorithm}%20x`;
      const query = `meetingID=${id}&name=Tom's+Room%20%2B1&moderatorPW=mp&attendeePW=ap`;
      const res = await invoke(api('create', query, algorithm));
      expect(res.statusCode).toBe(200);
      expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
      const meetingID = `o'brien ${algorithm} x`;
      expect(unxml(xmlValue(res.body, 'meetingID'))).toBe(meetingID);

      const [received] = fake().requestsFor('create');
      expect(received.checksumValid).toBe(true);
      expect(received.params.meetingID).toBe(meetingID);
      expect(received.params.name).toBe("Tom's Room +1");
      expect(fake().meetings.get(meetingID)?.meetingName).toBe("Tom's Room +1");
      expect(await t.stack.deps.store.meetings.get({ meetingID: meetingID }, Date.now())).toMatchObject({ meetingID, serverId: 'bbb-1' });
    });
  }

  it('join: 302 with a location on the meeting’s server', async () => {
    const res = await invoke(api('join', "meetingID=o'brien+sha1%20x&fullName=Ren%C3%A9e+O'Hara&role=MODERATOR"));
    expect(res.statusCode).toBe(302);
    const location = res.headers?.location;
    expect(location).toBeDefined();
    expect(location!.startsWith(`${fake().url}/join?`)).toBe(true);

    const atBbb = await fetch(location!, { redirect: 'manual' });
    expect(atBbb.status).toBe(302);
    const [join] = fake().requestsFor('join');
    expect(join.checksumValid).toBe(true);
    expect(join.params.meetingID).toBe("o'brien sha1 x");
    expect(join.params.fullName).toBe("Renée O'Hara");
  });

  it('a wrong checksum: 200 XML checksumError, nothing sent to BBB', async () => {
    const res = await invoke({ rawPath: '/bigbluebutton/api/create', rawQueryString: `meetingID=bad-1&checksum=${'0'.repeat(40)}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/xml/);
    expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
    expect(xmlValue(res.body, 'messageKey')).toBe('checksumError');

    // signed over the decoded query instead of the raw one: also rejected
    const decodedSigned = `meetingID=o'brien x&checksum=${checksumOver(`createmeetingID=o'brien x${LB_SECRET}`, 'sha1')}`;
    const res2 = await invoke({ rawPath: '/bigbluebutton/api/create', rawQueryString: decodedSigned.replace(' ', '+') });
    expect(xmlValue(res2.body, 'messageKey')).toBe('checksumError');
    expect(fake().requests).toHaveLength(0);
  });

  it('POST create with a form body, the checksum in the query over the body as BBB\'s PostChecksum', async () => {
    const params: [string, string][] = [['meetingID', 'post-1'], ['name', "Posted room's name"], ['moderatorPW', 'mp']];
    const body = "meetingID=post-1&name=Posted+room%27s+name&moderatorPW=mp";
    const res = await invoke({
      method: 'POST',
      rawPath: '/bigbluebutton/api/create',
      rawQueryString: `checksum=${postChecksum('create', params, 'sha1')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.statusCode).toBe(200);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(res.body, 'meetingID')).toBe('post-1');
    const [received] = fake().requestsFor('create');
    expect(received.checksumValid).toBe(true);
    expect(received.params.name).toBe("Posted room's name");
  });

  it('POST create with a base64-encoded body (isBase64Encoded: true)', async () => {
    const body = 'meetingID=post-b64&name=Base+64%20room';
    const res = await invoke({
      method: 'POST',
      rawPath: '/bigbluebutton/api/create',
      rawQueryString: `checksum=${postChecksum('create', [['meetingID', 'post-b64'], ['name', 'Base 64 room']], 'sha256')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: Buffer.from(body, 'utf8').toString('base64'),
      isBase64Encoded: true,
    });
    expect(res.statusCode).toBe(200);
    expect(xmlValue(res.body, 'returncode')).toBe('SUCCESS');
    expect(xmlValue(res.body, 'meetingID')).toBe('post-b64');
    const [received] = fake().requestsFor('create');
    expect(received.checksumValid).toBe(true);
    expect(received.params.meetingID).toBe('post-b64');
    expect(received.params.name).toBe('Base 64 room');
  });

  it('a path outside the API: unsupportedRequest', async () => {
    for (const rawPath of ['/foo', '/bigbluebutton', '/bigbluebutton/other/create']) {
      const res = await invoke({ rawPath, rawQueryString: 'a=b' });
      expect(res.statusCode).toBe(200);
      expect(xmlValue(res.body, 'returncode')).toBe('FAILED');
      expect(xmlValue(res.body, 'messageKey')).toBe('unsupportedRequest');
    }
  });

  it('/health_check and /: success', async () => {
    for (const rawPath of ['/health_check', '/']) {
      const res = await invoke({ rawPath });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('success');
    }
  });
});
