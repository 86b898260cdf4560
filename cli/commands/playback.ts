import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { mapBounded } from '../../shared/app/map-bounded.js';
import type { ObjectStorage } from '../../shared/app/object-storage.js';
import { contentTypeFor } from '../../shared/domain/content-type.js';
import { PART_SIZE } from '../../shared/storage/s3-storage.js';
import { PLAYER_PREFIX, playerFileKey } from '../../shared/storage/storage-keys.js';
import { CliError } from '../cli-error.js';
import { startProgress } from '../progress.js';
import { say, warn } from '../stdio.js';
import { cliDeps, S3_TARGET_OPTIONS, type TargetFlags } from '../target.js';

/** The version file bbb-playback's deploy script and BBB's package put beside index.html. */
export const PLAYER_VERSION_FILE = 'bbb-playback-version';

/** Cache-Control of the player's files: the page is checked every time, hashed bundles never change, the rest briefly. */
export const PLAYER_CACHE = {
  page: 'no-cache',
  hashed: 'public, max-age=31536000, immutable',
  other: 'public, max-age=300',
} as const;

/**
 * The Cache-Control of a player file (its path inside the build): `index.html` must be revalidated (it
 * names the bundles of this version); a file under `static/` whose name carries a content hash
 * (`main.3f2a1b9c.js`, `787.28cb0dcd.chunk.js`, `logo.5d5d9eef.svg`) never changes under its name; anything
 * else (config.json, manifest.json, locales, the version file) may change with the next install.
 */
export function playerCacheControl(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'index.html') return PLAYER_CACHE.page;
  if (path.startsWith('static/') && /\.[0-9a-f]{8,}\./i.test(name)) return PLAYER_CACHE.hashed;
  return PLAYER_CACHE.other;
}

interface PlayerFile {
  /** inside the build, `/`-separated */
  path: string;
  /** on disk */
  file: string;
  size: number;
}

/** Names that cannot be a clean key: control characters, backslashes. */
const UNSAFE_NAME = /[\u0000-\u001f\u007f\\]/;

/**
 * Every regular file under `root` (sorted by path). A symbolic link is followed only to a regular file
 * inside `root`; links to directories or outside are skipped with a warning, as are sockets, devices and
 * names no key should carry.
 */
async function playerFiles(root: string): Promise<{ files: PlayerFile[]; skipped: string[] }> {
  const realRoot = await realpath(root);
  const files: PlayerFile[] = [];
  const skipped: string[] = [];
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join('/');
      if (UNSAFE_NAME.test(entry.name)) {
        skipped.push(`${path} (a name with control characters or a backslash)`);
        continue;
      }
      const info = await lstat(full);
      if (info.isDirectory()) await walk(full);
      else if (info.isFile()) files.push({ path, file: full, size: info.size });
      else if (info.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        const targetInfo = target && inside(target) ? await stat(target) : undefined;
        if (targetInfo?.isFile()) files.push({ path, file: target!, size: targetInfo.size });
        else skipped.push(`${path} (a symbolic link ${target === undefined ? 'to nothing' : targetInfo ? 'to a directory' : 'leading outside the directory'})`);
      } else skipped.push(`${path} (not a regular file)`);
    }
  };
  await walk(root);
  return { files, skipped };
}

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The player's version from its version file (`5.1.1`), if the build has one. */
async function playerVersion(files: PlayerFile[]): Promise<string | undefined> {
  const file = files.find((f) => f.path === PLAYER_VERSION_FILE);
  if (!file || file.size > 1024) return undefined;
  const text = (await readFile(file.file, 'utf8')).split('\n')[0].trim();
  return /^[\w.+~-]{1,64}$/.test(text) ? text : undefined;
}

async function upload(storage: ObjectStorage, f: PlayerFile): Promise<void> {
  const body = f.size > PART_SIZE ? createReadStream(f.file) : await readFile(f.file);
  await storage.put(playerFileKey(f.path), body, { contentType: contentTypeFor(f.path), cacheControl: playerCacheControl(f.path), contentLength: f.size });
}

/** The player objects in the bucket that the build does not have. */
async function staleKeys(storage: ObjectStorage, files: PlayerFile[]): Promise<string[]> {
  const wanted = new Set(files.map((f) => playerFileKey(f.path)));
  const stale: string[] = [];
  for await (const o of storage.list(PLAYER_PREFIX)) if (!wanted.has(o.key)) stale.push(o.key);
  return stale;
}

