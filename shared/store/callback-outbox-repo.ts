import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './dynamo-client.js';
import { GSI1, startKey } from './keys.js';

/**
 * The recording-ready outbox: one item per announced import of a recording, so the callback is posted
 * once per import and retried with backoff without anybody sleeping (shared/app/recording-ready.ts).
 *
 * - item `RECORDINGREADY#<recordID>` / `IMPORT#<import key>` (the upload's object key): a conditional put
 *   makes the announcement of one import unique, whoever delivers the S3 event and however often;
 * - while pending it sits on GSI1 partition `RECORDINGREADY#DUE`, sorted by `<nextAttemptAt>#…`, so the
 *   due announcements are one Query (`gsi1sk < <now+1>`); a finished one leaves the index (sparse) and
 *   stays as the import's marker until the table's TTL (`expiresAt`) removes it;
 * - an attempt is made by whoever *claims* the item: a conditional update (on the `nextAttemptAt` and
 *   `attempts` it read) that moves `nextAttemptAt` a lease ahead and stores a claim token; the outcome is
 *   written only under that token. Two pollers (the Lambda and `slctl serve`/`poll:all`) never post the
 *   same attempt twice, and an attempt whose runner died is taken up again when its lease ends.
 */
export const OUTBOX_DUE_PARTITION = 'RECORDINGREADY#DUE';

/** Import keys longer than this are replaced by their SHA-256 in the item's keys (DynamoDB key limits). */
const MAX_KEY_PART = 400;

const keyPart = (importKey: string): string =>
  importKey.length <= MAX_KEY_PART ? importKey : `sha256:${createHash('sha256').update(importKey, 'utf8').digest('hex')}`;

export const outboxKeys = {
  callback: (recordID: string, importKey: string) => ({ pk: `RECORDINGREADY#${recordID}`, sk: `IMPORT#${keyPart(importKey)}` }),
  due: (nextAttemptAt: number, recordID: string, importKey: string) => ({
    gsi1pk: OUTBOX_DUE_PARTITION,
    gsi1sk: `${startKey(nextAttemptAt)}#${recordID}#${keyPart(importKey)}`,
  }),
  /** every sort key due at or before `nowMs` is below this */
  dueBefore: (nowMs: number) => startKey(nowMs + 1),
} as const;

export type CallbackState = 'pending' | 'delivered' | 'stopped' | 'failed';

export interface OutboxCallback {
  recordID: string;
  /** what makes this announcement unique besides the record id: the upload's object key */
  importKey: string;
  /** the front-end's meetingID */
  meetingID: string;
  tenantId?: string;
  /** captured at announcement (the meeting's recording-ready URL) */
  url: string;
  state: CallbackState;
  /** attempts started (claimed) so far */
  attempts: number;
  /** epoch ms: when the next attempt is due (for a claimed item: when its lease ends) */
  nextAttemptAt: number;
  /** token of the current claim */
  claim?: string;
  createdAt: number;
  /** last HTTP status or transport error, for operators */
  lastResult?: string;
  finishedAt?: number;
}

/** Finished items stay this long as the import's marker (a redelivered S3 event does not announce again). */
export const OUTBOX_RETENTION_S = 30 * 24 * 3600;

type Item = Record<string, unknown>;

const FIELDS = ['recordID', 'importKey', 'meetingID', 'tenantId', 'url', 'state', 'attempts', 'nextAttemptAt', 'claim', 'createdAt', 'lastResult', 'finishedAt'] as const;

function callbackFromItem(item: Item): OutboxCallback {
  const c: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) c[f] = item[f];
  return c as unknown as OutboxCallback;
}

export interface NewCallback {
  recordID: string;
  importKey: string;
  meetingID: string;
  tenantId?: string;
  url: string;
}

