/**
 * Consumed capacity per request with big meetings (issue 9, item 5; DESIGN §4.10 "hot items stay small").
 *
 * The local stack with fake BBB servers whose meetings have 250 attendees each. Every DynamoDB call the
 * API makes is sent with `ReturnConsumedCapacity: TOTAL` (a client middleware), and the capacity units
 * dynalite reports (DynamoDB's formula: reads per 4 KB, writes per 1 KB, of the item) are summed per
 * request; round trips are counted at the engine. Then getMeetings over 1,000 such meetings: Queries,
 * bytes read and the local latency. Reports figures; asserts nothing.
 *
 * dynalite bills a failed conditional write nothing and ignores index writes; DynamoDB bills the failed
 * write at the item's size and each GSI write again — the item sizes printed give those figures.
 *
 * Run: npx tsx bench/meeting-capacity.ts   (MEETINGS=1000 ATTENDEES=250)
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { pollAll } from '../shared/app/poll-servers.js';
import { keys } from '../shared/store/keys.js';
import { FakeBbb } from '../test/fake-bbb/fake-bbb-server.js';
import { startTestStack, type TestStack } from '../test/helpers/test-stack.js';

const MEETINGS = Number(process.env.MEETINGS ?? 1000);
const ATTENDEES = Number(process.env.ATTENDEES ?? 250);
const SERVERS = 10; // 100 meetings a server: a getMeetings answer of a few MB, as a big real server

interface Usage {
  units: number;
  calls: number;
  bytes: number;
}

/** Bytes of names and values, as DynamoDB sizes items (strings as UTF-8, binaries as they are). */
function sizeOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (v instanceof Uint8Array) return v.byteLength;
  if (typeof v === 'number' || typeof v === 'boolean') return 8;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + sizeOf(x), 0);
  return Object.entries(v as Record<string, unknown>).reduce((n, [k, x]) => n + Buffer.byteLength(k) + sizeOf(x), 0);
}

function meter(t: TestStack) {
  let current: Usage = { units: 0, calls: 0, bytes: 0 };
  t.stack.db.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const o = out.output as { ConsumedCapacity?: { CapacityUnits?: number }; Items?: unknown[]; Item?: unknown; Attributes?: unknown };
      current.units += o.ConsumedCapacity?.CapacityUnits ?? 0;
      current.calls++;
      current.bytes += sizeOf(o.Items ?? o.Item ?? o.Attributes ?? null);
      return out;
    },
    { step: 'initialize', name: 'capacity-meter' },
  );
  return async (fn: () => Promise<unknown>): Promise<Usage & { ms: number }> => {
    current = { units: 0, calls: 0, bytes: 0 };
    const t0 = performance.now();
    await fn();
    return { ...current, ms: performance.now() - t0 };
  };
}

export async function main(): Promise<void> {
  const t = await startTestStack({ servers: SERVERS, env: { REGISTRY_TTL: '5' } });
  try {
    const measure = meter(t);
    const table = t.stack.config.dynamodbTable;
    const itemBytes = async (key: Record<string, string>) => sizeOf((await t.stack.db.send(new GetCommand({ TableName: table, Key: key }))).Item ?? null);

    console.log(`# Consumed capacity with ${ATTENDEES}-attendee meetings (dynalite's units; ${SERVERS} fake BBB servers)\n`);
    const query = (id: string) => `meetingID=${id}&name=Lecture+${id}&moderatorPW=mp&attendeePW=ap`;
    await t.call('create', query('big'));
    const placed = (await t.stack.deps.store.meetings.get({ meetingID: 'big' }, Date.now()))!;
    const fake = t.fakes[Number(placed.serverId.replace('bbb-', '')) - 1];
    for (let a = 0; a < ATTENDEES; a++) fake.addAttendee('big', { fullName: `Student Number ${a} with a realistic name`, role: a < 2 ? 'MODERATOR' : 'VIEWER' });
    await pollAll(t.stack.deps);
    await t.stack.deps.registry.listServers(); // reloads the server snapshot the poll invalidated (a warm instance)
    const rows: [string, Usage & { ms: number }][] = [
      ['join', await measure(() => t.call('join', 'meetingID=big&fullName=Ann&role=VIEWER'))],
      ['create (existing)', await measure(() => t.call('create', query('big')))],
      ['isMeetingRunning', await measure(() => t.call('isMeetingRunning', 'meetingID=big'))],
      ['getMeetingInfo', await measure(() => t.call('getMeetingInfo', 'meetingID=big'))],
      ['create (new)', await measure(() => t.call('create', query('small')))],
      ['getMeetings (2 meetings)', await measure(() => t.call('getMeetings'))],
    ];
    console.log('| request | DynamoDB calls | capacity units | bytes read |');
    console.log('|---|---|---|---|');
    for (const [name, u] of rows) console.log(`| ${name} | ${u.calls} | ${u.units} | ${u.bytes} |`);
    console.log(`\nmeeting item: ${await itemBytes(keys.meeting('big'))} bytes; its snapshot item (deflated): ${await itemBytes(keys.meetingInfo('big'))} bytes`);

    // getMeetings over MEETINGS big meetings
    const perServer = Math.ceil(MEETINGS / SERVERS);
    for (let i = 0; i < MEETINGS; i++) {
      const id = `m-${i}`;
      await t.call('create', `meetingID=${id}&name=Lecture+${id}`);
    }
    for (const f of t.fakes) for (const m of [...f.meetings.keys()]) if (m.startsWith('m-')) for (let a = 0; a < ATTENDEES; a++) f.addAttendee(m, { fullName: `Student Number ${a} with a realistic name` });
    const poll0 = performance.now();
    const report = await pollAll(t.stack.deps);
    const pollMs = performance.now() - poll0;
    const before = t.stack.engineOps.get('Query') ?? 0;
    const list = await measure(() => t.call('getMeetings'));
    const queries = (t.stack.engineOps.get('Query') ?? 0) - before;
    const answer = await t.call('getMeetings');
    console.log(`\n## getMeetings over ${MEETINGS} meetings of ${ATTENDEES} attendees (~${perServer} per server)\n`);
    console.log(`poll that stored their snapshots: ${pollMs.toFixed(0)} ms, ${report.writes} writes`);
    console.log(`getMeetings: ${queries} Query pages, ${list.units} capacity units, ${(list.bytes / 1e6).toFixed(1)} MB read, answer ${(answer.body.length / 1e6).toFixed(1)} MB, ${list.ms.toFixed(0)} ms locally`);
    await t.stack.deps.registry.listServers();
    const join = await measure(() => t.call('join', 'meetingID=m-1&fullName=Ann&role=VIEWER'));
    console.log(`join of one of them meanwhile: ${join.calls} call, ${join.units} capacity unit(s), ${join.bytes} bytes`);
  } finally {
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
