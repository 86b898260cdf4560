import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Server, ServerState } from '../domain/entities.js';
import { isConditionFailed } from './dynamo-client.js';
import { GSI1, keys } from './keys.js';

export interface NewServer {
  id: string;
  url: string;
  secret: string;
  state: ServerState;
  loadMultiplier?: number;
  tag?: string;
  /** max users (a positive integer); absent = no limit */
  capacity?: number;
}

/** Admin-owned attributes. `tag: null` removes the tag, `capacity: null` the capacity. */
export interface ServerConfigChanges {
  url?: string;
  secret?: string;
  state?: ServerState;
  loadMultiplier?: number | null;
  tag?: string | null;
  capacity?: number | null;
}

/** Poller-owned attributes. `load: null` removes the load (unavailable). */
export interface ServerPollChanges {
  online?: boolean;
  load?: number | null;
  meetings?: number;
  users?: number;
  largestMeeting?: number;
  videos?: number;
  bbbVersion?: string;
  healthyCounter?: number;
  unhealthyCounter?: number;
  polledAt?: number;
  /** `null` removes it (a successful poll) */
  pollError?: string | null;
}

type Item = Record<string, unknown>;

export function serverFromItem(item: Item): Server {
  return {
    id: item.id as string,
    url: item.url as string,
    secret: item.secret as string,
    state: (item.state as ServerState) ?? 'disabled',
    loadMultiplier: item.loadMultiplier as number | undefined,
    tag: (item.tag as string | undefined) || undefined,
    ...(typeof item.capacity === 'number' && item.capacity > 0 ? { capacity: item.capacity } : {}),
    online: item.online === true,
    load: typeof item.load === 'number' ? item.load : undefined,
    meetings: (item.meetings as number) ?? 0,
    users: (item.users as number) ?? 0,
    largestMeeting: (item.largestMeeting as number) ?? 0,
    videos: (item.videos as number) ?? 0,
    bbbVersion: item.bbbVersion as string | undefined,
    healthyCounter: (item.healthyCounter as number) ?? 0,
    unhealthyCounter: (item.unhealthyCounter as number) ?? 0,
    polledAt: item.polledAt as number | undefined,
    ...(typeof item.pollError === 'string' ? { pollError: item.pollError } : {}),
  };
}

/** Builds `SET a = :a, … REMOVE b` from a change set; `null` removes. */
export function updateExpression(changes: Record<string, unknown>): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} | undefined {
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${key}`] = key;
    if (value === null) removes.push(`#${key}`);
    else {
      sets.push(`#${key} = :${key}`);
      values[`:${key}`] = value;
    }
  }
  if (sets.length === 0 && removes.length === 0) return undefined;
  const parts = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean);
  return {
    UpdateExpression: parts.join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  } as { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> };
}

export class ServerRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<Server[]> {
    const out: Server[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': keys.serversPartition() },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(serverFromItem(item));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async get(id: string): Promise<Server | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.server(id), ConsistentRead: true }));
    return res.Item ? serverFromItem(res.Item) : undefined;
  }

  /** Adds a server; false when the id exists already. */
  async add(server: NewServer): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.server(server.id),
            ...keys.serverIndex(server.id),
            type: 'server',
            ...server,
            online: false,
            meetings: 0,
            users: 0,
            largestMeeting: 0,
            videos: 0,
            healthyCounter: 0,
            unhealthyCounter: 0,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Updates admin-owned attributes only; undefined when the server does not exist. Disabling also drops
   * the load (as Scalelite does), so a re-enabled server takes meetings only after its next poll.
   */
  async updateConfig(id: string, changes: ServerConfigChanges): Promise<Server | undefined> {
    return this.update(id, { ...changes, ...(changes.state === 'disabled' ? { load: null } : {}) } as Record<string, unknown>);
  }

  /** Updates poller-owned attributes only; undefined when the server no longer exists. */
  async updatePoll(id: string, changes: ServerPollChanges): Promise<Server | undefined> {
    return this.update(id, { ...changes } as Record<string, unknown>);
  }

  private async update(id: string, changes: Record<string, unknown>): Promise<Server | undefined> {
    const expr = updateExpression(changes);
    try {
      if (!expr) return await this.get(id);
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.server(id),
          ...expr,
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
        }),
      );
      return res.Attributes ? serverFromItem(res.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  async remove(id: string): Promise<boolean> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.server(id), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Atomically adds `amount` to the load of a server that is still selectable (enabled, online, polled)
   * and, with `maxLoad`, whose load is still at most that (room under its capacity); returns the new
   * load, or undefined when the server is not selectable any more or has no room left.
   */
  async reserveLoad(id: string, amount: number, maxLoad?: number): Promise<number | undefined> {
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.server(id),
          UpdateExpression: 'ADD #load :n',
          ConditionExpression: `attribute_exists(#load) AND #state = :enabled AND #online = :true${maxLoad !== undefined ? ' AND #load <= :max' : ''}`,
          ExpressionAttributeNames: { '#load': 'load', '#state': 'state', '#online': 'online' },
          ExpressionAttributeValues: { ':n': amount, ':enabled': 'enabled', ':true': true, ...(maxLoad !== undefined ? { ':max': maxLoad } : {}) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return res.Attributes?.load as number | undefined;
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /**
   * Counts one poll result with `ADD` (and resets the opposite counter): two pollers polling at once both
   * count. Sets or removes `pollError` in the same write when given. Returns the new count, or undefined
   * when the server no longer exists.
   */
  async countPoll(id: string, counter: 'healthyCounter' | 'unhealthyCounter', pollError?: string | null): Promise<number | undefined> {
    const other = counter === 'healthyCounter' ? 'unhealthyCounter' : 'healthyCounter';
    // the poll's failure reason rides along (set, or `null`: removed), so counting stays one write
    const errorSet = typeof pollError === 'string' ? ', pollError = :err' : '';
    const errorRemove = pollError === null ? ' REMOVE pollError' : '';
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.server(id),
          UpdateExpression: `ADD ${counter} :one SET ${other} = :zero${errorSet}${errorRemove}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':zero': 0, ...(errorSet ? { ':err': pollError } : {}) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return res.Attributes?.[counter] as number;
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /** Cordoned → disabled once drained; conditional, so an admin change in between wins. */
  async drainCordoned(id: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.server(id),
          UpdateExpression: 'SET #state = :disabled REMOVE #load',
          ConditionExpression: '#state = :cordoned',
          ExpressionAttributeNames: { '#state': 'state', '#load': 'load' },
          ExpressionAttributeValues: { ':disabled': 'disabled', ':cordoned': 'cordoned' },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Writes a poll's changed attributes (poller-owned only). A numeric `load` is stored only while the
   * server is not disabled: an admin who disables the server during the poll keeps it without a load
   * (the poll is then written without it). False when the server no longer exists.
   */
  async recordPoll(id: string, changes: ServerPollChanges): Promise<boolean> {
    if (typeof changes.load !== 'number') return (await this.updatePoll(id, changes)) !== undefined;
    const expr = updateExpression({ ...changes } as Record<string, unknown>)!;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.server(id),
          ...expr,
          ConditionExpression: 'attribute_exists(pk) AND #state <> :disabled',
          ExpressionAttributeNames: { ...expr.ExpressionAttributeNames, '#state': 'state' },
          ExpressionAttributeValues: { ...expr.ExpressionAttributeValues, ':disabled': 'disabled' },
        }),
      );
      return true;
    } catch (e) {
      if (!isConditionFailed(e)) throw e;
      const { load: _dropped, ...rest } = changes;
      return (await this.updatePoll(id, rest)) !== undefined;
    }
  }
}
