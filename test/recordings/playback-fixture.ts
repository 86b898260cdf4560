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
