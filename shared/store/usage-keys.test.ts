import { describe, expect, it } from 'vitest';
import { keys } from './keys.js';

describe('usage ledger key builders', () => {
  it('one item per tenant and day; a tenant’s days in its own partition', () => {
    expect(keys.usageDay('t1', '2026-01-05')).toEqual({ pk: 'USAGE#t1', sk: 'DAY#2026-01-05' });
    expect(keys.usageDay('_', '2026-01-05')).toEqual({ pk: 'USAGE#_', sk: 'DAY#2026-01-05' });
    expect(keys.usagePartition('t1')).toBe('USAGE#t1');
    expect(keys.usageDaySk('2026-12-31')).toBe('DAY#2026-12-31');
  });

  it('every tenant’s days on GSI1, by day then tenant', () => {
    expect(keys.usageDayIndex('t1', '2026-01-05')).toEqual({ gsi1pk: 'USAGE', gsi1sk: '2026-01-05#t1' });
    expect(keys.usageIndexPartition()).toBe('USAGE');
    expect(keys.usageIndexRange('2026-01-01', '2026-01-31')).toEqual({ low: '2026-01-01#', high: '2026-01-31$' });
  });

  it('the GSI1 range holds exactly the days from … to of any tenant id', () => {
    const { low, high } = keys.usageIndexRange('2026-01-02', '2026-01-03');
    const inRange = (sk: string) => sk >= low && sk <= high;
    for (const tenant of ['_', '0', 'zz', '~x', '\u{10FFFF}', 'a#b', '$', '#']) {
      expect([tenant, inRange(keys.usageDayIndex(tenant, '2026-01-01').gsi1sk)]).toEqual([tenant, false]);
      expect([tenant, inRange(keys.usageDayIndex(tenant, '2026-01-02').gsi1sk)]).toEqual([tenant, true]);
      expect([tenant, inRange(keys.usageDayIndex(tenant, '2026-01-03').gsi1sk)]).toEqual([tenant, true]);
      expect([tenant, inRange(keys.usageDayIndex(tenant, '2026-01-04').gsi1sk)]).toEqual([tenant, false]);
    }
  });
});
