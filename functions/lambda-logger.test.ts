import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLambdaLogger, LAMBDA_SERVICES, withInvocationLogging } from './lambda-logger.js';

/** Lines Powertools prints (its own Console on process.stdout and process.stderr) while the test runs. */
function capture() {
  const chunks: string[] = [];
  const grab = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  return () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
}
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'scalelite-poller', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:1:function:p', memoryLimitInMB: '1024' });

describe('createLambdaLogger', () => {
  it('prints one JSON line per call with level, message, timestamp, service and our fields', () => {
    const lines = capture();
    const log = createLambdaLogger({ service: LAMBDA_SERVICES.importer, level: 'info' });
    log.info('upload handled', { key: 'uploads/a.tar', formats: ['presentation'] });
    log.error('import failed', { key: 'uploads/b.tar', error: 'broken tar' });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'upload handled', service: 'scalelite-importer', key: 'uploads/a.tar', formats: ['presentation'], timestamp: expect.any(String) }),
      expect.objectContaining({ level: 'ERROR', message: 'import failed', service: 'scalelite-importer', error: 'broken tar' }),
    ]);
  });

  it('honours the level: warn drops info, silent prints nothing', () => {
    const lines = capture();
    const warn = createLambdaLogger({ service: 's', level: 'warn' });
    warn.info('not shown');
    warn.warn('shown');
    const silent = createLambdaLogger({ service: 's', level: 'silent' });
    silent.info('no');
    silent.warn('no');
    silent.error('no');
    expect(lines().map((l) => l.message)).toEqual(['shown']);
  });

  it('renames a field named like one of Powertools’ own keys instead of dropping it', () => {
    const lines = capture();
    createLambdaLogger({ service: 's', level: 'info' }).info('x', { level: 3, message: 'm', other: 1 });
    expect(lines()).toEqual([expect.objectContaining({ level: 'INFO', message: 'x', field_level: 3, field_message: 'm', other: 1 })]);
  });
});

describe('withInvocationLogging', () => {
  it('adds the Lambda context to the lines of each invocation: cold start on the first only, each its own request id', async () => {
    const lines = capture();
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand'); // what Lambda sets (provisioned concurrency: never a cold start)
    const log = createLambdaLogger({ service: LAMBDA_SERVICES.poller, level: 'info' });
    const handler = withInvocationLogging(log, async (event: { n: number }) => {
      log.info('cycle', { n: event.n });
      return event.n;
    });
    expect(await handler({ n: 1 }, context('aws-1'))).toBe(1);
    expect(await handler({ n: 2 }, context('aws-2'))).toBe(2);
    expect(lines().map((l) => [l.n, l.function_request_id, l.cold_start, l.function_name])).toEqual([
      [1, 'aws-1', true, 'scalelite-poller'],
      [2, 'aws-2', false, 'scalelite-poller'],
    ]);
  });

  it('removes the invocation’s keys when it throws', async () => {
    const lines = capture();
    const log = createLambdaLogger({ service: 's', level: 'info' });
    await expect(log.invocation(context('aws-3'), { correlation_id: 'c-1' }, async () => {
      log.warn('inside');
      throw new Error('failed invocation');
    })).rejects.toThrow('failed invocation');
    log.info('after');
    const [inside, after] = lines();
    expect(inside).toMatchObject({ message: 'inside', correlation_id: 'c-1' });
    expect(after.message).toBe('after');
    expect(after.correlation_id).toBeUndefined();
  });
});
