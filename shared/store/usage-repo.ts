import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Day } from '../domain/usage-ledger.js';
import type { UsageDay } from '../domain/usage-report.js';
import { isConditionFailed } from './dynamo-client.js';
import { GSI1, keys } from './keys.js';

type Item = Record<string, unknown>;

/** What a cycle adds to one tenant-day (seconds). */
export interface CycleDelta {
  meetingsStarted: number;
  meetingSeconds: number;
  participantSeconds: number;
  breakoutParticipantSeconds: number;
  /** the cycle's concurrent participants: becomes the day's peak when the day has none yet */
  participants: number;
}

/** The tenant-day as it was before a cycle's accrual (ReturnValues ALL_OLD). */
export interface BeforeAccrual {
  /** the previous cycle that counted for this tenant-day; undefined: this is its first */
  lastCycle?: number;
  peakParticipants?: number;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function usageDayFromItem(item: Item): UsageDay {
  return {
    tenantId: item.tenantId as string,
    day: item.day as string,
    meetingsStarted: num(item.meetingsStarted),
    meetingSeconds: num(item.meetingSeconds),
    participantSeconds: num(item.participantSeconds),
    breakoutParticipantSeconds: num(item.breakoutParticipantSeconds),
    peakParticipants: num(item.peakParticipants),
    recordings: num(item.recordings),
    recordingBytes: num(item.recordingBytes),
  };
}

/**
 * The usage ledger (docs/ARCHITECTURE.md "Data"): one small item per tenant and UTC day,
 * `USAGE#<tenant>` / `DAY#<YYYY-MM-DD>`, also on GSI1 as `USAGE` / `<day>#<tenant>`. Every write is one
 * UpdateItem with ADD (counters never lose an update between the poller and the importer).
 */
export class UsageRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The identity attributes every write sets (the first write of a tenant-day creates the item). */
  private identity(tenantId: string, day: Day) {
    return {
      names: { '#type': 'type', '#day': 'day', '#tenantId': 'tenantId', '#gsi1pk': 'gsi1pk', '#gsi1sk': 'gsi1sk' },
      set: '#type = :type, #tenantId = :tenantId, #day = :day, #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk',
      values: { ':type': 'UsageDay', ':tenantId': tenantId, ':day': day, ':gsi1pk': keys.usageDayIndex(tenantId, day).gsi1pk, ':gsi1sk': keys.usageDayIndex(tenantId, day).gsi1sk },
    };
  }

  /**
   * Adds one cycle to a tenant-day unless that cycle (or a later one) was counted already: one UpdateItem
   * conditioned on `lastCycle < cycle`. Returns the tenant-day as it was before, or undefined when the
   * condition failed (the cycle was counted by another poller: nothing to do).
   */
  async accrueCycle(tenantId: string, day: Day, cycle: number, d: CycleDelta): Promise<BeforeAccrual | undefined> {
    const id = this.identity(tenantId, day);
    try {
      const r = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.usageDay(tenantId, day),
          UpdateExpression: `SET ${id.set}, lastCycle = :cycle, peakParticipants = if_not_exists(peakParticipants, :participants) ADD meetingsStarted :started, meetingSeconds :ms, participantSeconds :ps, breakoutParticipantSeconds :bs`,
          ConditionExpression: 'attribute_not_exists(lastCycle) OR lastCycle < :cycle',
          ExpressionAttributeNames: id.names,
          ExpressionAttributeValues: {
            ...id.values,
            ':cycle': cycle,
            ':participants': d.participants,
            ':started': d.meetingsStarted,
            ':ms': d.meetingSeconds,
            ':ps': d.participantSeconds,
            ':bs': d.breakoutParticipantSeconds,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = r.Attributes ?? {};
      return {
        ...(typeof old.lastCycle === 'number' ? { lastCycle: old.lastCycle } : {}),
        ...(typeof old.peakParticipants === 'number' ? { peakParticipants: old.peakParticipants } : {}),
      };
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /** Raises the day's peak to `participants` if it is lower (DynamoDB has no max: a conditional SET). */
  async raisePeak(tenantId: string, day: Day, participants: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.usageDay(tenantId, day),
          UpdateExpression: 'SET peakParticipants = :p',
          ConditionExpression: 'attribute_exists(pk) AND peakParticipants < :p',
          ExpressionAttributeValues: { ':p': participants },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Adds meetings found started in cycles its tenant-day missed (the rare second write of a cycle). */
  async addStarted(tenantId: string, day: Day, started: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.usageDay(tenantId, day),
        UpdateExpression: 'ADD meetingsStarted :n',
        ExpressionAttributeValues: { ':n': started },
      }),
    );
  }

  /** Adds an imported recording (`recordings` 0 or 1) and the bytes it stored to a tenant-day. */
  async addRecording(tenantId: string, day: Day, recordings: number, bytes: number): Promise<void> {
    const id = this.identity(tenantId, day);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.usageDay(tenantId, day),
        UpdateExpression: `SET ${id.set} ADD recordings :n, recordingBytes :b`,
        ExpressionAttributeNames: id.names,
        ExpressionAttributeValues: { ...id.values, ':n': recordings, ':b': bytes },
      }),
    );
  }

  /** A tenant's days `from` … `to` (inclusive), by day: one Query (paged). */
  listTenant(tenantId: string, from: Day, to: Day): Promise<UsageDay[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': keys.usagePartition(tenantId), ':low': keys.usageDaySk(from), ':high': keys.usageDaySk(to) },
    });
  }

  /** Every tenant's days `from` … `to` (inclusive), by day then tenant: one Query of GSI1 (paged), no Scan. */
  listAll(from: Day, to: Day): Promise<UsageDay[]> {
    const range = keys.usageIndexRange(from, to);
    return this.queryAll({
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': keys.usageIndexPartition(), ':low': range.low, ':high': range.high },
    });
  }

  private async queryAll(input: { IndexName?: string; KeyConditionExpression: string; ExpressionAttributeValues: Item }): Promise<UsageDay[]> {
    const out: UsageDay[] = [];
    let start: Item | undefined;
    do {
      const r = await this.db.send(new QueryCommand({ TableName: this.table, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of r.Items ?? []) out.push(usageDayFromItem(item));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
