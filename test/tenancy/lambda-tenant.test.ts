/**
 * On Lambda behind API Gateway (HTTP API, payload v2) with a wildcard custom domain, the `host` header of
 * the event is the domain the client used: the tenant resolves from it like on node-server.
 */
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaRawQuery } from '../../functions/api/lambda-raw-query.js';
import { createApp } from '../../shared/http/create-app.js';
import { signQuery, xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, type TenancyStack } from './tenancy-stack.js';

const event = (host: string, call: string, rawQueryString: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: `/bigbluebutton/api/${call}`,
  rawQueryString,
  headers: { host, 'x-forwarded-proto': 'https', 'x-forwarded-port': '443' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123xyz',
    domainName: host,
    domainPrefix: host.split('.')[0],
    http: { method: 'GET', path: `/bigbluebutton/api/${call}`, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
    requestId: 'r1',
    routeKey: '$default',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  isBase64Encoded: false,
});

describe('tenant resolution on Lambda', () => {
  let t: TenancyStack;
  let invoke: (host: string, call: string, query: string, secret: string) => Promise<{ statusCode: number; body: string }>;
  beforeAll(async () => {
    t = await startTenancyStack({ servers: 1 });
    await t.tenant('alpha', 'alpha-secret');
    const handler = handle(createApp(t.stack.deps, { rawQuery: lambdaRawQuery }));
    invoke = async (host, call, query, secret) => (await handler(event(host, call, signQuery(call, query, secret)) as never, {} as never)) as { statusCode: number; body: string };
  });
  afterAll(() => t.close());

  it("the event's host names the tenant; its secret is the one accepted", async () => {
    const ok = await invoke(hostOf('alpha'), 'create', 'meetingID=lambda-1', 'alpha-secret');
    expect(xmlValue(ok.body, 'returncode')).toBe('SUCCESS');
    expect((await t.stack.deps.store.meetings.listByTenant((await t.stack.deps.registry.tenantByName('alpha'))!.id, Date.now())).map((m) => m.meetingID)).toEqual(['lambda-1']);
    expect(xmlValue((await invoke(hostOf('beta'), 'getMeetings', '', 'alpha-secret')).body, 'messageKey')).toBe('checksumError');
    expect(xmlValue((await invoke('abc123xyz.execute-api.eu-central-1.amazonaws.com', 'getMeetings', '', 'alpha-secret')).body, 'messageKey')).toBe('checksumError');
  });
});