type InstallArgs = TargetFlags & { DIR?: string; dryRun?: boolean; parallel?: number };

/**
 * `slctl playback:install DIR [--dry-run]`: uploads a build of BBB's presentation player (bbb-playback)
 * into the recordings bucket under `playback/presentation/2.3/`, where the API (locally) and CloudFront (on
 * AWS) serve it: every file with its content type and a Cache-Control, `--parallel` at a time; then, once
 * every file is up, the player files the build does not have are removed — a failed install leaves the old
 * files in place. Prints a summary with the player's version (its `bbb-playback-version` file).
 */
export const playbackInstallCommand: CommandModule<object, InstallArgs> = {
  command: 'playback:install [DIR]',
  describe: 'Install the presentation player (a bbb-playback build) into the recordings bucket',
  builder: (y) =>
    y
      .positional('DIR', { type: 'string', describe: "The player: bbb-playback's build/ directory, or /var/bigbluebutton/playback/presentation/2.3 copied from a BBB server" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Show what would be uploaded and removed; change nothing' })
      .option('parallel', { type: 'number', default: 8, describe: 'Files uploaded at once' })
      .options(S3_TARGET_OPTIONS)
      .example('$0 playback:install ./bbb-playback/build', '')
      .epilogue('Build bbb-playback (github.com/bigbluebutton/bbb-playback) of the version your BBB servers run, with its homepage /playback/presentation/2.3; see docs/RECORDINGS.md, section 10.') as unknown as Argv<InstallArgs>,
  handler: async (argv) => {
    const dirArg = argv.DIR?.trim();
    if (!dirArg) throw new CliError("Error: name the player's directory (a build of bbb-playback, with index.html)", 1);
    const parallel = Number(argv.parallel ?? 8);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new CliError('Error: --parallel must be a whole number from 1 to 64', 1);
    const dir = resolve(dirArg);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new CliError(`ERROR: ${dirArg} is not a directory`, 1);
    const index = await stat(join(dir, 'index.html')).catch(() => undefined);
    if (!index?.isFile()) throw new CliError(`ERROR: ${dirArg} has no index.html: it is not a build of the player (bbb-playback's build/ directory, or /var/bigbluebutton/playback/presentation/2.3 of a BBB server)`, 1);

    const { files, skipped } = await playerFiles(dir);
    for (const s of skipped) warn(`skipped: ${s}`);
    if (!files.some((f) => f.path.startsWith('static/'))) warn(`warning: ${dirArg} has no static/ directory: it does not look like a build of bbb-playback`);
    const version = await playerVersion(files);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const { storage } = await cliDeps(process.env, argv);
    const where = `s3://${storage.bucket}/${PLAYER_PREFIX}`;

    if (argv.dryRun) {
      say('Dry run: nothing is uploaded or removed.');
      for (const f of files) say(`upload ${f.path} (${contentTypeFor(f.path)}; ${playerCacheControl(f.path)})`);
      const stale = await staleKeys(storage, files);
      for (const key of stale) say(`remove ${key.slice(PLAYER_PREFIX.length)}`);
      say(`Would install the presentation player${version ? ` ${version}` : ''} at ${where}: ${plural(files.length, 'file')} (${size(bytes)}); would remove ${plural(stale.length, 'stale file')}`);
      return;
    }

    const progress = startProgress('Uploading player files', files.length);
    const failures = (
      await mapBounded(files, parallel, async (f) => {
        try {
          await upload(storage, f);
          return undefined;
        } catch (e) {
          return `${f.path}: ${message(e)}`;
        } finally {
          progress.tick();
        }
      })
    ).filter((x): x is string => x !== undefined);
    progress.done();
    if (failures.length > 0) {
      for (const line of failures) warn(`not uploaded: ${line}`);
      throw new CliError(`Error: ${failures.length} of ${files.length} files not uploaded; nothing was removed. Run the install again.`, 1);
    }

    let removed: number;
    try {
      const stale = await staleKeys(storage, files);
      await mapBounded(stale, parallel, (key) => storage.delete(key));
      removed = stale.length;
    } catch (e) {
      throw new CliError(`Error: the player was uploaded, but its stale files could not all be removed (${message(e)}). Run the install again.`, 1);
    }
    say(`Installed the presentation player ${version ?? `(no ${PLAYER_VERSION_FILE} file: version unknown)`} at ${where}: ${plural(files.length, 'file')} (${size(bytes)}); removed ${plural(removed, 'stale file')}`);
  },
};

export const playbackCommands = [playbackInstallCommand];
