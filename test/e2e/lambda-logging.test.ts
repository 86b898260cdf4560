/**
 * The API function's logs on Lambda (functions/api/api-handler.ts + functions/lambda-logger.ts): API
 * Gateway HTTP API (payload v2) events through `createApiHandler` with a Powertools logger as the deps' log,
 * against a local stack and a fake BBB. What Powertools prints (its own Console on process.stdout/stderr)
 * is captured and parsed: the request id of the event must be on every line logged during its invocation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHandler } from '../../functions/api/api-handler.js';
import { createLambdaLogger, LAMBDA_SERVICES, type LambdaLogger } from '../../functions/lambda-logger.js';
import { injectDynamoFaults } from '../helpers/dynamo-faults.js';
import { LB_SECRET, signQuery, startTestStack, type TestStack } from '../helpers/test-stack.js';

interface V2Result {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** A GET of the BBB API as API Gateway (HTTP API, payload 2.0) delivers it. */
function v2Event(call: string, query: string, requestId: string) {
  const rawQueryString = signQuery(call, query);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: `/bigbluebutton/api/${call}`,
    rawQueryString,
    headers: { accept: '*/*', host: 'abc123xyz.execute-api.eu-central-1.amazonaws.com', 'user-agent': 'Greenlight/3.0', 'x-forwarded-proto': 'https' },
    queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123xyz',
      domainName: 'abc123xyz.execute-api.eu-central-1.amazonaws.com',
      domainPrefix: 'abc123xyz',
      http: { method: 'GET', path: `/bigbluebutton/api/${call}`, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Greenlight/3.0' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

const lambdaContext = (awsRequestId: string) => ({
  functionName: 'scalelite-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:scalelite-api',
  memoryLimitInMB: '512',
  awsRequestId,
  getRemainingTimeInMillis: () => 30_000,
});

type Line = Record<string, unknown> & { level: string; message: string; service: string };

/** What Powertools writes to stdout and stderr while `run` runs, as parsed JSON lines. */
async function captured(run: () => Promise<unknown>): Promise<{ lines: Line[]; raw: string }> {
  const chunks: string[] = [];
  const grab = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const raw = chunks.join('');
  const lines = raw
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.service === LAMBDA_SERVICES.api);
  return { lines, raw };
}

let t: TestStack;
let log: LambdaLogger;
let handler: ReturnType<typeof createApiHandler>;
const invoke = async (call: string, query: string, apiRequestId: string, awsRequestId: string = randomUUID()) =>
  (await handler(v2Event(call, query, apiRequestId), lambdaContext(awsRequestId))) as V2Result;

beforeAll(async () => {
  log = createLambdaLogger({ service: LAMBDA_SERVICES.api, level: 'info' });
  // the set-up's lines (start-up, first poll, the create) are not this test's
  await captured(async () => {
    t = await startTestStack({ servers: 1, log });
    const created = await t.call('create', 'meetingID=lg-1&moderatorPW=mp-secret-77&attendeePW=ap');
    expect(created.body).toContain('<returncode>SUCCESS</returncode>');
    handler = createApiHandler(t.stack.deps, log);
  });
});
afterAll(() => t.close());

describe('the API function’s log lines (Powertools)', () => {
  it('carry API Gateway’s request id on every line of the request — the use case’s warning and the request line — and the Lambda context', async () => {
    const apiRequestId = `apigw-${randomUUID()}`;
    const awsRequestId = `lambda-${randomUUID()}`;
    t.fakes[0].failNext(1, 'reset', 'getMeetingInfo');
    t.fakes[0].failNext(1, 'reset', 'getMeetingInfo'); // the one retry on a fresh connection fails too
    const { lines, raw } = await captured(() => invoke('getMeetingInfo', 'meetingID=lg-1', apiRequestId, awsRequestId));
    const warning = lines.find((l) => l.message === 'bbb call failed');
    const request = lines.find((l) => l.message === 'request');
    expect(warning).toMatchObject({ level: 'WARN', server: 'bbb-1', call: 'getMeetingInfo' });
    expect(request).toMatchObject({ level: 'INFO', call: 'getMeetingInfo', reqId: apiRequestId });
    expect(request?.outcome).not.toBe('SUCCESS');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatchObject({ correlation_id: apiRequestId, function_request_id: awsRequestId, function_name: 'scalelite-api', service: 'scalelite-api' });
      expect(typeof line.timestamp).toBe('string');
      expect(typeof line.cold_start).toBe('boolean');
    }
    for (const secret of [LB_SECRET, t.fakes[0].secret, 'mp-secret-77']) expect(raw).not.toContain(secret);
  });

  it('an unexpected error: the error line and the client’s internalError message name the same request id', async () => {
    const apiRequestId = `apigw-${randomUUID()}`;
    const remove = injectDynamoFaults(t.stack.db, (call) => (call.pk === 'MEETING#lg-boom' ? { fail: new Error('disk on fire') } : undefined));
    try {
      const { lines } = await captured(async () => {
        const answer = await invoke('getMeetingInfo', 'meetingID=lg-boom', apiRequestId);
        expect(answer.body).toContain('<messageKey>internalError</messageKey>');
        expect(answer.body).toContain(`request id ${apiRequestId}`);
      });
      const error = lines.find((l) => l.message === 'unhandled error');
      expect(error).toMatchObject({ level: 'ERROR', reqId: apiRequestId, correlation_id: apiRequestId });
      expect(lines.find((l) => l.message === 'request')).toMatchObject({ outcome: 'internalError', reqId: apiRequestId, correlation_id: apiRequestId });
    } finally {
      remove();
    }
  });

  it('keeps each invocation’s ids to its own lines: nothing carries over to the next invocation or past its end', async () => {
    const first = `apigw-${randomUUID()}`;
    const second = `apigw-${randomUUID()}`;
    const { lines } = await captured(async () => {
      await invoke('isMeetingRunning', 'meetingID=lg-1', first, 'aws-1');
      await invoke('isMeetingRunning', 'meetingID=lg-1', second, 'aws-2');
      log.info('between invocations');
    });
    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.map((l) => [l.reqId, l.correlation_id, l.function_request_id])).toEqual([
      [first, first, 'aws-1'],
      [second, second, 'aws-2'],
    ]);
    expect(requests.every((l) => l.cold_start === false)).toBe(true); // not this logger's first invocation
    expect(lines.find((l) => l.message === 'between invocations')?.correlation_id).toBeUndefined();
  });
});
