/**
 * BBB-shaped recordings as files and tars, built in the test (no binary fixtures in the repo): what a
 * BBB server's post-publish script ships — `<format>/<record_id>/…` of each format present, with the
 * metadata.xml BBB 2.6+ writes (reference §5.2). Bodies are deterministic pseudo-random bytes, so a test
 * can compare what landed in storage byte for byte.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

export const BBB_HOST = 'bbb1.example.com';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** `n` deterministic bytes for `seed` (SHA-256 in counter mode). */
export function bytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; block++) {
    const h = createHash('sha256').update(`${seed}#${block}`).digest();
    i += h.copy(out, i, 0, Math.min(h.length, n - i));
  }
  return out;
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export interface ThumbnailSpec {
  /** path inside the format directory, e.g. `presentation/<pres>/thumbnails/thumb-1.png` */
  path: string;
  width?: number;
  height?: number;
  alt?: string;
}

export interface MetadataSpec {
  recordID: string;
  /** `meta/meetingId` as BBB knew the meeting (a tenant's: `<tenant>~<meetingID>`) */
  meetingId: string;
  meetingName: string;
  format: string;
  /** full playback URL (default BBB's for the format) */
  link?: string;
  /** ms */
  duration?: number;
  published?: boolean;
  state?: string;
  startTime?: number;
  endTime?: number;
  participants?: number;
  /** extra `<meta>` children, in order (isBreakout/meetingId/meetingName are written by the builder) */
  meta?: Record<string, string>;
  isBreakout?: boolean;
  thumbnails?: ThumbnailSpec[];
  processingTime?: number;
}

/** BBB's playback link of a format. */
export function playbackLink(format: string, recordID: string): string {
  if (format === 'presentation') return `https://${BBB_HOST}/playback/presentation/2.3/${recordID}`;
  if (format === 'podcast') return `https://${BBB_HOST}/podcast/${recordID}/audio.ogg`;
  return `https://${BBB_HOST}/playback/${format}/${recordID}/`;
}

