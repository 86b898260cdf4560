/**
 * DynamoDB round trips per BBB API request, counted at the engine (DESIGN §3 access budget).
 *
 * Starts the local stack (in-memory dynalite + Hono API on loopback, REGISTRY_TTL=5 as in production)
 * with 3 fake BBB servers, warms the in-process server snapshot with one full sequence of calls on a
 * throw-away meeting, then sends each measured call once and diffs the engine's per-operation counters
 * (dynalite emits `request` for every call; X-Amz-Target names the operation) around that one request.
 * Prints a table op-by-op and "OVER BUDGET" for any call above its budget. Exit code stays 0.
 *
 * Run: npx tsx bench/round-trips.ts
 */
import { startTestStack, xmlValue, type RawResponse } from '../test/helpers/test-stack.js';

type Ops = Record<string, number>;

interface Budget {
  /** max total round trips */
  total: number;
  /** max reads (GetItem/Query/Scan/BatchGetItem) */
  reads?: number;
  /** max writes (PutItem/UpdateItem/DeleteItem/BatchWriteItem) */
  writes?: number;
  /** max Query operations */
  queries?: number;
  text: string;
}

interface Row {
  name: string;
  answer: string;
  ops: Ops;
  budget?: Budget;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

const snapshot = (m: Map<string, number>): Ops => Object.fromEntries(m);

function diff(before: Ops, after: Ops): Ops {
  const out: Ops = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0) out[op] = d;
  }
  return out;
}

const sum = (ops: Ops, pick: (op: string) => boolean = () => true) =>
  Object.entries(ops).reduce((n, [op, c]) => (pick(op) ? n + c : n), 0);

/** "SUCCESS", "302", or "FAILED/<messageKey>": what the measured request answered. */
function answerOf(res: RawResponse): string {
  if (res.status >= 300 && res.status < 400) return String(res.status);
  const code = xmlValue(res.body, 'returncode') ?? `HTTP ${res.status}`;
  return code === 'SUCCESS' ? code : `${code}/${xmlValue(res.body, 'messageKey') ?? '?'}`;
}

function verdict(row: Row): string {
  const b = row.budget;
  if (!b) return 'info only';
  const over: string[] = [];
  if (sum(row.ops) > b.total) over.push(`total ${sum(row.ops)} > ${b.total}`);
  const reads = sum(row.ops, (op) => READS.has(op));
  const writes = sum(row.ops, (op) => WRITES.has(op));
  if (b.reads !== undefined && reads > b.reads) over.push(`reads ${reads} > ${b.reads}`);
  if (b.writes !== undefined && writes > b.writes) over.push(`writes ${writes} > ${b.writes}`);
  if (b.queries !== undefined && (row.ops.Query ?? 0) > b.queries) over.push(`queries ${row.ops.Query} > ${b.queries}`);
  return over.length ? `OVER BUDGET (${over.join(', ')})` : 'within budget';
}

function printTable(rows: Row[]): void {
  const opNames = [...new Set(rows.flatMap((r) => Object.keys(r.ops)))].sort();
  const header = ['request', 'answer', ...opNames, 'total', 'budget', 'verdict'];
  const lines = rows.map((r) => [r.name, r.answer, ...opNames.map((op) => String(r.ops[op] ?? 0)), String(sum(r.ops)), r.budget?.text ?? '-', verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
}

export async function runRoundTrips(): Promise<Row[]> {
  const t = await startTestStack({ servers: 3, env: { REGISTRY_TTL: '5', LOG_LEVEL: 'silent' } });
  const rows: Row[] = [];
  try {
    const ops = t.stack.engineOps;
    const measure = async (name: string, call: string, query: string, budget?: Budget): Promise<RawResponse> => {
      const before = snapshot(ops);
      const res = await t.call(call, query);
      rows.push({ name, answer: answerOf(res), ops: diff(before, snapshot(ops)), budget });
      return res;
    };
    const create = (id: string) => `name=Bench+${id}&meetingID=${id}&moderatorPW=mp&attendeePW=ap`;
    const join = (id: string) => `fullName=Bench+User&meetingID=${id}&password=mp&role=MODERATOR`;
    const id = (m: string) => `meetingID=${m}`;

    // Warm-up: the same sequence on a throw-away meeting, so the server snapshot is cached (TTL 5 s).
    for (const [call, q] of [
      ['create', create('warm-up')], ['create', create('warm-up')], ['join', join('warm-up')], ['getMeetingInfo', id('warm-up')],
      ['isMeetingRunning', id('warm-up')], ['getMeetings', ''], ['end', `${id('warm-up')}&password=mp`],
    ] as const) await t.call(call, q);

    const m = 'bench-meeting';
    await measure('create (new meeting)', 'create', create(m), { total: 3, text: '<= 3' });
    await measure('create (existing meeting)', 'create', create(m), { total: 2, text: '<= 2' });
    await measure('join', 'join', join(m), { total: 1, text: '1' });
    await measure('getMeetingInfo', 'getMeetingInfo', id(m), { total: 1, reads: 1, writes: 0, text: '1 read' });
    await measure('isMeetingRunning', 'isMeetingRunning', id(m), { total: 1, reads: 1, writes: 0, text: '1 read' });
    await measure('getMeetings', 'getMeetings', '', { total: 2, queries: 2, writes: 0, text: '<= 2 Query' });
    await measure('end', 'end', `${id(m)}&password=mp`, { total: 2, reads: 1, writes: 1, text: '1 read + 1 write' });

    // Informational: the same calls when the snapshot has to be reloaded (cold instance / TTL expired).
    await t.call('create', create('cold'));
    t.stack.deps.registry.invalidate();
    await measure('join, snapshot expired (info)', 'join', join('cold'));
    t.stack.deps.registry.invalidate();
    await measure('create new, snapshot expired (info)', 'create', create('cold-2'));
    await measure('isMeetingRunning, unknown meeting (info)', 'isMeetingRunning', id('nope'));
    // A meeting whose server was removed, once the snapshot no longer lists that server: twice in a row.
    await t.call('create', create('orphan'));
    const orphan = await t.stack.deps.store.meetings.get({ meetingID: 'orphan' }, Date.now());
    await t.stack.deps.store.servers.remove(orphan!.serverId);
    t.stack.deps.registry.invalidate();
    await t.call('getMeetings', ''); // reloads the snapshot without the removed server
    await measure('join, server removed, 1st (info)', 'join', join('orphan'));
    await measure('join, server removed, 2nd (info)', 'join', join('orphan'));
    await measure('isMeetingRunning, server removed (info)', 'isMeetingRunning', id('orphan'));
  } finally {
    await t.close();
  }
  return rows;
}

export async function main(): Promise<void> {
  console.log('# DynamoDB round trips per request (counted at the engine, warm snapshot, REGISTRY_TTL=5, 3 fake BBB servers)\n');
  const rows = await runRoundTrips();
  printTable(rows);
  const over = rows.filter((r) => verdict(r).startsWith('OVER'));
  console.log(over.length ? `\nOVER BUDGET: ${over.map((r) => r.name).join(', ')}` : '\nAll budgeted requests are within the DESIGN §3 budget.');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
