import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './dynamo-client.js';
import { keys } from './keys.js';

/**
 * How many poll cycles the history keeps: one item per slot, slot = cycle mod POLL_HISTORY_SLOTS, so the
 * table never holds more than this many history items (no TTL needed: dynalite has none, and DynamoDB's
 * deletes lag by up to two days).
 */
export const POLL_HISTORY_SLOTS = 20;

/** One tenant's share of a cycle (`_`: meetings without a tenant). */
export interface TenantCycleCount {
  tenantId: string;
  meetings: number;
  participants: number;
}

/** What one poll cycle found (shared/app/poll-history.ts builds it from the cycle's PollReport). */
export interface PollCycleRecord {
  /** floor(startedAt / POLL_INTERVAL) */
  cycle: number;
  /** epoch ms */
  startedAt: number;
  durationMs: number;
  servers: number;
  polled: number;
  failed: number;
  skipped: number;
  errors: number;
  online: number;
  offline: number;
  /** meetings the answering servers reported (breakout rooms included) */
  meetings: number;
  participants: number;
  /** ids, at most a few (the rest are counted in the report's log line) */
  wentOnline: string[];
  wentOffline: string[];
  /** per tenant, most participants first; at most a bounded number of them (tenantsOmitted: the rest) */
  tenants: TenantCycleCount[];
  tenantsOmitted: number;
}

type Item = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Tenants are stored as a list of `[id, meetings, participants]`: never as map keys (an id may be `__proto__`). */
function tenantsFromItem(v: unknown): TenantCycleCount[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((t) => (Array.isArray(t) && typeof t[0] === 'string' ? [{ tenantId: t[0], meetings: num(t[1]), participants: num(t[2]) }] : []));
}

export function pollCycleFromItem(item: Item): PollCycleRecord {
  return {
    cycle: num(item.cycle),
    startedAt: num(item.startedAt),
    durationMs: num(item.durationMs),
    servers: num(item.servers),
    polled: num(item.polled),
    failed: num(item.failed),
    skipped: num(item.skipped),
    errors: num(item.errors),
    online: num(item.online),
    offline: num(item.offline),
    meetings: num(item.meetings),
    participants: num(item.participants),
    wentOnline: ids(item.wentOnline),
    wentOffline: ids(item.wentOffline),
    tenants: tenantsFromItem(item.tenants),
    tenantsOmitted: num(item.tenantsOmitted),
  };
}

/** The last poll cycles: a ring of POLL_HISTORY_SLOTS items in the partition `POLLHISTORY`. */
export class PollHistoryRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Records a cycle: one conditional PutItem of its slot, which succeeds only over an older cycle (or an
   * empty slot). False when the slot already holds this cycle or a newer one — a second poller in the
   * same interval (the Lambda and `slctl poll:all`) leaves the first one's record.
   */
  async record(r: PollCycleRecord): Promise<boolean> {
    const { tenants, ...rest } = r;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.pollHistorySlot(slotOf(r.cycle)),
            type: 'pollCycle',
            ...rest,
            tenants: tenants.map((t) => [t.tenantId, t.meetings, t.participants]),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #cycle < :cycle',
          ExpressionAttributeNames: { '#cycle': 'cycle' },
          ExpressionAttributeValues: { ':cycle': r.cycle },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** The recorded cycles, newest first (at most POLL_HISTORY_SLOTS, `limit` if smaller). One Query (one page: the items are small). */
  async recent(limit = POLL_HISTORY_SLOTS): Promise<PollCycleRecord[]> {
    const out: PollCycleRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': keys.pollHistoryPartition() },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(pollCycleFromItem(item));
      start = res.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => b.cycle - a.cycle).slice(0, Math.max(0, limit));
  }
}

/** The slot of a cycle number (non-negative for any integer). */
export const slotOf = (cycle: number): number => ((Math.floor(cycle) % POLL_HISTORY_SLOTS) + POLL_HISTORY_SLOTS) % POLL_HISTORY_SLOTS;
