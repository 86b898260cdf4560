import { describe, expect, it } from 'vitest';
import { accrualByTenant, countStarted, cycleDay, dayStart, firstCycleOf, monthStart, nextDay, startedSkew, startedWindow, utcDay } from './usage-ledger.js';

const MIN = 60_000;

describe('day keys', () => {
  it('the UTC day of an instant, and back', () => {
    expect(utcDay(Date.UTC(2026, 0, 5, 23, 59, 59, 999))).toBe('2026-01-05');
    expect(utcDay(Date.UTC(2026, 0, 6))).toBe('2026-01-06');
    expect(dayStart('2026-01-06')).toBe(Date.UTC(2026, 0, 6));
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(monthStart('2026-03-17')).toBe('2026-03-01');
  });

  it.each(['2026-02-30', '2026-13-01', '2026-1-05', '26-01-05', '2026-01-05T00:00', ' 2026-01-05', '2026/01/05', '', 'today'])('%j is not a day', (text) => {
    expect(dayStart(text)).toBeUndefined();
  });

  it('a cycle counts for the day of its nominal start, whenever in its interval it ran', () => {
    const I = 60_000;
    const lastOfDay = Date.UTC(2026, 0, 5, 23, 59) / I;
    expect(cycleDay(lastOfDay, I)).toBe('2026-01-05');
    expect(cycleDay(lastOfDay + 1, I)).toBe('2026-01-06');
    expect(firstCycleOf('2026-01-06', I)).toBe(lastOfDay + 1);
    // an interval that does not divide a day: the first cycle starting on the day or after
    const I7 = 7_000;
    const first = firstCycleOf('2026-01-06', I7);
    expect(cycleDay(first, I7)).toBe('2026-01-06');
    expect(cycleDay(first - 1, I7)).toBe('2026-01-05');
  });
});

describe('started windows', () => {
  const I = 60_000;
  it('consecutive cycles tile the time line, skew before the nominal start', () => {
    expect(startedSkew(I)).toBe(5_000);
    expect(startedSkew(4_000)).toBe(2_000);
    expect(startedWindow(100, 99, I)).toEqual({ from: 99 * I - 5_000, to: 100 * I - 5_000 });
    // a gap: the window reaches back to the previous counting cycle
    expect(startedWindow(100, 95, I)).toEqual({ from: 95 * I - 5_000, to: 100 * I - 5_000 });
    const w1 = startedWindow(100, 99, I);
    const w2 = startedWindow(101, 100, I);
    expect(w1.to).toBe(w2.from);
  });

  it('counts createTimes in [from, to)', () => {
    const w = { from: 1000, to: 2000 };
    expect(countStarted([999, 1000, 1500, 1999, 2000], w)).toBe(3);
  });
});

describe('accrualByTenant', () => {
  it('sums per tenant: meeting and participant seconds, breakout rooms apart, concurrent participants, createTimes', () => {
    const meetings = [
      { tenantId: 'b', participants: 3, createTime: 1, isBreakout: false },
      { tenantId: 'a', participants: 2, createTime: 2, isBreakout: false },
      { tenantId: 'a', participants: 0, createTime: 3, isBreakout: false },
      { tenantId: 'a', participants: 4, createTime: 4, isBreakout: true },
    ];
    expect(accrualByTenant(meetings, 60)).toEqual([
      { tenantId: 'a', meetingSeconds: 120, participantSeconds: 120, breakoutParticipantSeconds: 240, participants: 2, createTimes: [2, 3] },
      { tenantId: 'b', meetingSeconds: 60, participantSeconds: 180, breakoutParticipantSeconds: 0, participants: 3, createTimes: [1] },
    ]);
  });

  it('no meetings, no tenant-days', () => {
    expect(accrualByTenant([], 10)).toEqual([]);
  });

  it('a 10-second interval: 3 participants over 10 minutes are 30 participant-minutes', () => {
    let seconds = 0;
    for (let cycle = 0; cycle < (10 * MIN) / 10_000; cycle++) seconds += accrualByTenant([{ tenantId: '_', participants: 3, createTime: 0, isBreakout: false }], 10)[0].participantSeconds;
    expect(seconds / 60).toBe(30);
  });
});
