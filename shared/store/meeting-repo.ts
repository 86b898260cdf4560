import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Meeting } from '../domain/entities.js';
import { isConditionFailed } from './dynamo-client.js';
import { GSI1, GSI2, keys } from './keys.js';

type Item = Record<string, unknown>;

const FIELDS = ['meetingID', 'serverId', 'tenantId', 'moderatorPW', 'attendeePW', 'voiceBridge', 'name', 'duration', 'metadata', 'createdAt', 'expiresAt', 'info', 'analyticsCallbackUrl', 'recordingReadyUrl'] as const;

export function meetingFromItem(item: Item): Meeting {
  const m: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) m[f] = item[f];
  return m as unknown as Meeting;
}

function itemFromMeeting(m: Meeting): Item {
  return {
    ...keys.meeting(m.meetingID),
    ...keys.meetingByServer(m.serverId, m.meetingID),
    ...keys.meetingByTenant(m.tenantId, m.meetingID),
    type: 'meeting',
    ...m,
  };
}

export class MeetingRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The live meeting with this id (an expired record counts as absent). One GetItem. */
  async get(meetingID: string, nowMs: number): Promise<Meeting | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.meeting(meetingID), ConsistentRead: true }));
    if (!res.Item) return undefined;
    const meeting = meetingFromItem(res.Item);
    return meeting.expiresAt * 1000 > nowMs ? meeting : undefined;
  }

  /** Creates the meeting unless a live one exists (first writer wins). */
  async create(m: Meeting, nowMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: itemFromMeeting(m),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Replaces the meeting only while it is still on `expectedServerId` (self-healing re-placement). */
  async replace(m: Meeting, expectedServerId: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: itemFromMeeting(m),
          ConditionExpression: 'serverId = :old',
          ExpressionAttributeValues: { ':old': expectedServerId },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Deletes the record; with `expectedServerId` only while it still points at that server. */
  async delete(meetingID: string, expectedServerId?: string, createdBefore?: number): Promise<boolean> {
    const conditions: string[] = ['attribute_exists(pk)'];
    const values: Record<string, unknown> = {};
    if (expectedServerId !== undefined) {
      conditions.push('serverId = :s');
      values[':s'] = expectedServerId;
    }
    if (createdBefore !== undefined) {
      conditions.push('createdAt < :c');
      values[':c'] = createdBefore;
    }
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.meeting(meetingID),
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Sets poller-owned attributes (info snapshot, expiry) while the meeting is still on that server. */
  async updateSeen(meetingID: string, serverId: string, changes: { info?: string; expiresAt?: number }): Promise<boolean> {
    const sets: string[] = [];
    const values: Record<string, unknown> = { ':s': serverId };
    if (changes.info !== undefined) {
      sets.push('info = :i');
      values[':i'] = changes.info;
    }
    if (changes.expiresAt !== undefined) {
      sets.push('expiresAt = :e');
      values[':e'] = changes.expiresAt;
    }
    if (sets.length === 0) return true;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingID),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND serverId = :s',
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  async setVoiceBridge(meetingID: string, serverId: string, voiceBridge: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.meeting(meetingID),
        UpdateExpression: 'SET voiceBridge = :v',
        ConditionExpression: 'attribute_exists(pk) AND serverId = :s',
        ExpressionAttributeValues: { ':v': voiceBridge, ':s': serverId },
      }),
    ).catch((e) => {
      if (!isConditionFailed(e)) throw e;
    });
  }

  private async query(index: string, pkName: string, pkValue: string, nowMs: number): Promise<Meeting[]> {
    const out: Meeting[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: `${pkName} = :p`,
          ExpressionAttributeValues: { ':p': pkValue },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        const m = meetingFromItem(item);
        if (m.expiresAt * 1000 > nowMs) out.push(m);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** The live meetings of a tenant (undefined = the tenantless ones), by meetingID. One Query (paged). */
  listByTenant(tenantId: string | undefined, nowMs: number): Promise<Meeting[]> {
    return this.query(GSI2, 'gsi2pk', keys.meetingsOfTenantPartition(tenantId), nowMs);
  }

  /** The live meetings placed on a server. */
  listByServer(serverId: string, nowMs: number): Promise<Meeting[]> {
    return this.query(GSI1, 'gsi1pk', keys.meetingsOfServerPartition(serverId), nowMs);
  }

  /**
   * Reserves a voice-bridge number for a meeting: succeeds when the number is free, expired,
   * or already this meeting's.
   */
  async reserveVoiceBridge(number: string, meetingID: string, expiresAt: number, nowMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.voiceBridge(number), type: 'voiceBridge', number, meetingID, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR meetingID = :m OR expiresAt <= :now',
          ExpressionAttributeValues: { ':m': meetingID, ':now': Math.floor(nowMs / 1000) },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * `reserveVoiceBridge` for a meeting that carries callback URLs: the voice-bridge item (which outlives
   * the meeting record until the meeting's first expiry) also keeps the URLs and the tenant, indexed on
   * GSI2 `CALLBACK#<meetingID>`, so a callback that BBB sends after the meeting ended still finds them.
   * Same single conditional put as `reserveVoiceBridge`; without callback URLs it writes the same item.
   */
  async reserveVoiceBridgeFor(number: string, m: Meeting, nowMs: number): Promise<boolean> {
    const callbacks = m.analyticsCallbackUrl !== undefined || m.recordingReadyUrl !== undefined;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.voiceBridge(number),
            type: 'voiceBridge',
            number,
            meetingID: m.meetingID,
            expiresAt: m.expiresAt,
            ...(callbacks
              ? {
                  ...keys.callbackIndex(m.meetingID, number),
                  tenantId: m.tenantId,
                  analyticsCallbackUrl: m.analyticsCallbackUrl,
                  recordingReadyUrl: m.recordingReadyUrl,
                  createdAt: m.createdAt,
                }
              : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR meetingID = :m OR expiresAt <= :now',
          ExpressionAttributeValues: { ':m': m.meetingID, ':now': Math.floor(nowMs / 1000) },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** The callback URLs the latest placement of this meetingID left (see reserveVoiceBridgeFor). One Query. */
  async findCallbacks(meetingID: string): Promise<{ tenantId?: string; analyticsCallbackUrl?: string; recordingReadyUrl?: string } | undefined> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': keys.callbacksOfMeetingPartition(meetingID) },
      }),
    );
    const latest = (res.Items ?? []).filter((i) => i.meetingID === meetingID).sort((a, b) => ((b.createdAt as number) ?? 0) - ((a.createdAt as number) ?? 0))[0];
    if (!latest) return undefined;
    return {
      tenantId: latest.tenantId as string | undefined,
      analyticsCallbackUrl: latest.analyticsCallbackUrl as string | undefined,
      recordingReadyUrl: latest.recordingReadyUrl as string | undefined,
    };
  }
}
