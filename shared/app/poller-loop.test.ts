import { describe, expect, it } from 'vitest';
import { slotAtOrAfter, slotAtOrBefore } from './poller-loop.js';

describe('the cycle slot grid', () => {
  it('finds the slots around a time, anchored anywhere', () => {
    expect(slotAtOrAfter(25, 0, 10)).toBe(30);
    expect(slotAtOrAfter(30, 0, 10)).toBe(30);
    expect(slotAtOrBefore(39, 0, 10)).toBe(30);
    expect(slotAtOrAfter(60_001, 6_000, 60_000)).toBe(66_000);
    expect(slotAtOrBefore(60_001, 6_000, 60_000)).toBe(6_000);
    expect(slotAtOrAfter(-5, 3, 10)).toBe(3);
  });
});
