import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { Deps } from '../../shared/app/deps.js';
import type { ImportReport } from '../../shared/app/import-recording.js';
import { lazy } from '../lazy.js';
import { mapBounded } from '../../shared/app/map-bounded.js';
import { publishedTreeEntries } from '../../shared/app/published-tree.js';
import { parseEntryPath } from '../../shared/app/recording-entry-path.js';
import { formatPrefix, recordingFileKey } from '../../shared/storage/storage-keys.js';
import { CliError } from '../cli-error.js';
import { startActivity, startProgress } from '../progress.js';
import { say, warn } from '../stdio.js';
import { cliDeps, S3_TARGET_OPTIONS, type TargetFlags } from '../target.js';

// the importer (tar-stream, jose) is loaded by the import tasks only
const importRecording = () => import('../../shared/app/import-recording.js');
const importTarStream = lazy(importRecording, 'importTarStream');
const importPublishedDirectory = lazy(importRecording, 'importPublishedDirectory');
const listPublishedRecordings = lazy(importRecording, 'listPublishedRecordings');

/** The deps of an import task: the table and the bucket; refuses to run with RECORDING_DISABLED. */
async function importDeps(argv: TargetFlags): Promise<Deps> {
  const deps = await cliDeps(process.env, argv);
  if (deps.config.recordingDisabled) throw new CliError('ERROR: recordings are disabled (RECORDING_DISABLED=true): nothing imported', 1);
  return deps;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

const failedFormats = (r: ImportReport) => r.failedFormats.map((f) => `${f.format} (${f.error})`).join('; ');

/** The one line a report makes: `imported <id> (formats; files, bytes)`, `partly imported …`, or why nothing was. */
function describe(r: ImportReport): string {
  const what = `${r.recordID} (${r.formats.join(', ')}; ${r.files} files, ${size(r.bytes)})`;
  if (r.outcome === 'imported') return `imported ${what}`;
  if (r.outcome === 'partial') return `partly imported ${what}; not imported: ${failedFormats(r)}`;
  return `not imported (${r.outcome}): ${r.error ?? 'unknown error'}`;
}

// ------------------------------------------------------------------------------------------------ recordings:import

type ImportArgs = TargetFlags & { FILES?: string[] };

/**
 * `slctl recordings:import FILE.tar…`: each tar (`<format>/<record_id>/…`, what a BBB server uploads)
 * through the importer, streamed from disk (the file is left where it is), and announced to the meeting's
 * recording-ready URL once per file version (path, size, modification time). One line per file; exit 1
 * when any file was not imported completely.
 */
export const recordingsImportCommand: CommandModule<object, ImportArgs> = {
  command: 'recordings:import [FILES..]',
  describe: 'Import recordings from tar files (<format>/<record_id>/…, as BBB servers upload them)',
  builder: (y) =>
    y
      .positional('FILES', { type: 'string', array: true, describe: 'Tar files, one recording each' })
      .options(S3_TARGET_OPTIONS)
      .example('$0 recordings:import /var/bigbluebutton/recording-export/*.tar', '') as unknown as Argv<ImportArgs>,
  handler: async (argv) => {
    const files = (argv.FILES ?? []).map(String).filter((f) => f.trim() !== '');
    if (files.length === 0) throw new CliError('Error: name at least one tar file', 1);
    const deps = await importDeps(argv);
    let failed = 0;
    for (const file of files) {
      const progress = startActivity(`Importing ${file}`);
      let line: string;
      let ok = false;
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new Error('not a file');
        const report = await importTarStream(deps, createReadStream(file), { source: file, uploadKey: `file:${resolve(file)}:${info.size}:${Math.floor(info.mtimeMs)}` });
        ok = report.outcome === 'imported';
        line = describe(report);
      } catch (e) {
        line = `not imported: ${message(e)}`;
      } finally {
        progress.done();
      }
      if (ok) say(`${file}: ${line}`);
      else {
        failed++;
        warn(`${file}: ${line}`);
      }
    }
    if (failed > 0) throw new CliError(`${failed} of ${files.length} file${files.length === 1 ? '' : 's'} not imported completely`, 1);
  },
};

// ------------------------------------------------------------------------------------------------ recordings:import-published

type PublishedArgs = TargetFlags & { DIR?: string; force?: boolean; parallel?: number };

type Skip = 'unchanged' | 'deleted';

/**
 * Why a recording of the tree needs no import: it is stored with every format the tree has and the bucket
 * holds exactly the tree's files of those formats, each with the same size (`unchanged`); or an admin
 * deleted it since (`deleted`: a re-run must not bring it back). Undefined: import it. One GetItem and
 * one listing per format.
 */