/** A metadata.xml as BBB writes it for one format. */
export function metadataXml(s: MetadataSpec): string {
  const meta = [
    `    <isBreakout>${s.isBreakout ? 'true' : 'false'}</isBreakout>`,
    `    <meetingId>${escapeXml(s.meetingId)}</meetingId>`,
    `    <meetingName>${escapeXml(s.meetingName)}</meetingName>`,
    ...Object.entries(s.meta ?? {}).map(([k, v]) => `    <${k}>${escapeXml(v)}</${k}>`),
  ];
  const images = (s.thumbnails ?? []).map(
    (t) =>
      `          <image${t.width !== undefined ? ` width="${t.width}"` : ''}${t.height !== undefined ? ` height="${t.height}"` : ''}${t.alt !== undefined ? ` alt="${escapeXml(t.alt)}"` : ''}>https://${BBB_HOST}/${s.format}/${s.recordID}/${t.path}</image>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<recording>
  <id>${s.recordID}</id>
  <state>${s.state ?? (s.published === false ? 'unpublished' : 'published')}</state>
  <published>${s.published === false ? 'false' : 'true'}</published>
  <start_time>${s.startTime ?? 1_700_000_000_000}</start_time>
  <end_time>${s.endTime ?? 1_700_003_600_000}</end_time>
  <participants>${s.participants ?? 3}</participants>
  <rawSize>4857600</rawSize>
  <meeting id="${s.recordID}" externalId="${escapeXml(s.meetingId)}" name="${escapeXml(s.meetingName)}" breakout="${s.isBreakout ? 'true' : 'false'}"/>
  <meta>
${meta.join('\n')}
  </meta>
  <playback>
    <format>${s.format}</format>
    <link>${s.link ?? playbackLink(s.format, s.recordID)}</link>
    <processing_time>${s.processingTime ?? 5429}</processing_time>
    <duration>${s.duration ?? 3_540_000}</duration>${
      images.length > 0
        ? `
    <extensions>
      <preview>
        <images>
${images.join('\n')}
        </images>
      </preview>
    </extensions>`
        : ''
    }
    <size>8224</size>
  </playback>
</recording>
`;
}

export interface TarFile {
  /** path in the tar, e.g. `presentation/<record_id>/metadata.xml` */
  name: string;
  body: Buffer;
  /** default file */
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

export interface BbbRecordingSpec {
  meetingID?: string;
  meetingName?: string;
  startTime?: number;
  /** default all three */
  formats?: ('presentation' | 'video' | 'podcast')[];
  /** extra `<meta>` children of every format (BBB copies the create's `meta_*`) */
  meta?: Record<string, string>;
  published?: boolean;
  /** the meeting id BBB knew (default meetingID; a tenant's meeting: `<tenant>~<meetingID>`) */
  bbbMeetingId?: string;
  isBreakout?: boolean;
  /** bytes of video-0.m4v (default 300 KiB) */
  videoBytes?: number;
  /** slides in the presentation (default 3) */
  slides?: number;
}

export interface BbbRecording {
  recordID: string;
  meetingID: string;
  /** the files of every format, as the tar holds them (directories not listed) */
  files: TarFile[];
  /** the thumbnails of the presentation, as metadata.xml lists them */
  thumbnails: ThumbnailSpec[];
  spec: Required<Pick<BbbRecordingSpec, 'meetingName' | 'startTime'>> & BbbRecordingSpec;
}

/**
 * A recording as BBB publishes it: presentation (metadata.xml, shapes.svg, panzooms/cursor/deskshare
 * XML, slides with thumbnails and text, the uploaded PDF under a UTF-8 name, webcams.webm), video
 * (video-0.m4v) and podcast (audio.ogg), each with its metadata.xml.
 */
export function bbbRecording(spec: BbbRecordingSpec = {}): BbbRecording {
  const meetingID = spec.meetingID ?? 'Réunion-hebdo-週次';
  const startTime = spec.startTime ?? 1_700_000_000_000;
  const meetingName = spec.meetingName ?? "Réunion d'équipe — 週次ミーティング";
  const recordID = `${sha1(spec.bbbMeetingId ?? meetingID)}-${startTime}`;
  const pres = `${sha1(`${recordID}/deck`)}-${startTime + 17}`;
  const slides = spec.slides ?? 3;
  const thumbnails: ThumbnailSpec[] = Array.from({ length: Math.min(slides, 3) }, (_, i) => ({
    path: `presentation/${pres}/thumbnails/thumb-${i + 1}.png`,
    width: 176,
    height: 136,
    alt: i === 0 ? 'Willkommen – Übersicht' : `Folie ${i + 1}: «Ergebnisse» & <Pläne>`,
  }));
  const common = (format: string): MetadataSpec => ({
    recordID,
    meetingId: spec.bbbMeetingId ?? meetingID,
    meetingName,
    format,
    published: spec.published,
    startTime,
    endTime: startTime + 3_540_000,
    participants: 4,
    isBreakout: spec.isBreakout,
    meta: { 'bbb-origin': 'Greenlight', 'bbb-origin-version': 'v3', 'gl-listed': 'false', 'bbb-context': 'Cours de génie — 第2回', ...spec.meta },
  });
  const files: TarFile[] = [];
  const add = (format: string, path: string, body: Buffer | string) => files.push({ name: `${format}/${recordID}/${path}`, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body });
  const formats = spec.formats ?? ['presentation', 'video', 'podcast'];
  if (formats.includes('presentation')) {
    // files first, metadata.xml in the middle: the importer must not depend on the order
    add('presentation', 'shapes.svg', `<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" id="svgfile"><image id="image1" xlink:href="presentation/${pres}/slide-1.png"/></svg>\n`);
    add('presentation', 'panzooms.xml', '<?xml version="1.0"?>\n<recording id="panzoom_events"/>\n');
    add('presentation', 'metadata.xml', metadataXml({ ...common('presentation'), thumbnails, duration: 3_540_000 }));
    add('presentation', 'cursor.xml', '<?xml version="1.0"?>\n<recording id="cursor_events"/>\n');
    add('presentation', 'deskshare.xml', '<?xml version="1.0"?>\n<recording id="deskshare_events"/>\n');
    add('presentation', 'presentation_text.json', JSON.stringify({ [pres]: { 'slide-1': 'Willkommen – Übersicht' } }));
    add('presentation', 'captions.json', '[]');
    for (let i = 1; i <= slides; i++) {
      add('presentation', `presentation/${pres}/slide-${i}.png`, bytes(`${recordID}/slide-${i}`, 20_000 + i));
      add('presentation', `presentation/${pres}/text/slide-${i}.txt`, `Folie ${i} – Ünïcödé ✓\n`);
    }
    for (const t of thumbnails) add('presentation', t.path, bytes(`${recordID}/${t.path}`, 4_000));
    add('presentation', `presentation/${pres}/Übersicht – 週報.pdf`, bytes(`${recordID}/pdf`, 50_000));
    add('presentation', 'video/webcams.webm', bytes(`${recordID}/webcams`, 120_000));
  }
  if (formats.includes('video')) {
    add('video', 'video-0.m4v', bytes(`${recordID}/video`, spec.videoBytes ?? 300 * 1024));
    add('video', 'metadata.xml', metadataXml({ ...common('video'), duration: 3_541_000 }));
  }
  if (formats.includes('podcast')) {
    add('podcast', 'metadata.xml', metadataXml({ ...common('podcast'), duration: 3_539_000 }));
    add('podcast', 'audio.ogg', bytes(`${recordID}/audio`, 90_000));
  }
  return { recordID, meetingID, files, thumbnails, spec: { ...spec, meetingName, startTime } };
}

/** Replaces (or adds) one file of a recording. */
export function withFile(files: TarFile[], name: string, body: Buffer | string): TarFile[] {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return files.some((f) => f.name === name) ? files.map((f) => (f.name === name ? { ...f, body: b } : f)) : [...files, { name, body: b }];
}

export interface StreamedFile {
  name: string;
  size: number;
  /** streamed into the tar (never held whole) */
  body: Readable;
}

/**
 * A tar (GNU tar's ustar + pax for long or UTF-8 names, as tar-stream writes it) of these entries, as a
 * stream: files are packed one after another, each body piped in with back-pressure. The parent
 * directories of each file come first, as `tar -c` writes them.
 */
export function tarStream(entries: (TarFile | StreamedFile)[], opts: { directories?: boolean } = {}): Readable {
  const pack = tar.pack();
  (async () => {
    const seen = new Set<string>();
    for (const e of entries) {
      if (opts.directories !== false) {
        const parts = e.name.split('/').slice(0, -1);
        for (let i = 1; i <= parts.length; i++) {
          const dir = `${parts.slice(0, i).join('/')}/`;
          if (seen.has(dir)) continue;
          seen.add(dir);
          await new Promise<void>((resolve, reject) => pack.entry({ name: dir, type: 'directory', mode: 0o755 }, (err) => (err ? reject(err) : resolve())));
        }
      }
      if ('size' in e && 'body' in e && !(e.body instanceof Buffer)) {
        const { body } = e;
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ name: e.name, size: e.size, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
          body.on('error', reject);
          body.pipe(sink as unknown as NodeJS.WritableStream);
        });
      } else {
        const f = e as TarFile;
        await new Promise<void>((resolve, reject) => {
          const header = { name: f.name, type: f.type ?? 'file', mode: 0o644, ...(f.linkname ? { linkname: f.linkname } : {}) };
          const done = (err?: Error | null) => (err ? reject(err) : resolve());
          if (header.type === 'file') pack.entry(header, f.body, done);
          else pack.entry(header, done);
        });
      }
    }
    pack.finalize();
  })().catch((e: Error) => pack.destroy(e));
  return Readable.from(pack, { objectMode: false });
}

/** The whole tar in memory (small test recordings only). */
export async function tarBuffer(entries: TarFile[], opts: { directories?: boolean } = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tarStream(entries, opts)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
