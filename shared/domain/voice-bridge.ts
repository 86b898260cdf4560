import { createHash } from 'node:crypto';

/**
 * Deterministic voice-bridge candidates for a meeting: a PRNG seeded from SHA-256(meetingID), so that
 * repeated or concurrent allocations for one meeting try the same numbers in the same order.
 * First digit 1–9, the rest 0–9; 99999 (BBB's test conference) is never produced.
 */
export function voiceBridgeCandidates(meetingID: string, length: number, count: number): string[] {
  const seed = createHash('sha256').update(meetingID, 'utf8').digest();
  let state = seed.readUInt32LE(0) ^ seed.readUInt32LE(4) ^ seed.readUInt32LE(8) ^ seed.readUInt32LE(12) || 0x9e3779b9;
  // mulberry32: small, well-distributed, deterministic
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  while (out.length < count) {
    let n = String(1 + Math.floor(next() * 9));
    for (let i = 1; i < length; i++) n += String(Math.floor(next() * 10));
    if (n !== '99999' && !out.includes(n)) out.push(n);
  }
  return out;
}
