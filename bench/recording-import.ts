/**
 * The recording import with a big tar: does the importer's memory grow with the tar? (issue 10; goal:
 * peak RSS under 256 MB and flat across tar sizes.)
 *
 * For each size in BENCH_IMPORT_SIZES_MB (default 100,500): a BBB-shaped tar — presentation, podcast and
 * video metadata, a few small files, and one video-0.m4v of (size − 1 MiB) — is generated on the fly and
 * streamed into the embedded S3 under `uploads/` (never held whole), then imported by `importUpload` in a
 * **child process** of its own (as the importer Lambda runs it): dynalite and the embedded S3 stay in this
 * process, so the child's RSS is the importer's alone. The child samples `process.memoryUsage().rss`
 * every 50 ms during the import and reads the kernel's peak (`resourceUsage().maxRSS`) at the end.
 * Checks the result (the video's size in storage, the recording stored, the upload gone). Asserts
 * nothing about time; prints figures.
 *
 * Run: npx tsx bench/recording-import.ts   (BENCH_IMPORT_SIZES_MB=100,500,1000 for more points;
 *      BENCH_IMPORT_SLIDES=500 for a presentation of many small files)
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION } from '../cli/embedded-s3.js';
import { startLocalStack } from '../cli/local-stack.js';
import { importUpload } from '../shared/app/import-recording.js';
import { silentLogger } from '../shared/app/logger.js';
import { parseConfig } from '../shared/config/parse-config.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createS3Storage } from '../shared/storage/s3-storage.js';
import { recordingFileKey, uploadKey } from '../shared/storage/storage-keys.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';
import { bbbRecording, tarStream, type StreamedFile, type TarFile } from '../test/recordings/tar-fixtures.js';

const MiB = 1024 * 1024;
const SIZES_MB = (process.env.BENCH_IMPORT_SIZES_MB ?? '100,500').split(',').map(Number);
/** slides of the presentation (each: slide PNG + text; the first three also a thumbnail) */
const SLIDES = Number(process.env.BENCH_IMPORT_SLIDES ?? 5);
const GOAL_RSS_MB = 256;
const SAMPLE_MS = 50;

interface ChildJob {
  table: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  bucket: string;
  key: string;
}

interface ChildResult {
  outcome: string;
  error?: string;
  files: number;
  bytes: number;
  wallMs: number;
  baselineRssMb: number;
  peakSampledRssMb: number;
  maxRssMb: number;
  /** the most ArrayBuffer/Buffer memory seen (outside the JS heap: file chunks, multipart parts) */
  peakBuffersMb: number;
  /** the child's CPU (user + system) during the import */
  cpuMs: number;
  samples: number;
}

const mb = (bytes: number) => bytes / MiB;

/** The importer's side: runs in the forked child. */
async function child(job: ChildJob): Promise<ChildResult> {
  const config = parseConfig({ DYNAMODB_TABLE: job.table, DYNAMODB_ENDPOINT: job.dynamoEndpoint, S3_ENDPOINT: job.s3Endpoint, S3_BUCKET_NAME: job.bucket, LOADBALANCER_SECRET: 'bench' });
  const db = createDocumentClient({ endpoint: job.dynamoEndpoint });
  const storage = createS3Storage({ bucket: job.bucket, endpoint: job.s3Endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS, forcePathStyle: true });
  const deps = assemble(config, { db, storage, log: silentLogger });
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let peakBuffers = 0;
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  }, SAMPLE_MS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await importUpload(deps, job.key);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  storage.destroy();
  db.destroy();
  return {
    outcome: report.outcome,
    error: report.error,
    files: report.files,
    bytes: report.bytes,
    wallMs,
    baselineRssMb: mb(baseline),
    peakSampledRssMb: mb(peak),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    peakBuffersMb: mb(peakBuffers),
    cpuMs: (cpu.user + cpu.system) / 1000,
    samples,
  };
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    proc.once('message', (m) => resolve(m as ChildResult));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`importer child exited with ${code}`))));
    proc.send(job);
  });
}

/** A stream of `size` bytes: one random MiB over and over (generated, never held whole). */
function videoBytes(size: number): Readable {
  const block = randomBytes(MiB);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, block.length);
      left -= n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

export interface ImportBenchRow extends ChildResult {
  sizeMb: number;
  uploadMs: number;
  parentPeakRssMb: number;
  verified: boolean;
}

