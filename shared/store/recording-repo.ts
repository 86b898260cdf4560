import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Recording } from '../domain/recording.js';
import { matchesFilter, newestFirst, type Page, type RecordingFilter } from '../domain/recording-filters.js';
import { isConditionFailed } from './dynamo-client.js';
import { GSI1, GSI2, GSI3, keys, NO_TENANT, startKey } from './keys.js';
import { filterExpression } from './recording-filter-expression.js';

type Item = Record<string, unknown>;

const FIELDS = ['recordID', 'meetingID', 'tenantId', 'name', 'published', 'protected', 'state', 'startTime', 'endTime', 'participants', 'metadata', 'formats', 'publishUpdated', 'importedAt', 'version'] as const;

/** How often `update` re-reads and retries when another writer changed the recording in between. */
const UPDATE_TRIES = 5;

/** Queries in flight at once for a list of meetingIDs or record id prefixes. */
const QUERY_CONCURRENCY = 16;

/** A recording as the start-time index (GSI3) shows it: what the retention job needs to decide. */
export interface RecordingStart {
  recordID: string;
  meetingID: string;
  state?: Recording['state'];
  /** epoch ms; 0 when unknown */
  startTime: number;
}

/** A page of a tenant's recordings and how many match in all (BBB's `totalElements`). */
export interface RecordingsPage {
  recordings: Recording[];
  total: number;
}

async function eachBounded<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(QUERY_CONCURRENCY, items.length)) }, worker));
  return results;
}

const sameTenant = (r: Recording, tenantId: string | undefined) => (r.tenantId ?? NO_TENANT) === (tenantId ?? NO_TENANT);

