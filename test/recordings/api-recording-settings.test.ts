/**
 * The recording calls under their settings (reference §5.3–5.7, §7.3): RECORDING_DISABLED (Scalelite's
 * disabled variants), PROTECTED_RECORDINGS_ENABLED (`<protected>`), and a storage that fails during a delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../tenancy/tenancy-stack.js';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { rawRequest, startTestStack, xmlValue, type TestStack } from '../helpers/test-stack.js';
import { recording, seed } from './recording-fixtures.js';

const NO_RECORDINGS =
  '<response>\n  <returncode>SUCCESS</returncode>\n  <recordings>\n  </recordings>\n' +
  '  <messageKey>noRecordings</messageKey>\n  <message>There are not recordings for the meetings</message>\n</response>\n';

describe('RECORDING_DISABLED=true', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ env: { RECORDING_DISABLED: 'true' } });
  });
  afterAll(() => t.close());

  it('getRecordings answers no recordings without a checksum (GET and POST), even with recordings stored', async () => {
    const [r] = await seed(t.stack.deps, [recording({ meetingID: 'disabled-room' })]);
    for (const method of ['GET', 'POST']) {
      const res = await rawRequest(t.url, '/bigbluebutton/api/getRecordings', { method });
      expect(res.body, method).toBe(NO_RECORDINGS);
      assertStrictXml(res.body);
    }
    expect((await t.call('getRecordings', `meetingID=disabled-room`)).body).toBe(NO_RECORDINGS);
    expect((await t.stack.deps.store.recordings.get(r.recordID))!.state).toBe('published');
  });

  it('the write calls answer notFound without a checksum and change nothing', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    const calls: [string, string][] = [
      ['publishRecordings', 'GET'],
      ['updateRecordings', 'GET'],
      ['updateRecordings', 'POST'],
      ['deleteRecordings', 'GET'],
    ];
    for (const [call, method] of calls) {
      const res = await rawRequest(t.url, `/bigbluebutton/api/${call}?recordID=${r.recordID}&publish=false&meta_x=y`, { method });
      assertStrictXml(res.body);
      expect(['returncode', 'messageKey', 'message'].map((n) => xmlValue(res.body, n)), `${method} ${call}`).toEqual(['FAILED', 'notFound', 'We could not find recordings']);
    }
    // publishRecordings and deleteRecordings stay GET only
    expect(xmlValue((await rawRequest(t.url, '/bigbluebutton/api/deleteRecordings', { method: 'POST' })).body, 'messageKey')).toBe('unsupportedRequest');
    expect(await t.stack.deps.store.recordings.get(r.recordID)).toMatchObject({ state: 'published', published: true, version: 1 });
  });
});

describe('PROTECTED_RECORDINGS_ENABLED=true', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ env: { PROTECTED_RECORDINGS_ENABLED: 'true' } });
  });
  afterAll(() => t.close());

  it('<protected> follows <published>; a protected recording shows no thumbnails', async () => {
    const [open, guarded] = await seed(t.stack.deps, [recording({ meetingID: 'guard-room', startTime: 2000 }), recording({ meetingID: 'guard-room', protected: true, startTime: 1000 })]);
    const body = (await t.call('getRecordings', 'meetingID=guard-room')).body;
    assertStrictXml(body);
    const [first, second] = body.split('<recording>').slice(1);
    expect(first).toContain(`<recordID>${open.recordID}</recordID>`);
    expect(first).toContain('<published>true</published>\n      <protected>false</protected>\n      <state>published</state>');
    expect(first).toContain('<preview>');
    expect(second).toContain(`<recordID>${guarded.recordID}</recordID>`);
    expect(second).toContain('<published>true</published>\n      <protected>true</protected>\n      <state>published</state>');
    expect(second).not.toContain('<preview>');
  });
});

describe('a storage that fails', () => {
  let t: TestStack;
  const log = memoryLog();
  beforeAll(async () => {
    // nothing listens on the discard port: every S3 call is refused
    t = await startTestStack({ log, env: { S3_ENDPOINT: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' } });
  });
  afterAll(() => t.close());

  it('deleteRecordings answers internalError "Unable to delete recording." and leaves the recording as it was', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    const res = await t.call('deleteRecordings', `recordID=${r.recordID}`);
    assertStrictXml(res.body);
    expect(['returncode', 'messageKey', 'message'].map((n) => xmlValue(res.body, n))).toEqual(['FAILED', 'internalError', 'Unable to delete recording.']);
    const after = (await t.stack.deps.store.recordings.get(r.recordID))!;
    expect(after).toMatchObject({ state: 'published', version: 1 });
    expect(Object.keys(after.formats).sort()).toEqual(['podcast', 'presentation']);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'deleteRecordings failed' && l.fields?.recordID === r.recordID)).toBe(true);
  });
});
