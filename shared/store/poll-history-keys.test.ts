import { describe, expect, it } from 'vitest';
import { keys } from './keys.js';
import { POLL_HISTORY_SLOTS, slotOf } from './poll-history-repo.js';

describe('poll history key builders', () => {
  it('one partition, a slot per sort key (two digits)', () => {
    expect(keys.pollHistorySlot(0)).toEqual({ pk: 'POLLHISTORY', sk: 'SLOT#00' });
    expect(keys.pollHistorySlot(7)).toEqual({ pk: 'POLLHISTORY', sk: 'SLOT#07' });
    expect(keys.pollHistorySlot(19)).toEqual({ pk: 'POLLHISTORY', sk: 'SLOT#19' });
    expect(keys.pollHistoryPartition()).toBe('POLLHISTORY');
  });

  it('a cycle number maps to one of POLL_HISTORY_SLOTS slots, consecutive cycles to consecutive slots', () => {
    expect(POLL_HISTORY_SLOTS).toBe(20);
    expect(slotOf(29_500_000)).toBe(0);
    expect(slotOf(29_500_001)).toBe(1);
    expect(slotOf(29_500_019)).toBe(19);
    expect(slotOf(29_500_020)).toBe(0);
    expect(slotOf(-1)).toBe(19);
  });
});
