import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Recording } from '../../shared/domain/recording.js';
import type { LocalStack } from '../../cli/local-stack.js';
import { recordingFileKey } from '../../shared/storage/storage-keys.js';

/** What the playback suites share: BBB-shaped recordings, their files in the embedded S3, raw HTTP with bytes. */

let counter = 0;
/** A fresh BBB record id: `<40 hex>-<13-digit ms>`. */
export const newRecordId = (): string => `${randomBytes(20).toString('hex')}-${String(1_700_000_000_000 + ++counter).padStart(13, '0')}`;

/** A published recording with presentation, video and podcast formats (as the importer stores them); `over` changes anything. */
export function makeRecording(recordID: string, over: Partial<Recording> = {}): Recording {
  return {
    recordID,
    meetingID: 'lecture-1',
    name: 'Lecture 1',
    published: true,
    protected: false,
    state: 'published',
    startTime: 1_700_000_000_000,
    endTime: 1_700_000_600_000,
    participants: 3,
    metadata: { 'bbb-context': 'Course' },
    formats: {
      presentation: { type: 'presentation', url: `/playback/presentation/2.3/${recordID}`, length: 10, thumbnails: [] },
      video: { type: 'video', url: `/playback/video/${recordID}/`, length: 10, thumbnails: [] },
      podcast: { type: 'podcast', url: `/podcast/${recordID}/audio.ogg`, length: 10, thumbnails: [] },
    },
    ...over,
  };
}

/** Saves the recording (new) through the store. */
export async function saveRecording(stack: LocalStack, r: Recording): Promise<void> {
  if (!(await stack.deps.store.recordings.save(r))) throw new Error(`recording ${r.recordID} exists`);
}

/** Puts a file of a recording's format into the bucket, at the importer's key. */
export async function putFile(stack: LocalStack, recordID: string, format: string, path: string, body: Buffer | string, contentType?: string): Promise<void> {
  await stack.deps.storage!.put(recordingFileKey(recordID, format, path), body, contentType ? { contentType } : {});
}

export interface BytesResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP request with the path sent exactly as given (no normalisation by the client), answering bytes. */
export function request(baseUrl: string, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<BytesResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method: opts.method ?? 'GET', path, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The `Set-Cookie` values of a response (node gives an array). */
export const setCookies = (r: { headers: http.IncomingHttpHeaders }): string[] => r.headers['set-cookie'] ?? [];

/**
 * A browser's cookie store, as far as the playback cookies need it: a cookie is kept per name and `Path`,
 * and sent to requests whose path path-matches (RFC 6265 §5.1.4). Attributes other than Path are ignored.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  /** Keeps the cookies of a response; returns the jar. */
  take(r: { headers: http.IncomingHttpHeaders }): this {
    for (const line of setCookies(r)) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const name = pair.slice(0, eq);
      this.cookies.set(`${name}\n${path}`, { name, value: pair.slice(eq + 1), path });
    }
    return this;
  }

  /** The `Cookie` header for a request of `path` (without its query), or undefined when none match. */
  header(path: string): string | undefined {
    const p = path.split('?')[0];
    const matching = [...this.cookies.values()].filter((c) => p === c.path || (p.startsWith(c.path) && (c.path.endsWith('/') || p[c.path.length] === '/')));
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** Headers with this jar's `Cookie` for `path` added to `headers`. */
  headersFor(path: string, headers: Record<string, string> = {}): Record<string, string> {
    const cookie = this.header(path);
    return cookie ? { ...headers, Cookie: cookie } : headers;
  }
}
