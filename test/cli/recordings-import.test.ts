/**
 * `slctl recordings:import FILE.tar…` and `slctl recordings:import-published DIR`, run as the real binary
 * against a local stack (dynalite + its embedded S3): the importer's path for operators, the migration of a
 * published tree with its re-run, and the recording-ready callback of an imported tar (once per file).
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFileKey, recordingPrefix } from '../../shared/storage/storage-keys.js';
import { startReadyReceiver, verifiedToken, type ReadyReceiver } from '../recordings/recording-ready-receiver.js';
import { bbbRecording, bytes, tarBuffer, withFile, type BbbRecording, type TarFile } from '../recordings/tar-fixtures.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

const f = useSlctlFixture('slctl-recordings-import');
/** tests that run the CLI several times */
const MULTI_SPAWN_TIMEOUT = 4 * SPAWN_TIMEOUT;
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'slctl-import-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The CLI against the fixture's table and its embedded S3 (by env, or by flags when `flags`). */
const slctl = (args: string[], env: Record<string, string> = {}, flags = false) =>
  f.slctl(flags ? [...args, '--s3-endpoint', f.stack.s3Endpoint, '--bucket', f.stack.config.s3Bucket] : args, {
    env: flags ? env : { S3_ENDPOINT: f.stack.s3Endpoint, ...env },
    timeoutMs: SPAWN_TIMEOUT,
  });

let n = 0;
const unique = (name: string) => `${name}-${++n}`;

async function writeTar(name: string, files: TarFile[]): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await tarBuffer(files));
  return path;
}

/** Writes the files as a published tree `DIR/<format>/<record_id>/…`. */
function writeTree(dir: string, files: TarFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), file.body);
  }
}

async function object(key: string): Promise<Buffer | undefined> {
  const o = await f.stack.storage.get(key);
  if (!o) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of o.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function keys(recordID: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of f.stack.storage.list(recordingPrefix(recordID))) out.push(o.key);
  return out.sort();
}

const fileKey = (rec: BbbRecording, name: string) => {
  const [format, , ...rest] = name.split('/');
  return recordingFileKey(rec.recordID, format, rest.join('/'));
};

/** Every file of the recording is in the bucket, byte for byte, and nothing else. */
async function expectStored(rec: BbbRecording, files: TarFile[] = rec.files): Promise<void> {
  expect(await keys(rec.recordID)).toEqual(files.map((x) => fileKey(rec, x.name)).sort());
  for (const file of files) expect((await object(fileKey(rec, file.name)))?.equals(file.body), file.name).toBe(true);
}

