import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Recording } from '../domain/recording.js';
import { isConditionFailed } from './dynamo-client.js';
import { keys } from './keys.js';

type Item = Record<string, unknown>;

const FIELDS = ['recordID', 'meetingID', 'tenantId', 'name', 'published', 'protected', 'state', 'startTime', 'endTime', 'participants', 'metadata', 'formats', 'publishUpdated', 'importedAt', 'version'] as const;

/** How often `update` re-reads and retries when another writer changed the recording in between. */
const UPDATE_TRIES = 5;

export function recordingFromItem(item: Item): Recording {
  const r: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) r[f] = item[f];
  r.metadata = { ...((item.metadata as Record<string, string> | undefined) ?? {}) };
  r.formats = { ...((item.formats as Recording['formats'] | undefined) ?? {}) };
  return r as unknown as Recording;
}

/** The stored item: the recording and its keys in the tenant's partitions (by meetingID, record id, start time). */
export function itemFromRecording(r: Recording): Item {
  const item: Item = {
    ...keys.recording(r.recordID),
    ...keys.recordingByMeeting(r.tenantId, r.meetingID, r.startTime, r.recordID),
    ...keys.recordingById(r.tenantId, r.recordID),
    ...keys.recordingByStart(r.tenantId, r.startTime, r.recordID),
    type: 'recording',
  };
  for (const f of FIELDS) if (r[f] !== undefined) item[f] = r[f];
  return item;
}

/** The recordings in the one table (reference §4.2). Every write is conditional on the version read. */
export class RecordingRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** One GetItem (strongly consistent). */
  async get(recordID: string): Promise<Recording | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.recording(recordID), ConsistentRead: true }));
    return res.Item ? recordingFromItem(res.Item) : undefined;
  }

  /** The recordings with these ids, in the order given (unknown ids left out). BatchGetItem, 100 a call. */
  async getMany(recordIDs: readonly string[]): Promise<Recording[]> {
    const unique = [...new Set(recordIDs)];
    const found = new Map<string, Recording>();
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> | undefined = {
        [this.table]: { Keys: unique.slice(i, i + 100).map((id) => keys.recording(id)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.table] ?? []) found.set(item.recordID as string, recordingFromItem(item));
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return recordIDs.filter((id, i) => found.has(id) && recordIDs.indexOf(id) === i).map((id) => found.get(id)!);
  }

  /**
   * Writes the recording if nobody else did since it was read (`version` as read; undefined = it must be
   * new). Returns false when the condition failed. The stored version is one more.
   */
  async save(r: Recording): Promise<boolean> {
    const next: Recording = { ...r, version: (r.version ?? 0) + 1 };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: itemFromRecording(next),
          ...(r.version === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': r.version } }),
        }),
      );
      r.version = next.version;
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Read-modify-write of one recording (1 read + 1 write unless another writer came in between, then
   * again): `change` gets the stored recording (undefined when there is none) and returns what to store,
   * or undefined to leave it as it is. Returns what is stored afterwards.
   */
  async update(recordID: string, change: (current: Recording | undefined) => Recording | undefined): Promise<Recording | undefined> {
    for (let i = 0; i < UPDATE_TRIES; i++) {
      const current = await this.get(recordID);
      const next = change(current === undefined ? undefined : structuredClone(current));
      if (next === undefined) return current;
      if (await this.save({ ...next, recordID, version: current?.version })) return { ...next, version: (current?.version ?? 0) + 1 };
    }
    throw new Error(`recording ${recordID} kept changing while it was being updated; try again`);
  }
}
