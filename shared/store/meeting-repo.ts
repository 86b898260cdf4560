import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Meeting, MeetingInfo } from '../domain/entities.js';
import { bbbMeetingId } from '../domain/meeting-id.js';
import { conditional, isConditionFailed } from './dynamo-client.js';
import { GSI1, GSI2, keys } from './keys.js';

type Item = Record<string, unknown>;

const deflate = (text: string): Promise<Buffer> => promisify(deflateRaw)(Buffer.from(text, 'utf8'));

/** What names a meeting: the front-end's meetingID within its tenant. */
export interface MeetingRef {
  meetingID: string;
  tenantId?: string;
}

/** The key of a meeting: the id its BBB server sees (tenants namespaced). */
export const meetingKeyOf = (r: MeetingRef): string => bbbMeetingId(r.tenantId, r.meetingID);

/** Attributes of the meeting item (callback URLs live on the voice-bridge item, the snapshot on MeetingInfo). */
const STORED = ['meetingID', 'serverId', 'tenantId', 'moderatorPW', 'attendeePW', 'voiceBridge', 'name', 'duration', 'metadata', 'createdAt', 'lastCreateAt', 'expiresAt', 'endedAt', 'placementId', 'infoHash', 'expectedParticipants'] as const;

/** Room on the meeting item for the name and metadata shown by getMeetings before the first poll. */
export const DESCRIPTIVE_BYTES = 512;

export interface CallbackTarget {
  /** the front-end's meetingID */
  meetingID: string;
  tenantId?: string;
  /** the server of the latest placement: BBB's callback JWT is signed with its secret */
  serverId?: string;
  analyticsCallbackUrl?: string;
  recordingReadyUrl?: string;
}

export function meetingFromItem(item: Item): Meeting {
  const m: Record<string, unknown> = {};
  for (const f of STORED) if (item[f] !== undefined) m[f] = item[f];
  return m as unknown as Meeting;
}

/** Name and metadata are kept only while they fit DESCRIPTIVE_BYTES (the poller's snapshot has them all). */
function descriptive(m: Meeting): Pick<Meeting, 'name' | 'metadata'> {
  const size = Buffer.byteLength(JSON.stringify([m.name ?? '', m.metadata ?? {}]), 'utf8');
  if (size <= DESCRIPTIVE_BYTES) return { name: m.name, metadata: m.metadata };
  return Buffer.byteLength(m.name ?? '', 'utf8') <= DESCRIPTIVE_BYTES / 2 ? { name: m.name } : {};
}

function itemFromMeeting(m: Meeting): Item {
  const id = meetingKeyOf(m);
  const item: Item = { ...keys.meeting(id), ...keys.meetingByServer(m.serverId, id), ...keys.meetingByTenant(m.tenantId, m.meetingID), type: 'meeting' };
  const small: Record<string, unknown> = { ...m, name: undefined, metadata: undefined, ...descriptive(m) };
  for (const f of STORED) if (small[f] !== undefined) item[f] = small[f];
  return item;
}

const live = (m: Meeting, nowMs: number) => m.expiresAt * 1000 > nowMs && m.endedAt === undefined;

export interface VoiceBridgeOwner {
  /** the meeting's key: the id its BBB server knows */
  bbbId: string;
  tenantId?: string;
  serverId?: string;
}