/** DynamoDB's key limits: no item can have a longer partition (2,048 bytes) or sort key (1,024 bytes), so no Query is needed. */
const fitsPartitionKey = (value: string) => Buffer.byteLength(value) <= 2048;
const fitsSortKey = (value: string) => Buffer.byteLength(value) <= 1024;

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

  /** The recordings with these ids, in the order given (unknown ids left out). BatchGetItem, 100 a call, a few calls at once. */
  async getMany(recordIDs: readonly string[]): Promise<Recording[]> {
    const unique = [...new Set(recordIDs)];
    const found = new Map<string, Recording>();
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    await eachBounded(chunks, async (chunk) => {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> | undefined = {
        [this.table]: { Keys: chunk.map((id) => keys.recording(id)), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of res.Responses?.[this.table] ?? []) found.set(item.recordID as string, recordingFromItem(item));
        request = res.UnprocessedKeys as typeof request;
      }
    });
    return unique.filter((id) => found.has(id)).map((id) => found.get(id)!);
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

  /**
   * Deletes the recording item if it is still the version that was read (files are the caller's
   * business). False when it changed meanwhile (a re-import, an admin's update) or is gone already.
   */
  async deleteIfUnchanged(recordID: string, version: number | undefined): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.recording(recordID),
          ...(version === undefined
            ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } }),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  // ---- queries (no Scan anywhere). Every listing is one tenant's (`undefined` = recordings without a tenant). ----

  /**
   * A tenant's recordings of one meetingID, newest first: 1 Query on GSI1 (`RECORDINGS#<tenant>#M#<meetingID>`,
   * ALL projection), another only per 1 MB of that meeting's recordings. The filter's states and meta
   * conditions go into the FilterExpression.
   */
  async byMeeting(tenantId: string | undefined, meetingID: string, filter: RecordingFilter): Promise<Recording[]> {
    const partition = keys.recordingsOfMeetingPartition(tenantId, meetingID);
    if (!fitsPartitionKey(partition)) return [];
    const items = await this.queryAll({ IndexName: GSI1, ScanIndexForward: false, ...this.keyCondition('gsi1pk', partition) }, { ...filter, meetingIDs: undefined });
    return items.map(recordingFromItem).filter((r) => sameTenant(r, tenantId) && r.meetingID === meetingID && matchesFilter(r, filter));
  }

  /** The recordings of several meetingIDs: one `byMeeting` Query each, in parallel, merged newest first. */
  async byMeetingIDs(tenantId: string | undefined, meetingIDs: readonly string[], filter: RecordingFilter): Promise<Recording[]> {
    const lists = await eachBounded([...new Set(meetingIDs)], (id) => this.byMeeting(tenantId, id, filter));
    return lists.flat().sort(newestFirst);
  }

  /**
   * A tenant's recordings whose record id starts with the prefix (case-sensitive; a whole id is its own
   * prefix): 1 Query on GSI2 (`RECORDINGS#<tenant>`, `begins_with(<recordID>)`, ALL projection).
   */
  async byRecordIdPrefix(tenantId: string | undefined, prefix: string, filter: RecordingFilter): Promise<Recording[]> {
    if (prefix === '' || !fitsSortKey(prefix)) return [];
    const items = await this.queryAll(
      {
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.recordingsPartition(tenantId), ':prefix': prefix },
      },
      filter,
    );
    return items.map(recordingFromItem).filter((r) => sameTenant(r, tenantId) && r.recordID.startsWith(prefix) && matchesFilter(r, filter));
  }

  /** Several prefixes: one Query each, in parallel; a recording matched by two prefixes comes once; newest first. */
  async byRecordIdPrefixes(tenantId: string | undefined, prefixes: readonly string[], filter: RecordingFilter): Promise<Recording[]> {
    const lists = await eachBounded([...new Set(prefixes)], (p) => this.byRecordIdPrefix(tenantId, p, filter));
    const unique = new Map<string, Recording>();
    for (const r of lists.flat()) unique.set(r.recordID, r);
    return [...unique.values()].sort(newestFirst);
  }

  /**
   * Every recording of a tenant that matches, newest first (getRecordings without pagination). Without meta
   * filters most of the tenant matches: its GSI2 partition (ALL projection) is read whole, 1 Query per 1 MB
   * of its recordings, the states filtered in the Query. With meta filters (selective): the matching ids
   * from GSI3 (`matchingIds`), then those recordings, 100 per BatchGetItem.
   */
  async list(tenantId: string | undefined, filter: RecordingFilter): Promise<Recording[]> {
    if (filter.meta.length > 0) return (await this.getMany(await this.matchingIds(tenantId, filter))).filter((r) => sameTenant(r, tenantId));
    const items = await this.queryAll({ IndexName: GSI2, ...this.keyCondition('gsi2pk', keys.recordingsPartition(tenantId)) }, filter);
    return items.map(recordingFromItem).filter((r) => sameTenant(r, tenantId) && matchesFilter(r, filter)).sort(newestFirst);
  }

  /**
   * The record ids of a tenant's matching recordings, newest first, from GSI3 (start time order; it
   * projects only recordID, meetingID, state, startTime, metadata): 1 Query per 1 MB of the tenant's index
   * entries, returning only the ids when the whole filter fits the FilterExpression.
   */
  async matchingIds(tenantId: string | undefined, filter: RecordingFilter): Promise<string[]> {
    const parts = filterExpression(filter);
    const projection = parts.complete
      ? { ProjectionExpression: 'recordID' }
      : { ProjectionExpression: 'recordID, meetingID, #st, startTime, #md', ExpressionAttributeNames: { '#st': 'state', '#md': 'metadata' } };
    const items = await this.queryAll({ IndexName: GSI3, ScanIndexForward: false, ...this.keyCondition('gsi3pk', keys.recordingsPartition(tenantId)), ...projection }, filter, parts);
    const matching = parts.complete ? items : items.filter((i) => matchesFilter({ state: i.state as Recording['state'], meetingID: i.meetingID as string, metadata: (i.metadata as Record<string, string> | undefined) ?? {} }, filter));
    return matching.map((i) => i.recordID as string);
  }

  /**
   * One page of a tenant's matching recordings, newest first, and the number of matches: the ids from
   * GSI3 (`matchingIds`: 1 Query per 1 MB of the tenant's index entries — one for a tenant of up to a few
   * thousand recordings; the total comes from the same pass), then the page's recordings with one
   * BatchGetItem (a page is at most 100). An empty page costs no BatchGetItem.
   */
  async page(tenantId: string | undefined, filter: RecordingFilter, page: Page): Promise<RecordingsPage> {
    const ids = await this.matchingIds(tenantId, filter);
    const wanted = ids.slice(page.offset, page.offset + page.limit);
    return { recordings: wanted.length > 0 ? (await this.getMany(wanted)).filter((r) => sameTenant(r, tenantId)) : [], total: ids.length };
  }

  /** The record ids of the recordings without a tenant (`recordings:addToTenant`): GSI2 `RECORDINGS#_`, ids only. */
  async idsWithoutTenant(): Promise<string[]> {
    const items = await this.queryAll({ IndexName: GSI2, ...this.keyCondition('gsi2pk', keys.recordingsPartition(undefined)), ProjectionExpression: 'recordID' }, { meta: [] });
    return items.map((i) => i.recordID as string);
  }

  /**
   * A tenant's recordings that started before `before` (epoch ms), oldest first — those of unknown start
   * time (0) among them: one Query of its GSI3 partition with `gsi3sk < <start key of before>`, the
   * index's own attributes only, one more per 1 MB of results.
   */
  async startedBefore(tenantId: string | undefined, before: number): Promise<RecordingStart[]> {
    const items = await this.queryAll(
      {
        IndexName: GSI3,
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': keys.recordingsPartition(tenantId), ':before': startKey(before) },
        ProjectionExpression: 'recordID, meetingID, #st, startTime',
        ExpressionAttributeNames: { '#st': 'state' },
      },
      { meta: [] },
    );
    return items.map((i) => ({
      recordID: i.recordID as string,
      meetingID: (i.meetingID as string | undefined) ?? '',
      ...(i.state !== undefined ? { state: i.state as Recording['state'] } : {}),
      startTime: typeof i.startTime === 'number' ? i.startTime : 0,
    }));
  }

  private keyCondition(attribute: string, value: string): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
    return { KeyConditionExpression: `${attribute} = :pk`, ExpressionAttributeValues: { ':pk': value } };
  }

  /** Every page of a Query, the filter pushed into it as far as it goes. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>, filter: RecordingFilter, parts = filterExpression(filter)): Promise<Item[]> {
    const names = { ...input.ExpressionAttributeNames, ...parts.ExpressionAttributeNames };
    const request: QueryCommandInput = {
      ...input,
      TableName: this.table,
      ...(parts.FilterExpression ? { FilterExpression: parts.FilterExpression } : {}),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...parts.ExpressionAttributeValues },
    };
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ ...request, ...(start ? { ExclusiveStartKey: start } : {}) }));
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
