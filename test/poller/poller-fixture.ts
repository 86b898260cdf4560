/**
 * A local stack with fake BBB servers whose time, like the stack's, is a clock the test moves by hand.
 * Servers are `bbb-1` … `bbb-N`, enabled and polled once (online) unless told otherwise.
 */
import { injectDynamoFaults } from '../helpers/dynamo-faults.js';
import type { Logger, LogFields } from '../../shared/app/logger.js';
import { pollAll, type PollOptions, type PollReport } from '../../shared/app/poll-servers.js';
import type { Env } from '../../shared/config/env-names.js';
import { multiplierOf, type Meeting, type Server } from '../../shared/domain/entities.js';
import { pendingMeetingWeight } from '../../shared/domain/server-load.js';
import { FakeBbb, type FakeMeeting } from '../fake-bbb/fake-bbb-server.js';
import { startTestStack, type TestStack } from '../helpers/test-stack.js';

export const MIN = 60_000;

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

export interface PollerFixture {
  t: TestStack;
  fakes: FakeBbb[];
  logs: LogLine[];
  /** the fixture's time, epoch ms */
  now(): number;
  advance(ms: number): void;
  poll(opts?: PollOptions): Promise<PollReport>;
  server(id: string): Promise<Server>;
  record(meetingID: string): Promise<Meeting | undefined>;
  /** the `<meeting>` snapshot getMeetings serves for it (its MeetingInfo item) */
  snapshot(meetingID: string): Promise<string | undefined>;
  /**
   * A meeting on fake `index` (0-based) with `users` attendees, and its record on `bbb-<index+1>` with the
   * load a create reserves, both created `ageMs` ago (default an hour).
   */
  place(index: number, meetingID: string, opts?: { ageMs?: number; onFake?: boolean; users?: number; moderators?: number } & Partial<Omit<FakeMeeting, 'attendees'>>): Promise<void>;
  /** DynamoDB write operations the engine served since the last call */
  writesSince(): number;
  close(): Promise<void>;
}

const WRITE_OPS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
/** items the poll-cycle hooks write (shared/app/poll-cycle-hooks.ts) */
const HOOK_ITEMS = /^(POLLHISTORY|USAGE#|TENANTLOAD#)/;

export async function startPollerFixture(opts: { servers: number; env?: Env; fakeOptions?: (i: number) => { bbbVersion?: string } }): Promise<PollerFixture> {
  let time = Date.UTC(2026, 0, 5, 10, 0, 0);
  const now = () => time;
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (msg, fields = {}) => void logs.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => void logs.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => void logs.push({ level: 'error', msg, fields }),
  };
  const t = await startTestStack({ env: opts.env, clock: now, log });
  const fakes: FakeBbb[] = [];
  for (let i = 0; i < opts.servers; i++) {
    const fake = await FakeBbb.start({ now, ...opts.fakeOptions?.(i) });
    fakes.push(fake);
    await t.addServer(fake, { id: `bbb-${i + 1}` });
  }
  // The poller's own writes (servers, meetings, voice bridges): the per-cycle bookkeeping of the poll-cycle
  // hooks (the usage ledger, the poll history) is theirs to test, and counted apart.
  let hookWrites = 0;
  injectDynamoFaults(t.stack.db, (call) => {
    if (HOOK_ITEMS.test(call.pk ?? '') && WRITE_OPS.some((op) => call.command === `${op}Command`)) hookWrites++;
    return undefined;
  });
  const writes = () => WRITE_OPS.reduce((n, op) => n + (t.stack.engineOps.get(op) ?? 0), 0) - hookWrites;
  let writesMark = writes();
  const f: PollerFixture = {
    t,
    fakes,
    logs,
    now,
    advance: (ms) => void (time += ms),
    poll: (o) => pollAll(t.stack.deps, o),
    server: async (id) => (await t.stack.deps.store.servers.get(id))!,
    record: (id) => t.stack.deps.store.meetings.get({ meetingID: id }, time),
    snapshot: async (id) => (await t.stack.deps.store.meetings.listWithInfoByTenant(undefined, time)).find((x) => x.meeting.meetingID === id)?.info?.xml,
    async place(index, meetingID, o = {}) {
      const { ageMs = 60 * MIN, onFake = true, users = 0, moderators = 0, ...fake } = o;
      const createdAt = time - ageMs;
      if (onFake) {
        fakes[index].addMeeting({ meetingID, createTime: createdAt, ...fake });
        for (let a = 0; a < users; a++) fakes[index].addAttendee(meetingID, { role: a < moderators ? 'MODERATOR' : 'VIEWER' });
      }
      const ok = await t.stack.deps.store.meetings.create(
        { meetingID, serverId: `bbb-${index + 1}`, moderatorPW: 'mp', voiceBridge: String(10_000 + Math.floor(Math.random() * 80_000)), createdAt, expiresAt: Math.floor(time / 1000) + 86_400 },
        time,
      );
      if (!ok) throw new Error(`record ${meetingID} exists`);
      const server = (await t.stack.deps.store.servers.get(`bbb-${index + 1}`))!;
      await t.stack.deps.store.servers.reserveLoad(server.id, pendingMeetingWeight(t.stack.config) * multiplierOf(server));
    },
    writesSince() {
      const w = writes();
      const d = w - writesMark;
      writesMark = w;
      return d;
    },
    async close() {
      await t.close();
      await Promise.all(fakes.map((fk) => fk.stop()));
    },
  };
  return f;
}

/** Resolves once `check` holds (polled on the event loop; no clock involved). */
export async function until(check: () => boolean | Promise<boolean>, what: string, limit = 2_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