describe('slctl recordings:import FILE.tar…', () => {
  it('imports a BBB tar (three formats, UTF-8 names) into the table and the bucket given by --s3-endpoint/--bucket', async () => {
    const rec = bbbRecording({ meetingID: unique('cli-import') });
    const file = await writeTar('one.tar', rec.files);
    const r = await slctl(['recordings:import', file], {}, true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: imported ${rec.recordID} \\(podcast, presentation, video; ${rec.files.length} files, [0-9.]+ KiB\\)\\n$`));
    const stored = await f.stack.deps.store.recordings.get(rec.recordID);
    expect(stored).toMatchObject({ recordID: rec.recordID, meetingID: rec.meetingID, published: true });
    expect(Object.keys(stored!.formats).sort()).toEqual(['podcast', 'presentation', 'video']);
    await expectStored(rec);
  });

  it('goes on after a file that fails, prints a line per file and exits 1', async () => {
    const good = bbbRecording({ meetingID: unique('cli-good'), formats: ['podcast'] });
    const goodFile = await writeTar('good.tar', good.files);
    const notTar = join(work, 'not-a.tar');
    writeFileSync(notTar, bytes('not a tar', 5000));
    const broken = bbbRecording({ meetingID: unique('cli-broken'), formats: ['podcast', 'video'] });
    const brokenFile = await writeTar('broken-video.tar', withFile(broken.files, `video/${broken.recordID}/metadata.xml`, '<recording><id>x'));
    const missing = join(work, 'missing.tar');

    const r = await slctl(['recordings:import', notTar, goodFile, brokenFile, missing]);
    expect(r.code).toBe(1);
    const kib = (good.files.reduce((sum, x) => sum + x.body.length, 0) / 1024).toFixed(1);
    expect(r.stdout).toBe(`${goodFile}: imported ${good.recordID} (podcast; 2 files, ${kib} KiB)\n`);
    const errors = r.stderr.trimEnd().split('\n');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(new RegExp(`^${notTar}: not imported \\(unreadable\\): `));
    expect(errors[1]).toMatch(new RegExp(`^${brokenFile}: partly imported ${broken.recordID} \\(podcast; 4 files, .*\\); not imported: video \\(`));
    expect(errors[2]).toMatch(new RegExp(`^${missing}: not imported: ENOENT`));
    expect(errors[3]).toBe('3 of 4 files not imported completely');
    expect(await f.stack.deps.store.recordings.get(good.recordID)).toBeDefined();
    expect(Object.keys((await f.stack.deps.store.recordings.get(broken.recordID))!.formats)).toEqual(['podcast']);
  });

  it('refuses to run with RECORDING_DISABLED=true', async () => {
    const rec = bbbRecording({ meetingID: unique('cli-disabled'), formats: ['podcast'] });
    const file = await writeTar('disabled.tar', rec.files);
    const r = await slctl(['recordings:import', file], { RECORDING_DISABLED: 'true' });
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'ERROR: recordings are disabled (RECORDING_DISABLED=true): nothing imported\n']);
    expect(await f.stack.deps.store.recordings.get(rec.recordID)).toBeUndefined();
  });

  describe('recording-ready callback', () => {
    let rx: ReadyReceiver;
    beforeAll(async () => {
      rx = await startReadyReceiver();
    });
    afterAll(async () => {
      await rx?.close();
    });

    it('announces an imported tar to the URL its meeting was created with, once per file version', async () => {
      const meetingID = unique('cli-ready');
      const now = Date.now();
      // what a create with meta_bbb-recording-ready-url leaves behind
      expect(
        await f.stack.deps.store.meetings.reserveVoiceBridge('71234', { meetingID, serverId: 'bbb-x', moderatorPW: 'mp', voiceBridge: '71234', createdAt: now, expiresAt: Math.floor(now / 1000) + 3600, recordingReadyUrl: rx.url }, now),
      ).toBe(true);
      const rec = bbbRecording({ meetingID, formats: ['podcast'] });
      const file = await writeTar('ready.tar', rec.files);
      const env = { ALLOW_PRIVATE_CALLBACK_URLS: 'true', LOADBALANCER_SECRET: 'cli-lb-secret' };

      const first = await slctl(['recordings:import', file], env);
      expect([first.code, first.stderr]).toEqual([0, '']);
      expect(rx.posts).toHaveLength(1);
      expect(await verifiedToken(rx.posts[0].token, 'cli-lb-secret', 'HS256')).toEqual({ header: { alg: 'HS256' }, payload: { meeting_id: meetingID, record_id: rec.recordID } });

      // the same file again: imported again (idempotent), not announced again
      const again = await slctl(['recordings:import', file], env);
      expect([again.code, again.stdout]).toEqual([0, first.stdout]);
      expect(rx.posts).toHaveLength(1);

      // a new version of the file is a new import
      utimesSync(file, new Date(), new Date(Date.now() + 60_000));
      expect((await slctl(['recordings:import', file], env)).code).toBe(0);
      expect(rx.posts).toHaveLength(2);
    }, MULTI_SPAWN_TIMEOUT);
  });
});

describe('slctl recordings:import-published DIR', () => {
  it('migrates a published tree with a summary, skips what is already there on a re-run, and re-imports what changed', async () => {
    const dir = join(work, 'published');
    const a = bbbRecording({ meetingID: unique('tree-a') });
    const b = bbbRecording({ meetingID: unique('tree-b'), formats: ['presentation', 'podcast'] });
    const bad = bbbRecording({ meetingID: unique('tree-bad'), formats: ['podcast'] });
    writeTree(dir, [...a.files, ...b.files, ...withFile(bad.files, `podcast/${bad.recordID}/metadata.xml`, 'not xml')]);

    const first = await slctl(['recordings:import-published', dir]);
    expect(first.code).toBe(1);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.startsWith(a.recordID))).toMatch(new RegExp(`^${a.recordID}: imported ${a.recordID} \\(podcast, presentation, video; ${a.files.length} files, `));
    expect(lines.find((l) => l.startsWith(b.recordID))).toMatch(new RegExp(`^${b.recordID}: imported ${b.recordID} \\(podcast, presentation; ${b.files.length} files, `));
    expect(lines[2]).toBe('Imported: 2, skipped: 0, failed: 1');
    expect(first.stderr).toMatch(new RegExp(`^${bad.recordID}: not imported \\(no-format\\): .*\\n1 of 3 recordings not imported completely\\n$`));
    expect(first.stderr).not.toContain('\x1b[K'); // no progress line when stderr is not a terminal
    await expectStored(a);
    await expectStored(b);
    expect(await f.stack.deps.store.recordings.get(bad.recordID)).toBeUndefined();

    // a re-run changes nothing: both are skipped, the broken one fails again
    const again = await slctl(['recordings:import-published', dir]);
    expect(again.code).toBe(1);
    expect(again.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [`${a.recordID}: skipped (already imported with the same files)`, `${b.recordID}: skipped (already imported with the same files)`, 'Imported: 0, skipped: 2, failed: 1'].sort(),
    );
    const versionOfA = (await f.stack.deps.store.recordings.get(a.recordID))!.version;

    // a file of b changed on disk (another size): b is imported again, a is left alone
    const slide = b.files.find((x) => x.name.endsWith('slide-1.png'))!;
    const changed = withFile(b.files, slide.name, bytes('new slide', 12_345));
    writeTree(dir, changed);
    const third = await slctl(['recordings:import-published', dir]);
    expect(third.stdout).toContain(`${b.recordID}: imported ${b.recordID}`);
    expect(third.stdout).toContain(`${a.recordID}: skipped (already imported with the same files)`);
    expect(third.stdout).toContain('Imported: 1, skipped: 1, failed: 1');
    await expectStored(b, changed);
    expect((await f.stack.deps.store.recordings.get(a.recordID))!.version).toBe(versionOfA);
  }, MULTI_SPAWN_TIMEOUT);

  it('skips a recording deleted since it was imported, unless --force', async () => {
    const dir = join(work, 'published-deleted');
    const rec = bbbRecording({ meetingID: unique('tree-deleted'), formats: ['podcast'] });
    writeTree(dir, rec.files);
    expect((await slctl(['recordings:import-published', dir])).stdout).toContain('Imported: 1, skipped: 0, failed: 0');
    await f.stack.deps.store.recordings.update(rec.recordID, (r) => r && { ...r, state: 'deleted', metadata: {} });

    const rerun = await slctl(['recordings:import-published', dir]);
    expect([rerun.code, rerun.stderr]).toEqual([0, '']);
    expect(rerun.stdout).toBe(`${rec.recordID}: skipped (deleted since it was imported; --force imports it again)\nImported: 0, skipped: 1, failed: 0\n`);
    expect((await f.stack.deps.store.recordings.get(rec.recordID))!.state).toBe('deleted');

    const forced = await slctl(['recordings:import-published', dir, '--force']);
    expect(forced.stdout).toContain('Imported: 1, skipped: 0, failed: 0');
    expect((await f.stack.deps.store.recordings.get(rec.recordID))!.state).toBe('published');
  }, MULTI_SPAWN_TIMEOUT);

  it('says so when the directory holds no recordings, or cannot be read', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const r = await slctl(['recordings:import-published', empty]);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `ERROR: no recordings under ${empty} (expected ${empty}/<format>/<record_id>/metadata.xml)\n`]);
    const gone = await slctl(['recordings:import-published', join(work, 'no-such-dir')]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^ERROR: cannot read the directory .*no-such-dir/);
  }, MULTI_SPAWN_TIMEOUT);
});
