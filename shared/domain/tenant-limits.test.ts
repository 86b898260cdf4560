import { describe, expect, it } from 'vitest';
import { keys } from '../store/keys.js';
import { ARRIVAL_ALLOWANCE_MS, JOIN_SLOT_MS, joinBucket, joinSlot, meetingToken, parseLimit, planReconcile, type TenantLoad } from './tenant-limits.js';

const I = 60_000;
const load = (l: Partial<TenantLoad> = {}): TenantLoad => ({ meetings: [], participants: 0, buckets: {}, ...l });

describe('tenant limits (pure)', () => {
  it('keys of the counters', () => {
    expect(keys.tenantMeetingLoad('t1')).toEqual({ pk: 'TENANTLOAD#t1', sk: 'MEETINGS' });
    expect(keys.tenantParticipantLoad('t1')).toEqual({ pk: 'TENANTLOAD#t1', sk: 'PARTICIPANTS' });
    expect(keys.tenantLoadPartition('t1')).toBe('TENANTLOAD#t1');
    expect(joinBucket(123)).toBe('p123');
  });

  it('limits: 0 = none, whole numbers up to 10000, anything else refused', () => {
    expect(parseLimit('0')).toBeNull();
    expect(parseLimit('10')).toBe(10);
    expect(parseLimit(' 7 ')).toBe(7);
    expect(parseLimit('10000')).toBe(10_000);
    for (const bad of ['', '-1', '1.5', 'abc', '10001', '1e3', '0x10']) expect(parseLimit(bad)).toBeUndefined();
  });

  it('meeting tokens: 16 characters, stable, distinct', () => {
    expect(meetingToken('t~a')).toHaveLength(16);
    expect(meetingToken('t~a')).toBe(meetingToken('t~a'));
    expect(meetingToken('t~a')).not.toBe(meetingToken('t~b'));
  });

  it('meetings: the set becomes the live records; no write when equal', () => {
    const ids = ['t~a', 't~b'];
    expect(planReconcile({ startedAt: 10 * I + 30_000, load: load(), liveMeetings: ids, reportedParticipants: undefined }).meetings).toEqual(ids.map(meetingToken).sort());
    expect(planReconcile({ startedAt: 10 * I, load: load({ meetings: ids.map(meetingToken).reverse() }), liveMeetings: ids, reportedParticipants: undefined })).toEqual({});
  });

  it('participants: reported + the joins from ARRIVAL_ALLOWANCE_MS before the poll on; older slots dropped', () => {
    const S = 1_000_000_000;
    const slot = (msBeforePoll: number) => joinSlot(S - msBeforePoll);
    const l = load({ participants: 20, buckets: { [slot(60_000)]: 5, [slot(ARRIVAL_ALLOWANCE_MS + JOIN_SLOT_MS)]: 4, [slot(ARRIVAL_ALLOWANCE_MS - JOIN_SLOT_MS)]: 2, [slot(0)]: 1 } });
    const plan = planReconcile({ startedAt: S, load: l, liveMeetings: [], reportedParticipants: 6 });
    expect(plan.participants).toEqual({ delta: 6 + 2 + 1 - 20, removeBuckets: [slot(60_000), slot(ARRIVAL_ALLOWANCE_MS + JOIN_SLOT_MS)] });
    // unknown participants (a server with the tenant's meetings did not answer): left as they are
    expect(planReconcile({ startedAt: S, load: l, liveMeetings: [], reportedParticipants: undefined }).participants).toBeUndefined();
    // nothing changed: nothing written
    expect(planReconcile({ startedAt: S, load: load({ participants: 3 }), liveMeetings: [], reportedParticipants: 3 })).toEqual({});
  });
});
