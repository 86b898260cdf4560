/**
 * The poller, importer and admin functions wrapped with `withInvocationLogging` (functions/lambda-logger.ts),
 * as their handler.ts files wire them: real handlers, real events, the deps of a local stack. Every line an
 * invocation logs carries its Lambda request id and the function's service name.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../test/helpers/test-stack.js';
import { createAdminHandler, logInvocation } from './admin/admin-handler.js';
import { createImporterHandler } from './importer/importer-handler.js';
import { createLambdaLogger, LAMBDA_SERVICES, withInvocationLogging } from './lambda-logger.js';
import { createPollerHandler } from './poller/poller-handler.js';

type Line = Record<string, unknown>;

function capture(): () => Line[] {
  const chunks: string[] = [];
  const grab = (chunk: unknown) => chunks.push(String(chunk)) > 0;
  vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  return () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
}

const context = (fn: string, awsRequestId: string) => ({
  awsRequestId,
  functionName: fn,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-central-1:123456789012:function:${fn}`,
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 60_000,
});

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ servers: 1 });
});
afterAll(() => t.close());
afterEach(() => vi.restoreAllMocks());

describe('invocation logging of the poller, importer and admin functions', () => {
  it('poller: a late scheduled event’s warning carries the invocation’s request id', async () => {
    const lines = capture();
    const log = createLambdaLogger({ service: LAMBDA_SERVICES.poller, level: 'info' });
    const handler = withInvocationLogging(log, createPollerHandler(() => ({ ...t.stack.deps, log })));
    const late = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') };
    const result = await handler(late, context('scalelite-poller', 'poll-req-1'));
    expect(result.cycles).toBe(0);
    const got = lines();
    expect(got.find((l) => String(l.message).startsWith('poller: the event arrived after its window'))).toBeDefined();
    for (const l of got) expect(l).toMatchObject({ service: 'scalelite-poller', function_request_id: 'poll-req-1', function_name: 'scalelite-poller' });
  });

  it('importer: each record’s line carries the invocation’s request id', async () => {
    const lines = capture();
    const log = createLambdaLogger({ service: LAMBDA_SERVICES.importer, level: 'info' });
    const handler = withInvocationLogging(log, createImporterHandler(() => ({ ...t.stack.deps, log })));
    const event = {
      Records: [
        { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: t.stack.config.s3Bucket }, object: { key: 'recordings/not-an-upload.txt', size: 3 } } },
        { eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: t.stack.config.s3Bucket }, object: { key: 'uploads/x.tar' } } },
      ],
    };
    const result = await handler(event, context('scalelite-importer', 'import-req-7'));
    expect(result.ignored).toHaveLength(2);
    const got = lines().filter((l) => l.message === 'importer: record ignored');
    expect(got).toHaveLength(2);
    for (const l of got) expect(l).toMatchObject({ level: 'WARN', service: 'scalelite-importer', function_request_id: 'import-req-7' });
  });

  it('admin: the invocation’s line carries its request id, never the arguments', async () => {
    const lines = capture();
    const log = createLambdaLogger({ service: LAMBDA_SERVICES.admin, level: 'info' });
    const run = createAdminHandler(() => ({ ...t.stack.deps, log }), []);
    const handler = withInvocationLogging(log, async (payload: unknown) => {
      const answer = await run(payload);
      logInvocation(log, payload, answer, 1);
      return answer;
    });
    const answer = await handler({ v: 1, task: 'servers:add', args: { secret: 'admin-arg-secret-99' } }, context('scalelite-admin', 'admin-req-3'));
    expect('error' in answer && answer.error.code).toBe('unknownTask');
    const got = lines();
    expect(got).toEqual([expect.objectContaining({ level: 'WARN', message: 'admin request refused', task: 'servers:add', service: 'scalelite-admin', function_request_id: 'admin-req-3' })]);
    expect(JSON.stringify(got)).not.toContain('admin-arg-secret-99');
  });
});
