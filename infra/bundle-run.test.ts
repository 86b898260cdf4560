/**
 * The bundle-and-run check (issue 13): every function is bundled as the stack deploys it
 * (infra/bundling.ts `bundleLambda`: the AWS SDK inside, code-split), and the built `index.mjs` is imported
 * and invoked in a fresh `node` with Lambda's Node options, against a local stack (dynalite, the embedded
 * S3, a fake BBB server) — the API with a payload-2.0 event, the poller with a scheduled event, the importer
 * with an S3 event (its S3 chunk is then loaded and used), the admin function with a task. Afterwards
 * every chunk of the bundle must import too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION } from '../cli/embedded-s3.js';
import { ADMIN_CONTRACT_VERSION } from '../shared/admin/admin-contract.js';
import { LB_SECRET, signQuery, startTestStack, type TestStack } from '../test/helpers/test-stack.js';
import { BUNDLE_CHUNK_DIR, BUNDLE_ENTRY_FILE, bundleLambda, LAMBDA_ENTRIES, LAMBDA_NODE_FLAGS, type LambdaEntry } from './bundling.js';

const run = promisify(execFile);
const OUT = mkdtempSync(join(tmpdir(), 'scalelite-bundles-'));
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ servers: 1 });
  for (const entry of Object.keys(LAMBDA_ENTRIES) as LambdaEntry[]) bundleLambda(entry, true, join(OUT, entry));
}, 120_000);
afterAll(async () => {
  await t?.close();
  rmSync(OUT, { recursive: true, force: true });
});

/** Imports the function's bundle in a fresh node, calls `handler(event, context)`, then imports every chunk; the handler's answer. */
async function invoke(entry: LambdaEntry, event: unknown, remainingMs = 60_000): Promise<unknown> {
  const dir = join(OUT, entry);
  const chunks = readdirSync(join(dir, BUNDLE_CHUNK_DIR)).map((f) => pathToFileURL(join(dir, BUNDLE_CHUNK_DIR, f)).href);
  const script = [
    `const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, BUNDLE_ENTRY_FILE)).href)});`,
    `const deadline = Date.now() + ${remainingMs};`,
    `const answer = await handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-run', getRemainingTimeInMillis: () => deadline - Date.now() });`,
    `for (const chunk of ${JSON.stringify(chunks)}) await import(chunk);`,
    "process.stdout.write('\\n' + JSON.stringify(answer ?? null));",
  ].join('\n');
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: EMBEDDED_S3_REGION,
    AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: `scalelite-${entry}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint,
    DYNAMODB_TABLE: t.stack.config.dynamodbTable,
    S3_ENDPOINT: t.stack.s3Endpoint,
    S3_BUCKET_NAME: t.stack.config.s3Bucket,
    LOADBALANCER_SECRET: LB_SECRET,
    URL_HOST: 'sl.example.com',
    LOG_LEVEL: 'silent',
  };
  const { stdout } = await run(process.execPath, [...LAMBDA_NODE_FLAGS, '--input-type=module', '-e', script], { env, cwd: OUT });
  // the handler's answer is the last line; before it, what the function wrote itself (EMF documents, logs)
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  emitted = lines.slice(0, -1);
  return JSON.parse(lines.at(-1) ?? 'null');
}

/** The lines the last invocation wrote before its answer (its EMF metric documents, as CloudWatch reads them). */
let emitted: string[] = [];
const emfMetricNames = () =>
  emitted.flatMap((l) => {
    const doc = JSON.parse(l) as { _aws?: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> } };
    return doc._aws ? doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)) : [];
  });

describe('the deployed bundles run under Lambda’s Node options', () => {
  it('API: a payload-2.0 getMeetings answers SUCCESS', async () => {
    const query = signQuery('getMeetings', '');
    const answer = (await invoke('api', {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/bigbluebutton/api/getMeetings',
      rawQueryString: query,
      queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
      headers: { host: 'sl.example.com', 'user-agent': 'bundle-run', 'x-forwarded-proto': 'https' },
      requestContext: {
        accountId: '123456789012',
        apiId: 'abc123',
        domainName: 'sl.example.com',
        domainPrefix: 'sl',
        http: { method: 'GET', path: '/bigbluebutton/api/getMeetings', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bundle-run' },
        requestId: 'bundle-run',
        routeKey: '$default',
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    })) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('<returncode>SUCCESS</returncode>');
    expect(emfMetricNames()).toEqual(expect.arrayContaining(['Requests', 'RequestLatency'])); // written as the invocation ended
  });

  it('poller: one cycle polls the server', async () => {
    // a window that ends 1.5 s from now: one cycle, at the event's time
    const answer = (await invoke('poller', { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString() }, 4_500)) as { cycles: number; failures: number };
    expect(answer).toMatchObject({ cycles: 1, failures: 0 });
    expect(emfMetricNames()).toEqual(expect.arrayContaining(['PollCycleDuration', 'ServersOnline', 'BbbCalls']));
  });

  it('importer: an S3 event for an upload that is gone reads the bucket through the S3 chunk', async () => {
    const key = 'uploads/bbb-1/0123456789abcdef0123456789abcdef01234567-1700000000000/gone.tar';
    const answer = await invoke('importer', {
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: t.stack.config.s3Bucket }, object: { key } } }],
    });
    expect(JSON.stringify(answer)).toContain(key);
  });

  it('admin: runs a task (servers) and answers contract version 1', async () => {
    const answer = (await invoke('admin', { v: ADMIN_CONTRACT_VERSION, task: 'servers', args: {} })) as { v: number; exitCode: number; stdout: string };
    expect(answer).toMatchObject({ v: ADMIN_CONTRACT_VERSION, exitCode: 0 });
    expect(answer.stdout).toContain('bbb-1');
  });
});
