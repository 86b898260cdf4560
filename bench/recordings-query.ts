/**
 * getRecordings over 10,000 recordings of one tenant: DynamoDB round trips (counted at the engine) and
 * local latency (median of N requests through real HTTP) for one meetingID, 20 meetingIDs, a page of 50
 * at offset 0 and at offset 5,000, a meta filter (paged and not), one record id, and — for scale — every
 * recording at once; plus publish/update/delete of one recording.
 *
 * The recordings are written straight into the table (BatchWriteItem, the items `RecordingRepo.save`
 * writes): 2,000 meetings × 5 recordings over two years, Greenlight-like metadata (~300 bytes: origin,
 * server, callback URL, context) and two formats (presentation with 5 thumbnails, video) — ≈ 2.3 KB per
 * item, ≈ 0.5 KB per entry of the lean start-time index (GSI3).
 *
 * Run: npx tsx bench/recordings-query.ts   (RECORDINGS=10000, RUNS=25)
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Recording } from '../shared/domain/recording.js';
import { itemFromRecording } from '../shared/store/recording-repo.js';
import { xmlValue } from '../test/helpers/test-stack.js';
import { hostOf, startTenancyStack } from '../test/tenancy/tenancy-stack.js';

const COUNT = Number(process.env.RECORDINGS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 25);
const PER_MEETING = 5;
const COURSES = 400;
const SECRET = 'bench-recordings-secret';
const T0 = Date.UTC(2024, 0, 1);
const TWO_YEARS = 2 * 365 * 24 * 3600 * 1000;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

function benchRecording(tenantId: string, i: number): Recording {
  const meeting = Math.floor(i / PER_MEETING);
  const meetingID = `room-${meeting}`;
  // spread over two years, not in id order (a shuffled start time per recording)
  const startTime = T0 + Math.floor(((i * 7919) % COUNT) * (TWO_YEARS / COUNT));
  const recordID = `${sha1(`${tenantId}~${meetingID}`)}-${startTime}`;
  const slide = `${sha1(`${recordID}/slides`)}-${startTime + 10}`;
  return {
    recordID,
    meetingID,
    tenantId,
    name: `Room ${meeting} of course ${meeting % COURSES}`,
    published: i % 10 !== 0,
    protected: false,
    state: i % 10 !== 0 ? 'published' : 'unpublished',
    startTime,
    endTime: startTime + 55 * 60_000,
    participants: 12,
    metadata: {
      'bbb-origin': 'greenlight',
      'bbb-origin-version': 'v3.1.2',
      'bbb-origin-server-name': 'gl.example.com',
      'bbb-recording-ready-url': 'https://gl.example.com/recording_ready',
      'bbb-context-name': `Course ${meeting % COURSES}`,
      'gl-listed': i % 3 === 0 ? 'true' : 'false',
      'tenant-id': tenantId,
    },
    formats: {
      presentation: {
        type: 'presentation',
        url: `/playback/presentation/2.3/${recordID}`,
        length: 55,
        thumbnails: [1, 2, 3, 4, 5].map((n) => ({ url: `/presentation/${recordID}/presentation/${slide}/thumbnails/thumb-${n}.png`, width: 176, height: 136, alt: `Slide ${n}` })),
      },
      video: { type: 'video', url: `/playback/video/${recordID}/`, length: 55, thumbnails: [] },
    },
    importedAt: startTime + 3_600_000,
    version: 1,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function main(): Promise<void> {
  console.log(`# getRecordings over ${COUNT.toLocaleString('en')} recordings of one tenant (counted at the engine; latency = median of ${RUNS} through HTTP)\n`);
  console.log(`machine: ${cpus().length} cores, Node ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const t = await startTenancyStack({ servers: 0, env: { REGISTRY_TTL: '3600' } });
  try {
    const tenant = await t.tenant('bench', SECRET);
    t.stack.deps.registry.invalidate();
    const table = t.stack.config.dynamodbTable;
    const all = Array.from({ length: COUNT }, (_, i) => benchRecording(tenant.id, i));
    const began = performance.now();
    const batches: Recording[][] = [];
    for (let i = 0; i < all.length; i += 25) batches.push(all.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          let request: Record<string, unknown[]> | undefined = { [table]: batches[next++].map((r) => ({ PutRequest: { Item: itemFromRecording(r) } })) };
          while (request && Object.keys(request).length > 0) {
            const res = await t.stack.db.send(new BatchWriteCommand({ RequestItems: request as never }));
            request = res.UnprocessedItems as typeof request;
          }
        }
      }),
    );
    const itemBytes = Buffer.byteLength(JSON.stringify(itemFromRecording(all[0])));
    console.log(`seeded in ${((performance.now() - began) / 1000).toFixed(1)} s (one item ≈ ${itemBytes} bytes as JSON)\n`);

    const call = (call: string, query: string) => t.callAt(hostOf('bench'), call, query, SECRET);
    await call('getRecordings', 'meetingID=warm-up');
    const byStart = [...all].sort((a, b) => b.startTime - a.startTime);
    const rows: string[][] = [];
    const measure = async (name: string, api: string, query: string, runs = RUNS, repeatable = true) => {
      const before = new Map(t.stack.engineOps);
      const first = await call(api, query);
      const ops = [...t.stack.engineOps].filter(([op, n]) => n > (before.get(op) ?? 0)).map(([op, n]) => `${n - (before.get(op) ?? 0)} ${op}`);
      const times: number[] = [];
      for (let i = 0; i < (repeatable ? runs : 0); i++) {
        const t0 = performance.now();
        await call(api, query);
        times.push(performance.now() - t0);
      }
      const n = (first.body.match(/<recording>/g) ?? []).length;
      const total = xmlValue(first.body, 'totalElements');
      const answer = api === 'getRecordings' ? `${n}${total ? ` of ${total}` : ''}` : (xmlValue(first.body, 'returncode') ?? '?');
      rows.push([name, answer, ops.join(' + ') || '0', times.length ? median(times).toFixed(1) : '-', `${(first.body.length / 1024).toFixed(0)} KB`]);
    };

    await measure('one meetingID', 'getRecordings', 'meetingID=room-17');
    await measure('20 meetingIDs', 'getRecordings', `meetingID=${Array.from({ length: 20 }, (_, i) => `room-${i * 97}`).join(',')}`);
    await measure('page of 50, offset 0', 'getRecordings', 'limit=50');
    await measure('page of 50, offset 5000', 'getRecordings', 'offset=5000&limit=50');
    await measure('meta filter, page of 50', 'getRecordings', 'meta_bbb-context-name=Course%2017&limit=50');
    await measure('meta filter, all matches (no limit)', 'getRecordings', 'meta_bbb-context-name=Course%2017', Math.min(RUNS, 5));
    await measure('one recordID', 'getRecordings', `recordID=${byStart[100].recordID}`);
    await measure('every recording (no limit)', 'getRecordings', '', 2);
    await measure('publishRecordings, one', 'publishRecordings', `recordID=${byStart[200].recordID}&publish=false`, 0, false);
    await measure('updateRecordings, one', 'updateRecordings', `recordID=${byStart[201].recordID}&meta_gl-listed=true`, 0, false);
    await measure('deleteRecordings, one', 'deleteRecordings', `recordID=${byStart[202].recordID}`, 0, false);

    const header = ['request', 'recordings answered', 'DynamoDB round trips', 'median ms', 'answer size'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(fmt(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(fmt(r));
  } finally {
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