export class MeetingRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The live meeting (an expired or ended record counts as absent). One GetItem of a small item. */
  get(ref: MeetingRef, nowMs: number): Promise<Meeting | undefined> {
    return this.getByKey(meetingKeyOf(ref), nowMs);
  }

  /** `get` by the id the meeting's BBB server knows (`<tenant id>~<meetingID>` for a tenant's; slctl). */
  async getByKey(bbbId: string, nowMs: number): Promise<Meeting | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.meeting(bbbId), ConsistentRead: true }));
    if (!res.Item) return undefined;
    const meeting = meetingFromItem(res.Item);
    return live(meeting, nowMs) ? meeting : undefined;
  }

  /**
   * Find-or-create in one UpdateItem: every placement attribute is set only where absent, and
   * `lastCreateAt` always — so a create of an existing meeting renews its protection from the poller in
   * the same round trip that reads it. `created` is true when no item was there (nothing came back as
   * the old item). 'stale': an expired or ended record holds the key (see `create`).
   */
  async findOrCreate(m: Meeting, nowMs: number): Promise<{ meeting: Meeting; created: boolean } | 'stale'> {
    const item = itemFromMeeting(m);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': nowMs, ':nowS': Math.floor(nowMs / 1000) };
    const sets: string[] = ['#lastCreateAt = :now'];
    names['#lastCreateAt'] = 'lastCreateAt';
    for (const [k, v] of Object.entries(item)) {
      if (k === 'pk' || k === 'sk' || k === 'lastCreateAt' || v === undefined) continue;
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = if_not_exists(#${k}, :${k})`);
    }
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingKeyOf(m)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(pk) OR (#expiresAt > :nowS AND attribute_not_exists(endedAt))',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!res.Attributes) return { meeting: { ...m, lastCreateAt: nowMs }, created: true };
      return { meeting: { ...meetingFromItem(res.Attributes), lastCreateAt: nowMs }, created: false };
    } catch (e) {
      if (isConditionFailed(e)) return 'stale';
      throw e;
    }
  }

  /** A create forwarded to an existing meeting without a placement attempt: renews `lastCreateAt` and reads it. */
  async touch(ref: MeetingRef, nowMs: number): Promise<Meeting | undefined> {
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingKeyOf(ref)),
          UpdateExpression: 'SET lastCreateAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND expiresAt > :nowS AND attribute_not_exists(endedAt)',
          ExpressionAttributeValues: { ':now': nowMs, ':nowS': Math.floor(nowMs / 1000) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return meetingFromItem(res.Attributes ?? {});
    } catch (e) {
      if (isConditionFailed(e)) return undefined;
      throw e;
    }
  }

  /** Creates `m` where no live record holds its key (none, expired or ended). False when a live one exists. */
  create(m: Meeting, nowMs: number): Promise<boolean> {
    return conditional(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: itemFromMeeting({ ...m, lastCreateAt: m.lastCreateAt ?? m.createdAt }),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR attribute_exists(endedAt)',
          ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
        }),
      ),
    );
  }

  /** Replaces the meeting only while it is still on `expectedServerId` and not ended (re-placement). */
  replace(m: Meeting, expectedServerId: string): Promise<boolean> {
    return conditional(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: itemFromMeeting(m),
          ConditionExpression: 'serverId = :old AND attribute_not_exists(endedAt)',
          ExpressionAttributeValues: { ':old': expectedServerId },
        }),
      ),
    );
  }

  /**
   * `end`: the record stays, marked ended (absent to every lookup, replaceable by the next create), so
   * the poller removes it together with its snapshot. One UpdateItem.
   */
  markEnded(ref: MeetingRef, serverId: string, nowMs: number): Promise<boolean> {
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingKeyOf(ref)),
          UpdateExpression: 'SET endedAt = :now',
          ConditionExpression: 'serverId = :s AND attribute_not_exists(endedAt)',
          ExpressionAttributeValues: { ':now': nowMs, ':s': serverId },
        }),
      ),
    );
  }

  /**
   * Deletes the record (and then its snapshot). With `serverId` only while it still points at that
   * server; with `createdBefore` only when no create was forwarded since (`lastCreateAt`, else `createdAt`).
   */
  async delete(ref: MeetingRef, opts: { serverId?: string; createdBefore?: number } = {}): Promise<boolean> {
    const conditions: string[] = ['attribute_exists(pk)'];
    const values: Record<string, unknown> = {};
    if (opts.serverId !== undefined) {
      conditions.push('serverId = :s');
      values[':s'] = opts.serverId;
    }
    if (opts.createdBefore !== undefined) {
      conditions.push('createdAt < :c AND (attribute_not_exists(lastCreateAt) OR lastCreateAt < :c)');
      values[':c'] = opts.createdBefore;
    }
    const id = meetingKeyOf(ref);
    const deleted = await conditional(
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: keys.meeting(id),
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
    if (deleted) await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.meetingInfo(id) }));
    return deleted;
  }

  /** Sets poller-owned attributes (snapshot hash, expiry) while the meeting is still on that server. */
  updateSeen(ref: MeetingRef, serverId: string, changes: { infoHash?: string; expiresAt?: number }): Promise<boolean> {
    const sets: string[] = [];
    const values: Record<string, unknown> = { ':s': serverId };
    if (changes.infoHash !== undefined) {
      sets.push('infoHash = :h');
      values[':h'] = changes.infoHash;
    }
    if (changes.expiresAt !== undefined) {
      sets.push('expiresAt = :e');
      values[':e'] = changes.expiresAt;
    }
    if (sets.length === 0) return Promise.resolve(true);
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingKeyOf(ref)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND serverId = :s',
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Writes the meeting's `<meeting>` snapshot: its own item, on the tenant's GSI2 partition, the XML
   * deflated (a 250-attendee meeting's 75 KB become about 6 KB: getMeetings reads ~12× fewer bytes,
   * pages and capacity units).
   */
  async putInfo(info: MeetingInfo): Promise<void> {
    const { xml, ...rest } = info;
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.meetingInfo(meetingKeyOf(info)), ...keys.meetingInfoByTenant(info.tenantId, info.meetingID), type: 'meetingInfo', ...rest, xmlz: await deflate(xml) },
      }),
    );
  }

  async setVoiceBridge(ref: MeetingRef, serverId: string, voiceBridge: string): Promise<void> {
    await conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.meeting(meetingKeyOf(ref)),
          UpdateExpression: 'SET voiceBridge = :v',
          ConditionExpression: 'attribute_exists(pk) AND serverId = :s',
          ExpressionAttributeValues: { ':v': voiceBridge, ':s': serverId },
        }),
      ),
    );
  }

  private async query(index: string, pkName: string, pkValue: string, each: (item: Item) => void): Promise<void> {
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
      for (const item of res.Items ?? []) each(item);
      start = res.LastEvaluatedKey;
    } while (start);
  }

  /**
   * The live meetings of a tenant (undefined = the tenantless ones), each with its snapshot when the
   * poller took one. One Query (paged) of the tenant's GSI2 partition returns both kinds of item.
   */
  async listWithInfoByTenant(tenantId: string | undefined, nowMs: number): Promise<{ meeting: Meeting; info?: MeetingInfo }[]> {
    const meetings: Meeting[] = [];
    const infos = new Map<string, MeetingInfo>();
    await this.query(GSI2, 'gsi2pk', keys.meetingsOfTenantPartition(tenantId), (item) => {
      if (item.type === 'meeting') {
        const m = meetingFromItem(item);
        if (live(m, nowMs)) meetings.push(m);
      } else if (item.type === 'meetingInfo' && item.xmlz instanceof Uint8Array) {
        const xml = inflateRawSync(item.xmlz).toString('utf8');
        infos.set(item.meetingID as string, { meetingID: item.meetingID as string, tenantId: item.tenantId as string | undefined, serverId: item.serverId as string, xml, expiresAt: item.expiresAt as number });
      }
    });
    return meetings.map((meeting) => {
      const info = infos.get(meeting.meetingID);
      return info && info.serverId === meeting.serverId ? { meeting, info } : { meeting };
    });
  }

  /** The live meetings of a tenant (undefined = the tenantless ones). */
  async listByTenant(tenantId: string | undefined, nowMs: number): Promise<Meeting[]> {
    return (await this.listWithInfoByTenant(tenantId, nowMs)).map((x) => x.meeting);
  }

  /** The meetings placed on a server: live ones, and with `withEnded` also ended ones (the poller removes them). */
  async listByServer(serverId: string, nowMs: number, opts: { withEnded?: boolean } = {}): Promise<Meeting[]> {
    const out: Meeting[] = [];
    await this.query(GSI1, 'gsi1pk', keys.meetingsOfServerPartition(serverId), (item) => {
      const m = meetingFromItem(item);
      if (m.expiresAt * 1000 > nowMs && (opts.withEnded || m.endedAt === undefined)) out.push(m);
    });
    return out;
  }

  /**
   * Reserves (or renews) a voice-bridge number for a meeting: succeeds when the number is free, expired,
   * or already this meeting's. Written by every create (new or existing), so it is idempotent and repairs
   * a placement whose earlier reservation failed. The item also keeps the server, the tenant and the
   * callback URLs this create carries (earlier ones stay when it carries none), indexed on GSI2
   * `CALLBACK#<bbb id>`: BBB sends analytics after the meeting ended, when the record may be gone.
   */
  reserveVoiceBridge(number: string, m: Meeting, nowMs: number): Promise<boolean> {
    const id = meetingKeyOf(m);
    const values: Record<string, unknown> = {
      ':type': 'voiceBridge',
      ':number': number,
      ':owner': id,
      ':ext': m.meetingID,
      ':server': m.serverId,
      ':exp': m.expiresAt,
      ':at': nowMs,
      ':nowS': Math.floor(nowMs / 1000),
    };
    const sets = ['#type = :type', '#number = :number', 'meetingID = :owner', 'extMeetingID = :ext', 'serverId = :server', 'expiresAt = :exp', 'lastCreateAt = :at'];
    if (m.tenantId !== undefined) {
      sets.push('tenantId = :tenant');
      values[':tenant'] = m.tenantId;
    }
    const callbacks = { analyticsCallbackUrl: m.analyticsCallbackUrl, recordingReadyUrl: m.recordingReadyUrl };
    if (callbacks.analyticsCallbackUrl !== undefined || callbacks.recordingReadyUrl !== undefined) {
      const index = keys.callbackIndex(id, number);
      sets.push('gsi2pk = :g2p', 'gsi2sk = :g2s');
      values[':g2p'] = index.gsi2pk;
      values[':g2s'] = index.gsi2sk;
      for (const [k, v] of Object.entries(callbacks)) {
        if (v === undefined) continue;
        sets.push(`${k} = :${k}`);
        values[`:${k}`] = v;
      }
    }
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.voiceBridge(number),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(pk) OR meetingID = :owner OR expiresAt <= :nowS',
          ExpressionAttributeNames: { '#type': 'type', '#number': 'number' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Who holds voice bridge `number` now (the dial-in API): the meeting's BBB-side id, its tenant and the
   * server of its latest create; undefined when free or expired. One GetItem.
   */
  async voiceBridgeOwner(number: string, nowMs: number): Promise<VoiceBridgeOwner | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.voiceBridge(number), ConsistentRead: true }));
    const item = res.Item;
    if (!item || typeof item.meetingID !== 'string' || !((item.expiresAt as number) * 1000 > nowMs)) return undefined;
    return { bbbId: item.meetingID, tenantId: item.tenantId as string | undefined, serverId: item.serverId as string | undefined };
  }

  /** Moves a voice-bridge reservation's expiry with its meeting's (poller). */
  renewVoiceBridge(number: string, ref: MeetingRef, expiresAt: number): Promise<boolean> {
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.voiceBridge(number),
          UpdateExpression: 'SET expiresAt = :e',
          ConditionExpression: 'meetingID = :owner',
          ExpressionAttributeValues: { ':e': expiresAt, ':owner': meetingKeyOf(ref) },
        }),
      ),
    );
  }

  /** The callbacks the latest create of the meeting BBB knows as `bbbId` left (see reserveVoiceBridge). One Query. */
  async findCallbacks(bbbId: string): Promise<CallbackTarget | undefined> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': keys.callbacksOfMeetingPartition(bbbId) },
      }),
    );
    const at = (i: Item) => (i.lastCreateAt as number | undefined) ?? 0;
    const latest = (res.Items ?? []).filter((i) => i.meetingID === bbbId).sort((a, b) => at(b) - at(a))[0];
    if (!latest) return undefined;
    return {
      meetingID: (latest.extMeetingID as string | undefined) ?? bbbId,
      tenantId: latest.tenantId as string | undefined,
      serverId: latest.serverId as string | undefined,
      analyticsCallbackUrl: latest.analyticsCallbackUrl as string | undefined,
      recordingReadyUrl: latest.recordingReadyUrl as string | undefined,
    };
  }
}
