/**
 * The import's metrics (importUpload, shared/app/import-recording.ts) on the embedded S3 and dynalite:
 * RecordingsImported when an upload is filed, RecordingImportFailures when it stays for a retry, nothing
 * for an upload imported before (a redelivered event) or left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUpload } from '../../shared/app/import-recording.js';
import { silentLogger } from '../../shared/app/logger.js';
import { RecordingMetrics } from '../../shared/app/metrics.js';
import type { Deps } from '../../shared/app/deps.js';
import { assemble } from '../../shared/runtime/assemble.js';
import { uploadKey } from '../../shared/storage/storage-keys.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';
import { bbbRecording, tarBuffer } from './tar-fixtures.js';

let t: TestStack;
let deps: Deps;
const metrics = new RecordingMetrics();

beforeAll(async () => {
  t = await startTestStack({ autoImport: false });
  deps = assemble(t.stack.config, { db: t.stack.db, log: silentLogger, storage: t.stack.storage, metrics });
});
afterAll(() => t?.close());

const counts = () => ({ imported: metrics.total('RecordingsImported'), failures: metrics.total('RecordingImportFailures') });

describe('the import counts', () => {
  it('an upload filed: RecordingsImported; the same upload again (gone): nothing more', async () => {
    const rec = bbbRecording({ meetingID: 'import-metrics-1' });
    const key = uploadKey('bbb-1', rec.recordID, 'u-1');
    await t.stack.storage.put(key, await tarBuffer(rec.files), { contentType: 'application/x-tar' });
    metrics.samples.length = 0;
    expect((await importUpload(deps, key)).outcome).toBe('imported');
    expect(counts()).toEqual({ imported: 1, failures: 0 });
    expect((await importUpload(deps, key)).outcome).toBe('already-imported');
    expect(counts()).toEqual({ imported: 1, failures: 0 });
  });

  it('an upload that cannot be read: RecordingImportFailures (one per attempt); a key that is no upload: nothing', async () => {
    const key = uploadKey('bbb-1', 'f00d0000000000000000000000000000000000ba-1700000000000', 'u-2');
    await t.stack.storage.put(key, Buffer.from('not a tar '.repeat(100)), { contentType: 'application/x-tar' });
    metrics.samples.length = 0;
    expect((await importUpload(deps, key)).ok).toBe(false);
    expect((await importUpload(deps, key)).ok).toBe(false);
    expect(counts()).toEqual({ imported: 0, failures: 2 });
    expect((await importUpload(deps, 'recordings/x/presentation/metadata.xml')).outcome).toBe('refused');
    expect(counts()).toEqual({ imported: 0, failures: 2 });
  });
});