export async function runRecordingImport(sizesMb: number[] = SIZES_MB): Promise<ImportBenchRow[]> {
  const stack = await startLocalStack({ env: { LOADBALANCER_SECRET: 'bench', DYNAMODB_TABLE: `bench-${randomUUID().slice(0, 8)}`, PORT: '0' }, log: silentLogger, autoImport: false });
  const rows: ImportBenchRow[] = [];
  try {
    for (const sizeMb of sizesMb) {
      const rec = bbbRecording({ meetingID: `bench-import-${sizeMb}`, slides: SLIDES });
      const small = rec.files.filter((f) => !f.name.endsWith('video-0.m4v'));
      const smallBytes = small.reduce((n, f) => n + f.body.length, 0);
      const videoSize = Math.max(1, sizeMb * MiB - smallBytes - 64 * 1024);
      const video: StreamedFile = { name: `video/${rec.recordID}/video-0.m4v`, size: videoSize, body: videoBytes(videoSize) };
      const entries: (TarFile | StreamedFile)[] = [...small, video];
      const key = uploadKey('bbb-bench', rec.recordID, randomUUID());

      let parentPeak = process.memoryUsage().rss;
      const parentTimer = setInterval(() => (parentPeak = Math.max(parentPeak, process.memoryUsage().rss)), SAMPLE_MS);
      const u0 = performance.now();
      await stack.storage.put(key, tarStream(entries), { contentType: 'application/x-tar' });
      const uploadMs = performance.now() - u0;
      const tarSize = (await stack.storage.head(key))?.size ?? 0;

      const result = await runChild({ table: stack.config.dynamodbTable, dynamoEndpoint: stack.dynamoEndpoint, s3Endpoint: stack.s3Endpoint, bucket: stack.storage.bucket, key });
      clearInterval(parentTimer);

      const stored = await stack.storage.head(recordingFileKey(rec.recordID, 'video', 'video-0.m4v'));
      const recording = await stack.deps.store.recordings.get(rec.recordID);
      const verified = result.outcome === 'imported' && stored?.size === videoSize && Object.keys(recording?.formats ?? {}).length === 3 && (await stack.storage.head(key)) === undefined;
      rows.push({ ...result, sizeMb: mb(tarSize), uploadMs, parentPeakRssMb: mb(parentPeak), verified });
      await stack.storage.deletePrefix(`recordings/${rec.recordID}/`);
    }
  } finally {
    await stack.close();
  }
  return rows;
}

export function printImportTable(rows: ImportBenchRow[]): void {
  const f0 = (n: number) => n.toFixed(0);
  console.log('| tar | files | upload to S3 | import wall time | import MB/s | importer CPU | importer RSS before | importer peak RSS (50 ms samples) | importer maxRSS (kernel) | peak Buffer memory | goal < 256 MB | checked |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    console.log(
      `| ${f0(r.sizeMb)} MB | ${r.files} | ${(r.uploadMs / 1000).toFixed(1)} s | ${(r.wallMs / 1000).toFixed(1)} s | ${f0(mb(r.bytes) / (r.wallMs / 1000))} | ${(r.cpuMs / 1000).toFixed(1)} s | ${f0(r.baselineRssMb)} MB | ${f0(r.peakSampledRssMb)} MB | ${f0(r.maxRssMb)} MB | ${f0(r.peakBuffersMb)} MB | ${r.maxRssMb < GOAL_RSS_MB ? 'met' : 'MISSED'} | ${r.verified ? 'ok' : `FAILED (${r.outcome}${r.error ? `: ${r.error}` : ''})`} |`,
    );
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0], rows[rows.length - 1]];
    console.log(`\nPeak RSS growth from ${f0(a.sizeMb)} MB to ${f0(b.sizeMb)} MB of tar: ${(b.maxRssMb - a.maxRssMb).toFixed(1)} MB (kernel peak), ${(b.peakSampledRssMb - a.peakSampledRssMb).toFixed(1)} MB (sampled).`);
  }
  console.log(`(dynalite and the embedded S3 ran in the parent process: its peak RSS ${rows.map((r) => `${f0(r.parentPeakRssMb)} MB`).join(', ')})`);
}

export async function main(opts: { sizesMb?: number[] } = {}): Promise<void> {
  console.log(`# Recording import: wall time and the importer's peak RSS (importer in a child process; embedded S3 + dynalite in this one)`);
  console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  printImportTable(await runRecordingImport(opts.sizesMb));
}

if (process.argv.includes('--child')) {
  process.once('message', (job) => {
    child(job as ChildJob)
      .then((r) => process.send!(r, () => process.exit(0)))
      .catch((e: Error) => {
        console.error(e);
        process.exit(1);
      });
  });
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
