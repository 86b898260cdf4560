import { describe, expect, it } from 'vitest';
import { voiceBridgeCandidates } from './voice-bridge.js';

describe('voiceBridgeCandidates', () => {
  it('is deterministic per meetingID', () => {
    expect(voiceBridgeCandidates('meeting-a', 9, 10)).toEqual(voiceBridgeCandidates('meeting-a', 9, 10));
  });

  it('gives different meetings different sequences', () => {
    expect(voiceBridgeCandidates('meeting-a', 9, 10)).not.toEqual(voiceBridgeCandidates('meeting-b', 9, 10));
  });

  it('is a prefix-stable sequence: asking for more keeps the first ones', () => {
    expect(voiceBridgeCandidates('m', 9, 20).slice(0, 10)).toEqual(voiceBridgeCandidates('m', 9, 10));
  });

  it('returns exactly count candidates', () => {
    expect(voiceBridgeCandidates('m', 9, 0)).toEqual([]);
    expect(voiceBridgeCandidates('m', 9, 1)).toHaveLength(1);
    expect(voiceBridgeCandidates('m', 9, 10)).toHaveLength(10);
  });

  it.each([5, 7, 9, 12])('produces %i-digit numbers whose first digit is 1–9', (length) => {
    for (let i = 0; i < 50; i++) {
      for (const n of voiceBridgeCandidates(`meeting-${i}`, length, 10)) {
        expect(n).toMatch(new RegExp(`^[1-9][0-9]{${length - 1}}$`));
      }
    }
  });

  it('uses every first digit 1–9 across meetings (never 0)', () => {
    const firstDigits = new Set<string>();
    for (let i = 0; i < 200; i++) for (const n of voiceBridgeCandidates(`m${i}`, 9, 10)) firstDigits.add(n[0]);
    expect([...firstDigits].sort().join('')).toBe('123456789');
  });

  it('returns distinct candidates', () => {
    for (let i = 0; i < 20; i++) {
      const candidates = voiceBridgeCandidates(`meeting-${i}`, 5, 500);
      expect(new Set(candidates).size).toBe(500);
    }
  });

  it('never returns 99999 (BBB test conference)', () => {
    // 'meeting-154383' is a meetingID whose very first generated 5-digit number is 99999 (found by search)
    const candidates = voiceBridgeCandidates('meeting-154383', 5, 10);
    expect(candidates).not.toContain('99999');
    expect(candidates).toHaveLength(10);
    for (let i = 0; i < 100; i++) expect(voiceBridgeCandidates(`meeting-${i}`, 5, 200)).not.toContain('99999');
  });

  it('handles unicode and empty meeting IDs', () => {
    expect(voiceBridgeCandidates('', 9, 3)).toHaveLength(3);
    expect(voiceBridgeCandidates('Jürgen 😀', 9, 3)).toEqual(voiceBridgeCandidates('Jürgen 😀', 9, 3));
  });
});
