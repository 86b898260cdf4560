import { DeleteCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emptyLoad, joinBucket, type TenantLoad } from '../domain/tenant-limits.js';
import { conditional, isConditionFailed } from './dynamo-client.js';
import { keys } from './keys.js';

type Item = Record<string, unknown>;

const BUCKET = /^p(\d+)$/;

/**
 * The counters of a limited tenant (tenant limits), two small items of partition `TENANTLOAD#<id>`:
 * `MEETINGS` holds the set of its meetings (`ids`, a string set of meeting tokens) and `PARTICIPANTS` its
 * participant count (`participants`) with the joins of each time slot (`p<slot>`) and the last cycle
 * reconciled (`rc`). Admissions are single conditional UpdateItems; the poller reconciles them. Only
 * limited tenants have these items.
 */
export class TenantLoadRepo {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Counts a placed meeting unless the tenant already runs `max`: adding a token the set holds (a
   * re-placed meeting) changes nothing and always succeeds. False when refused.
   */
  admitMeeting(tenantId: string, token: string, max: number): Promise<boolean> {
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.tenantMeetingLoad(tenantId),
          UpdateExpression: 'ADD ids :one SET #type = :type, tenantId = :tenant',
          ConditionExpression: 'attribute_not_exists(ids) OR contains(ids, :token) OR size(ids) < :max',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':one': new Set([token]), ':token': token, ':max': max, ':type': 'tenantLoad', ':tenant': tenantId },
        }),
      ),
    );
  }

  /** Counts one participant (also in the time slot's bucket) unless the tenant already has `max`. False when refused. */
  admitParticipant(tenantId: string, slot: number, max: number): Promise<boolean> {
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.tenantParticipantLoad(tenantId),
          UpdateExpression: 'ADD participants :one, #bucket :one SET #type = :type, tenantId = :tenant',
          ConditionExpression: 'attribute_not_exists(participants) OR participants < :max',
          ExpressionAttributeNames: { '#bucket': joinBucket(slot), '#type': 'type' },
          ExpressionAttributeValues: { ':one': 1, ':max': max, ':type': 'tenantLoad', ':tenant': tenantId },
        }),
      ),
    );
  }

  /** Both counters of the tenant: one consistent Query of its partition (zeros when it has none). */
  async get(tenantId: string): Promise<TenantLoad> {
    const res = await this.db.send(
      new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.tenantLoadPartition(tenantId) }, ConsistentRead: true }),
    );
    const load = emptyLoad();
    for (const item of res.Items ?? []) {
      if (item.sk === 'MEETINGS') load.meetings = [...((item.ids as Set<string> | undefined) ?? [])];
      if (item.sk !== 'PARTICIPANTS') continue;
      load.participants = (item.participants as number | undefined) ?? 0;
      if (typeof item.rc === 'number') load.reconciledCycle = item.rc;
      for (const [k, v] of Object.entries(item as Item)) {
        const m = BUCKET.exec(k);
        if (m && typeof v === 'number') load.buckets[Number(m[1])] = v;
      }
    }
    return load;
  }

  /** Replaces the meeting set by the poller's, if nobody added a meeting since it was read (`from`). */
  setMeetings(tenantId: string, from: string[], to: string[]): Promise<boolean> {
    const values: Item = {};
    const condition = from.length === 0 ? 'attribute_not_exists(ids)' : 'ids = :from';
    if (from.length > 0) values[':from'] = new Set(from);
    let update = 'REMOVE ids';
    if (to.length > 0) {
      update = 'SET ids = :to, #type = :type, tenantId = :tenant';
      Object.assign(values, { ':to': new Set(to), ':type': 'tenantLoad', ':tenant': tenantId });
    }
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.tenantMeetingLoad(tenantId),
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(to.length > 0 ? { ExpressionAttributeNames: { '#type': 'type' } } : {}),
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  /**
   * Adds `delta` to the participant count (joins counted meanwhile stay counted: it is an addition),
   * drops the buckets of slots the reports now cover and notes the cycle — only if no other poller
   * reconciled since `read` was taken.
   */
  reconcileParticipants(tenantId: string, read: TenantLoad, cycle: number, delta: number, removeBuckets: number[]): Promise<boolean> {
    const names: Record<string, string> = { '#type': 'type' };
    removeBuckets.forEach((slot, i) => (names[`#old${i}`] = joinBucket(slot)));
    const values: Item = { ':delta': delta, ':zero': 0, ':cycle': cycle, ':type': 'tenantLoad', ':tenant': tenantId };
    let condition = 'attribute_not_exists(rc)';
    if (read.reconciledCycle !== undefined) {
      condition = 'rc = :read';
      values[':read'] = read.reconciledCycle;
    }
    const remove = removeBuckets.length > 0 ? ` REMOVE ${removeBuckets.map((_, i) => `#old${i}`).join(', ')}` : '';
    return conditional(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.tenantParticipantLoad(tenantId),
          UpdateExpression: `SET participants = if_not_exists(participants, :zero) + :delta, rc = :cycle, #type = :type, tenantId = :tenant${remove}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** Removes both counters (the tenant is no longer limited, or was removed). */
  async remove(tenantId: string): Promise<void> {
    await Promise.all([
      this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.tenantMeetingLoad(tenantId) })),
      this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.tenantParticipantLoad(tenantId) })),
    ]);
  }
}
