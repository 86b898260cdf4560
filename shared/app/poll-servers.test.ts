import { describe, expect, it } from 'vitest';
import type { Server } from '../domain/entities.js';
import { makeServer } from '../../test/helpers/server-fixture.js';
import { callTimeouts, changedPollAttributes, MIN_CALL_MS, RECORD_SWEEP_MS, recordCheckDue, slotDue, VERSION_REFRESH_MS } from './poll-servers.js';

const server = (over: Partial<Server> = {}): Server => makeServer({ polledAt: 1, ...over });

describe('callTimeouts', () => {
  const config = { connectTimeoutMs: 5_000, responseTimeoutMs: 10_000 };

  it('are the configured ones without a deadline, or when they fit before it', () => {
    expect(callTimeouts(config, 0)).toEqual({ connectTimeoutMs: 5_000, responseTimeoutMs: 10_000, clipped: false });
    expect(callTimeouts(config, 0, 15_000)).toEqual({ connectTimeoutMs: 5_000, responseTimeoutMs: 10_000, clipped: false });
  });

  it('are scaled down to end by the deadline, and marked as clipped', () => {
    const t = callTimeouts(config, 0, 3_000)!;
    expect(t).toEqual({ connectTimeoutMs: 1_000, responseTimeoutMs: 2_000, clipped: true });
  });

  it('are none when the deadline is (almost) there', () => {
    expect(callTimeouts(config, 0, MIN_CALL_MS - 1)).toBeUndefined();
    expect(callTimeouts(config, 10, 0)).toBeUndefined();
  });
});

describe('slotDue', () => {
  it('is true for each server in exactly one poll slot per period', () => {
    const interval = 60_000;
    const slots = VERSION_REFRESH_MS / interval;
    for (const id of ['bbb-1', 'bbb-2', 'a2c4e6f8-1111-4b22-8c33-123456789abc', 'bbb1.example.com']) {
      const due = Array.from({ length: slots * 2 }, (_, k) => slotDue(id, k * interval + 1_234, interval, VERSION_REFRESH_MS)).filter(Boolean);
      expect(due).toHaveLength(2);
    }
  });

  it('spreads servers over the period', () => {
    const ids = Array.from({ length: 600 }, (_, i) => `bbb-${i}`);
    const dueNow = ids.filter((id) => slotDue(id, 0, 10_000, RECORD_SWEEP_MS)).length;
    expect(dueNow).toBeGreaterThan(0);
    expect(dueNow).toBeLessThan(30); // ≈ 600 / 60
  });

  it('is always true when the period is not longer than the interval', () => {
    expect(slotDue('x', 123, 60_000, 30_000)).toBe(true);
  });
});

describe('changedPollAttributes', () => {
  it('keeps only differing values; null removes an attribute that is there', () => {
    const s = server({ load: 5, users: 3, bbbVersion: '3.0.4' });
    expect(changedPollAttributes(s, { load: 5, users: 4, bbbVersion: '3.0.4', unhealthyCounter: 0 })).toEqual({ users: 4 });
    expect(changedPollAttributes(s, { load: null })).toEqual({ load: null });
    expect(changedPollAttributes(server({ load: undefined }), { load: null })).toEqual({});
    expect(changedPollAttributes(server({ bbbVersion: undefined }), { bbbVersion: '' })).toEqual({ bbbVersion: '' });
  });
});

describe('recordCheckDue', () => {
  // a time outside the server's sweep slot
  const quiet = (s: Server) => {
    for (let t = 0; ; t += 60_000) if (!slotDue(s.id, t, 60_000, RECORD_SWEEP_MS)) return t;
  };

  it('skips a server that reports nothing, reported nothing before, and got no placement since', () => {
    const s = server();
    expect(recordCheckDue(s, 0, false, quiet(s), 60_000)).toBe(false);
  });

  it('checks when anything says a record may be there', () => {
    const t = quiet(server());
    expect(recordCheckDue(server(), 1, false, t, 60_000)).toBe(true); // reports a meeting
    expect(recordCheckDue(server({ meetings: 2 }), 0, false, t, 60_000)).toBe(true); // reported some last time
    expect(recordCheckDue(server({ load: 15 }), 0, false, t, 60_000)).toBe(true); // a create reserved load since
    expect(recordCheckDue(server(), 0, true, t, 60_000)).toBe(true); // back online
    expect(recordCheckDue(server({ polledAt: undefined, online: false, load: undefined }), 0, true, t, 60_000)).toBe(false); // first poll ever
    expect(recordCheckDue(server({ state: 'cordoned' }), 0, false, t, 60_000)).toBe(true); // draining
  });

  it('checks every server once per sweep period', () => {
    const due = Array.from({ length: RECORD_SWEEP_MS / 60_000 }, (_, k) => recordCheckDue(server(), 0, false, k * 60_000, 60_000)).filter(Boolean);
    expect(due).toHaveLength(1);
  });
});