export class CallbackOutboxRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Records the announcement of one import, claimed by its creator for its first attempt (lease until
   * `leaseUntil`, token `claim`). Undefined when this import was announced before (conditional put).
   */
  async create(c: NewCallback, nowMs: number, leaseUntil: number, claim: string): Promise<OutboxCallback | undefined> {
    const entry: OutboxCallback = { ...c, state: 'pending', attempts: 1, nextAttemptAt: leaseUntil, claim, createdAt: nowMs };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...outboxKeys.callback(c.recordID, c.importKey),
            ...outboxKeys.due(leaseUntil, c.recordID, c.importKey),
            type: 'recordingReadyCallback',
            ...entry,
            expiresAt: Math.floor(nowMs / 1000) + OUTBOX_RETENTION_S,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return entry;
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /** The pending announcements due at `nowMs`, oldest first: one Query of the GSI1 partition (at most `limit`). */
  async listDue(nowMs: number, limit: number): Promise<OutboxCallback[]> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :due',
        ExpressionAttributeValues: { ':p': OUTBOX_DUE_PARTITION, ':due': outboxKeys.dueBefore(nowMs) },
        Limit: limit,
      }),
    );
    return (res.Items ?? []).map(callbackFromItem);
  }

  /**
   * Claims a due announcement as `listDue` returned it (the index may lag: the condition checks the item
   * itself): one more attempt, leased until `leaseUntil`. Undefined when someone else claimed or finished it.
   */
  async claim(seen: OutboxCallback, leaseUntil: number, claim: string): Promise<OutboxCallback | undefined> {
    const due = outboxKeys.due(leaseUntil, seen.recordID, seen.importKey);
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: outboxKeys.callback(seen.recordID, seen.importKey),
          UpdateExpression: 'SET nextAttemptAt = :lease, gsi1sk = :sk, attempts = :next, claim = :claim',
          ConditionExpression: '#state = :pending AND nextAttemptAt = :seenAt AND attempts = :seenAttempts',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':lease': leaseUntil,
            ':sk': due.gsi1sk,
            ':next': seen.attempts + 1,
            ':claim': claim,
            ':pending': 'pending',
            ':seenAt': seen.nextAttemptAt,
            ':seenAttempts': seen.attempts,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return callbackFromItem(res.Attributes ?? {});
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /**
   * After an attempt that failed for now: due again at `nextAttemptAt` (`attempts` lets an attempt that
   * was never really made — the poll cycle's deadline — be given back). False when the claim was lost.
   */
  async reschedule(c: OutboxCallback, claim: string, nextAttemptAt: number, lastResult: string, attempts = c.attempts): Promise<boolean> {
    return this.conditional(c, claim, 'SET nextAttemptAt = :at, gsi1sk = :sk, attempts = :attempts, lastResult = :result REMOVE claim', {
      ':at': nextAttemptAt,
      ':sk': outboxKeys.due(nextAttemptAt, c.recordID, c.importKey).gsi1sk,
      ':attempts': attempts,
      ':result': lastResult,
    });
  }

  /** Ends the announcement (it leaves the due index and stays as the import's marker). False when the claim was lost. */
  async finish(c: OutboxCallback, claim: string, state: Exclude<CallbackState, 'pending'>, lastResult: string, nowMs: number): Promise<boolean> {
    return this.conditional(c, claim, 'SET #state = :state, lastResult = :result, finishedAt = :now REMOVE claim, gsi1pk, gsi1sk', {
      ':state': state,
      ':result': lastResult,
      ':now': nowMs,
    });
  }

  /** One announcement (strongly consistent), for operators and tests. */
  async get(recordID: string, importKey: string): Promise<OutboxCallback | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: outboxKeys.callback(recordID, importKey), ConsistentRead: true }));
    return res.Item ? callbackFromItem(res.Item) : undefined;
  }

  private async conditional(c: OutboxCallback, claim: string, update: string, values: Item): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: outboxKeys.callback(c.recordID, c.importKey),
          UpdateExpression: update,
          ConditionExpression: '#state = :pending AND claim = :claim',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...values, ':pending': 'pending', ':claim': claim },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }
}