async function skipReason(deps: Deps, dir: string, recordID: string, formats: string[]): Promise<Skip | undefined> {
  const stored = await deps.store.recordings.get(recordID);
  if (!stored) return undefined;
  if (stored.state === 'deleted') return 'deleted';
  if (formats.some((f) => !Object.hasOwn(stored.formats, f))) return undefined;
  const inTree = new Map<string, number>();
  for await (const entry of publishedTreeEntries(dir, recordID)) {
    const where = parseEntryPath(entry.name);
    if (entry.type === 'file' && where.ok) inTree.set(recordingFileKey(recordID, where.format, where.path), entry.size);
  }
  let inBucket = 0;
  for (const format of formats) {
    for await (const o of deps.storage!.list(formatPrefix(recordID, format))) {
      if (inTree.get(o.key) !== o.size) return undefined;
      inBucket++;
    }
  }
  return inBucket === inTree.size ? 'unchanged' : undefined;
}

type Result = { kind: 'imported' | 'skipped' | 'failed'; line: string };

/**
 * `slctl recordings:import-published DIR`: migrates a Scalelite/BBB published tree
 * (`DIR/<format>/<record_id>/metadata.xml` + files; e.g. /var/bigbluebutton/published) into the bucket and
 * the table, `--parallel` recordings at a time, nothing on disk changed and no front-end called. Safe to
 * re-run: a recording already imported with the same files is skipped, and so is one deleted since
 * (`--force` imports every recording again). One line per recording, a summary, exit 1 when any failed.
 */
export const recordingsImportPublishedCommand: CommandModule<object, PublishedArgs> = {
  command: 'recordings:import-published [DIR]',
  describe: 'Migrate a published recordings tree (DIR/<format>/<record_id>/…); safe to re-run',
  builder: (y) =>
    y
      .positional('DIR', { type: 'string', describe: 'The published tree, e.g. /var/bigbluebutton/published or /mnt/scalelite-recordings/var/bigbluebutton/published' })
      .option('force', { type: 'boolean', default: false, describe: 'Import every recording again, also unchanged ones and ones deleted since' })
      .option('parallel', { type: 'number', default: 4, describe: 'Recordings imported at once' })
      .options(S3_TARGET_OPTIONS)
      .example('$0 recordings:import-published /var/bigbluebutton/published', '') as unknown as Argv<PublishedArgs>,
  handler: async (argv) => {
    const dir = argv.DIR?.trim();
    if (!dir) throw new CliError('Error: name the published directory (DIR/<format>/<record_id>/metadata.xml)', 1);
    const parallel = Number(argv.parallel ?? 4);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new CliError('Error: --parallel must be a whole number from 1 to 64', 1);
    const deps = await importDeps(argv);
    let recordings: { recordID: string; formats: string[] }[];
    try {
      recordings = await listPublishedRecordings(dir);
    } catch (e) {
      throw new CliError(`ERROR: ${message(e)}`, 1);
    }
    if (recordings.length === 0) throw new CliError(`ERROR: no recordings under ${dir} (expected ${dir}/<format>/<record_id>/metadata.xml)`, 1);

    const progress = startProgress('Importing recordings', recordings.length);
    const results = await mapBounded(recordings, parallel, async ({ recordID, formats }): Promise<Result> => {
      let result: Result;
      try {
        const skip = argv.force ? undefined : await skipReason(deps, dir, recordID, formats);
        if (skip === 'unchanged') result = { kind: 'skipped', line: `${recordID}: skipped (already imported with the same files)` };
        else if (skip === 'deleted') result = { kind: 'skipped', line: `${recordID}: skipped (deleted since it was imported; --force imports it again)` };
        else {
          const report = await importPublishedDirectory(deps, dir, recordID);
          result = { kind: report.outcome === 'imported' ? 'imported' : 'failed', line: `${recordID}: ${describe(report)}` };
        }
      } catch (e) {
        result = { kind: 'failed', line: `${recordID}: not imported: ${message(e)}` };
      }
      if (result.kind === 'failed') warn(result.line);
      else say(result.line);
      progress.tick();
      return result;
    });
    progress.done();
    const count = (kind: Result['kind']) => results.filter((r) => r.kind === kind).length;
    say(`Imported: ${count('imported')}, skipped: ${count('skipped')}, failed: ${count('failed')}`);
    if (count('failed') > 0) throw new CliError(`${count('failed')} of ${recordings.length} recordings not imported completely`, 1);
  },
};

export const recordingsImportCommands = [recordingsImportCommand, recordingsImportPublishedCommand];
