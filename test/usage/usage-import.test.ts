/**
 * What the recording importer adds to the usage ledger (issue 16 item 4): one recording and the bytes of its
 * formats, on the tenant-day of the import, once — however often an upload is imported again. Real parts:
 * tars in the embedded S3, importUpload into dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpload } from '../../shared/app/import-recording.js';
import { uploadKey } from '../../shared/storage/storage-keys.js';
import { injectDynamoFaults, throttled } from '../helpers/dynamo-faults.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { bbbRecording, tarBuffer, type TarFile } from '../recordings/tar-fixtures.js';

let t: TestStack;
let uploads = 0;
const errors: string[] = [];
const log = { info: () => {}, warn: () => {}, error: (msg: string) => void errors.push(msg) };
let now = Date.UTC(2026, 1, 10, 12, 0, 0);
const DAY = '2026-02-10';

beforeAll(async () => {
  t = await startTestStack({ autoImport: false, env: { MULTITENANCY_ENABLED: 'true' }, clock: () => now, log });
});
afterAll(async () => {
  await t?.close();
});

async function importFiles(recordID: string, files: TarFile[]) {
  const key = uploadKey('bbb-1', recordID, `u${++uploads}`);
  await t.stack.storage.put(key, await tarBuffer(files), { contentType: 'application/x-tar' });
  const report = await importUpload(t.stack.deps, key);
  expect(report).toMatchObject({ ok: true });
  return report;
}
const bytesOf = (files: TarFile[], format: string) => files.filter((f) => f.name.startsWith(`${format}/`)).reduce((n, f) => n + f.body.length, 0);
const ledger = async (tenant: string, day = DAY) => {
  const [d] = await t.stack.deps.store.usage.listTenant(tenant, day, day);
  return d && { recordings: d.recordings, recordingBytes: d.recordingBytes };
};

describe('usage ledger: recordings imported', () => {
  it("adds one recording and its formats' bytes to its tenant's day, once even when the same upload is imported again", async () => {
    const rec = bbbRecording({ meetingID: 'room', bbbMeetingId: 'ten-r~room', meta: { 'tenant-id': 'ten-r' }, formats: ['presentation', 'video'], slides: 2 });
    const bytes = bytesOf(rec.files, 'presentation') + bytesOf(rec.files, 'video');
    expect(bytes).toBeGreaterThan(300 * 1024);
    await importFiles(rec.recordID, rec.files);
    expect(await ledger('ten-r')).toEqual({ recordings: 1, recordingBytes: bytes });
    // the same tar uploaded again (a re-upload; the format is rebuilt in place): nothing more
    const again = await importFiles(rec.recordID, rec.files);
    expect(again.outcome).toBe('imported');
    // the same upload's event delivered again (the upload is gone: imported before)
    expect(await importUpload(t.stack.deps, again.source)).toMatchObject({ ok: true, outcome: 'already-imported' });
    expect(await ledger('ten-r')).toEqual({ recordings: 1, recordingBytes: bytes });
  });

  it('a format added by a later upload adds its bytes, not a recording; the day is the import’s', async () => {
    const spec = { meetingID: 'talk', bbbMeetingId: 'ten-q~talk', meta: { 'tenant-id': 'ten-q' } };
    const first = bbbRecording({ ...spec, formats: ['presentation'] });
    await importFiles(first.recordID, first.files);
    now += 86_400_000; // the next day
    const podcast = bbbRecording({ ...spec, formats: ['podcast'] });
    expect(podcast.recordID).toBe(first.recordID);
    await importFiles(podcast.recordID, podcast.files);
    expect(await ledger('ten-q')).toEqual({ recordings: 1, recordingBytes: bytesOf(first.files, 'presentation') });
    expect(await ledger('ten-q', '2026-02-11')).toEqual({ recordings: 0, recordingBytes: bytesOf(podcast.files, 'podcast') });
    now -= 86_400_000;
  });

  it('a recording of no tenant goes to `_`; a failed ledger write is logged and the import still succeeds', async () => {
    const rec = bbbRecording({ meetingID: 'plain-room', formats: ['podcast'] });
    await importFiles(rec.recordID, rec.files);
    expect(await ledger('_')).toEqual({ recordings: 1, recordingBytes: bytesOf(rec.files, 'podcast') });

    const failing = bbbRecording({ meetingID: 'other', bbbMeetingId: 'ten-z~other', meta: { 'tenant-id': 'ten-z' }, formats: ['podcast'] });
    const stop = injectDynamoFaults(t.stack.db, (call) => (call.pk === 'USAGE#ten-z' ? { fail: throttled() } : undefined));
    try {
      const report = await importFiles(failing.recordID, failing.files);
      expect(report).toMatchObject({ outcome: 'imported', uploadDeleted: true });
    } finally {
      stop();
    }
    expect(await ledger('ten-z')).toBeUndefined();
    expect(errors).toContain('usage ledger: recording not counted');
  });
});
