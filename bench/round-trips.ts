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
import { addTenant } from '../shared/app/tenant-admin.js';
import { setTenantLimits } from '../shared/app/tenant-limits.js';
import { rawRequest, signQuery, startTestStack, xmlValue, type RawResponse } from '../test/helpers/test-stack.js';

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

    // Issue 16: a size-hinted create (meta_expected-participants) on servers with capacities: the same
    // budget — the capacity check is in the snapshot, the reservation the same conditional ADD.
    for (const server of await t.stack.deps.store.servers.list()) await t.stack.deps.store.servers.updateConfig(server.id, { capacity: 500 });
    t.stack.deps.registry.invalidate();
    await t.call('getMeetings', ''); // reload the snapshot with the capacities
    const hinted = 'bench-hinted';
    await measure('create (new, hinted, capacities)', 'create', `${create(hinted)}&meta_expected-participants=80`, { total: 3, text: '<= 3' });
    await measure('create (existing, hinted)', 'create', `${create(hinted)}&meta_expected-participants=80`, { total: 2, text: '<= 2' });
    await measure('create (new, maxParticipants)', 'create', `${create('bench-max')}&maxParticipants=40`, { total: 3, text: '<= 3' });

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

/**
 * Tenant limits (issue 16): join and create of an unlimited tenant and of a limited one (both limits set,
 * far from reached), multitenant stack, warm snapshot. Budget: unlimited as every tenant before; a limited
 * tenant's join and new-meeting create one conditional counter write more, an existing create none.
 */
export async function runTenantRoundTrips(): Promise<Row[]> {
  const t = await startTestStack({ servers: 3, env: { REGISTRY_TTL: '5', LOG_LEVEL: 'silent', MULTITENANCY_ENABLED: 'true', URL_HOST: 'sl.example.com' } });
  const rows: Row[] = [];
  try {
    const { deps } = t.stack;
    const free = await addTenant(deps, 'free', 'free-secret');
    const plan = await addTenant(deps, 'plan', 'plan-secret');
    await setTenantLimits(deps, plan.id, { maxMeetings: 100, maxParticipants: 1000 });
    deps.registry.invalidate();
    const call = (tenant: { name: string }, secret: string, api: string, query: string) =>
      rawRequest(t.url, `/bigbluebutton/api/${api}?${signQuery(api, query, secret)}`, { headers: { Host: `${tenant.name}.sl.example.com` } });
    const measure = async (name: string, run: () => Promise<RawResponse>, budget: Budget) => {
      const before = snapshot(t.stack.engineOps);
      const res = await run();
      rows.push({ name, answer: answerOf(res), ops: diff(before, snapshot(t.stack.engineOps)), budget });
    };
    const create = (m: string) => `name=Bench&meetingID=${m}&moderatorPW=mp&attendeePW=ap`;
    const join = (m: string) => `fullName=Bench+User&meetingID=${m}&password=ap`;
    for (const [tenant, secret] of [[free, 'free-secret'], [plan, 'plan-secret']] as const) {
      await call(tenant, secret, 'create', create('warm-up')); // the snapshot (servers + tenants) is loaded here
      await call(tenant, secret, 'join', join('warm-up'));
    }
    for (const [tenant, secret, label, extra] of [[free, 'free-secret', 'unlimited tenant', 0], [plan, 'plan-secret', 'limited tenant', 1]] as const) {
      await measure(`create new, ${label}`, () => call(tenant, secret, 'create', create('bench')), { total: 3 + extra, text: `<= ${3 + extra}` });
      await measure(`create existing, ${label}`, () => call(tenant, secret, 'create', create('bench')), { total: 2, text: '<= 2' });
      await measure(`join, ${label}`, () => call(tenant, secret, 'join', join('bench')), { total: 1 + extra, reads: 1, text: extra ? '1 read + 1 write' : '1' });
    }
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
  console.log('\n# Tenant limits: unlimited vs limited tenant (multitenant, warm snapshot)\n');
  const tenantRows = await runTenantRoundTrips();
  printTable(tenantRows);
  const tenantOver = tenantRows.filter((r) => verdict(r).startsWith('OVER'));
  console.log(tenantOver.length ? `\nOVER BUDGET: ${tenantOver.map((r) => r.name).join(', ')}` : '\nAll within budget.');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
