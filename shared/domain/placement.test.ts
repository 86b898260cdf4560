import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { chooseServer, effectiveServerTag, hasRoom, type Candidate } from './placement.js';

/** The servers of reference §2.3. */
const SERVERS: Candidate[] = [
  { id: 'bbb-1', tag: 'test', load: 3 },
  { id: 'bbb-2', load: 2 },
  { id: 'bbb-3', load: 0 },
  { id: 'bbb-4', tag: 'test2', load: 2 },
];

/** A sequence of random numbers spread evenly over [0, 1). */
const evenly = (n: number) => {
  let i = 0;
  return () => (i++ % n) / n;
};

const RANDOMS = [0, 0.25, 0.5, 0.75, 0.999999];

function pickAll(candidates: readonly Candidate[], tag: string | undefined, band: number): string[] {
  return RANDOMS.map((r) => chooseServer(candidates, tag, { band, random: () => r }).id);
}

function catchError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('chooseServer: tag rules (reference §2.3 examples)', () => {
  // a band of 1 user: no two of these servers are "near-equal", so the answer is deterministic
  it.each([
    ['""', ''],
    ['"!"', '!'],
    ['absent', undefined],
    ['none', 'none'],
    ['none!', 'none!'],
    ['test3 (optional, falls back)', 'test3'],
  ])('%s → bbb-3', (_label, tag) => {
    expect(pickAll(SERVERS, tag, 1)).toEqual(RANDOMS.map(() => 'bbb-3'));
  });

  it.each(['test', 'test!'])('%s → bbb-1', (tag) => {
    expect(pickAll(SERVERS, tag, 1)).toEqual(RANDOMS.map(() => 'bbb-1'));
  });

  it.each(['test;test2', 'test;test2!', 'test2;test'])('%s → bbb-4 (lowest load among the tagged)', (tag) => {
    expect(pickAll(SERVERS, tag, 1)).toEqual(RANDOMS.map(() => 'bbb-4'));
  });

  it('test3! → serverTagUnavailable naming the tag without !', () => {
    const error = catchError(() => chooseServer(SERVERS, 'test3!', { band: 1, random: () => 0 }));
    expect(error.key).toBe('serverTagUnavailable');
    expect(error.message).toBe('There is no available server with the required tag=test3.');
  });

  it('a required tag list shows the whole list in the error', () => {
    const error = catchError(() => chooseServer(SERVERS, 'x;y!', { band: 1, random: () => 0 }));
    expect(error.key).toBe('serverTagUnavailable');
    expect(error.message).toBe('There is no available server with the required tag=x;y.');
  });

  it('never uses a tagged server for an untagged create', () => {
    const onlyTagged: Candidate[] = [
      { id: 'a', tag: 'gpu', load: 0 },
      { id: 'b', load: 100 },
    ];
    expect(pickAll(onlyTagged, undefined, 15)).toEqual(RANDOMS.map(() => 'b'));
  });

  it('none;test mixes untagged servers and servers tagged test', () => {
    const servers: Candidate[] = [
      { id: 'tagged', tag: 'test', load: 0 },
      { id: 'untagged', load: 5 },
      { id: 'other', tag: 'other', load: 0 },
    ];
    expect(chooseServer(servers, 'none;test', { band: 1, random: () => 0.99 }).id).toBe('tagged');
    expect(chooseServer(servers.slice(1), 'none;test', { band: 1, random: () => 0.99 }).id).toBe('untagged');
  });

  it('returns the candidate object itself', () => {
    expect(chooseServer(SERVERS, '', { band: 1, random: () => 0 })).toBe(SERVERS[2]);
  });
});

describe('chooseServer: no servers', () => {
  it('throws internalError "Could not find any available servers." for no candidates', () => {
    for (const tag of [undefined, 'test', 'test!']) {
      const error = catchError(() => chooseServer([], tag, { band: 1, random: () => 0 }));
      expect(error.key).toBe('internalError');
      expect(error.message).toBe('Could not find any available servers.');
    }
  });

  it('throws the same when only tagged servers exist and no tag is asked for', () => {
    const error = catchError(() => chooseServer([{ id: 'a', tag: 'x', load: 0 }], undefined, { band: 1, random: () => 0 }));
    expect(error.key).toBe('internalError');
    expect(error.message).toBe('Could not find any available servers.');
  });

  it('throws it when an optional tag matches nothing and there is no untagged server', () => {
    const error = catchError(() => chooseServer([{ id: 'a', tag: 'x', load: 0 }], 'y', { band: 1, random: () => 0 }));
    expect(error.key).toBe('internalError');
  });
});

describe('chooseServer: herd safety', () => {
  const servers: Candidate[] = [
    { id: 'e', load: 40 },
    { id: 'c', load: 14 },
    { id: 'a', load: 5 },
    { id: 'd', load: 20 },
    { id: 'b', load: 12 },
  ];

  it('draws only among servers with load < lowest + band', () => {
    // lowest 5, band 15 → a (5), b (12), c (14) qualify; d (20) = 5 + 15 does not
    const random = evenly(60);
    const drawn = new Set(Array.from({ length: 60 }, () => chooseServer(servers, undefined, { band: 15, random }).id));
    expect([...drawn].sort()).toEqual(['a', 'b', 'c']);
  });

  it('never chooses a clearly busier server, whatever the random number', () => {
    for (let i = 0; i < 1000; i++) {
      const r = i / 1000;
      const id = chooseServer(servers, undefined, { band: 15, random: () => r }).id;
      expect(['a', 'b', 'c']).toContain(id);
    }
    expect(['a', 'b', 'c']).toContain(chooseServer(servers, undefined, { band: 15, random: () => 1 - Number.EPSILON }).id);
  });

  it('covers all near-equal servers evenly with an even random sequence', () => {
    const random = evenly(30);
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const id = chooseServer(servers, undefined, { band: 15, random }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 10, b: 10, c: 10 });
  });

  it('with band 0 picks only the servers tied at the lowest load', () => {
    const tied: Candidate[] = [
      { id: 'x', load: 3 },
      { id: 'y', load: 3 },
      { id: 'z', load: 3.5 },
    ];
    const random = evenly(10);
    const drawn = new Set(Array.from({ length: 10 }, () => chooseServer(tied, undefined, { band: 0, random }).id));
    expect([...drawn].sort()).toEqual(['x', 'y']);
  });

  it('lowest load still wins when loads differ by more than the band', () => {
    const spread: Candidate[] = [
      { id: 'busy', load: 60 },
      { id: 'idle', load: 0 },
      { id: 'mid', load: 30 },
    ];
    expect(pickAll(spread, undefined, 15)).toEqual(RANDOMS.map(() => 'idle'));
  });

  it('does not depend on the order of the candidates', () => {
    const reversed = [...servers].reverse();
    for (const r of RANDOMS) {
      expect(chooseServer(reversed, undefined, { band: 15, random: () => r }).id).toBe(
        chooseServer(servers, undefined, { band: 15, random: () => r }).id,
      );
    }
  });

  it('applies the band inside a tagged pool too', () => {
    const tagged: Candidate[] = [
      { id: 't1', tag: 'gpu', load: 0 },
      { id: 't2', tag: 'gpu', load: 10 },
      { id: 't3', tag: 'gpu', load: 50 },
      { id: 'u', load: 0 },
    ];
    const random = evenly(20);
    const drawn = new Set(Array.from({ length: 20 }, () => chooseServer(tagged, 'gpu!', { band: 15, random }).id));
    expect([...drawn].sort()).toEqual(['t1', 't2']);
  });

  it('counts a server listed under two matching tags once', () => {
    const servers2: Candidate[] = [
      { id: 'a', tag: 'x', load: 0 },
      { id: 'b', tag: 'x', load: 0 },
    ];
    const random = evenly(4);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4; i++) {
      const id = chooseServer(servers2, 'x;x', { band: 1, random }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 2, b: 2 });
  });
});

describe('effectiveServerTag', () => {
  it('returns the first present source (tenant override, env override, request, tenant default, env default)', () => {
    expect(effectiveServerTag('tenantOverride', 'envOverride', 'request', 'tenantDefault', 'envDefault')).toBe('tenantOverride');
    expect(effectiveServerTag(undefined, 'envOverride', 'request', 'tenantDefault', 'envDefault')).toBe('envOverride');
    expect(effectiveServerTag(undefined, undefined, 'request', 'tenantDefault', 'envDefault')).toBe('request');
    expect(effectiveServerTag(undefined, undefined, null, 'tenantDefault', 'envDefault')).toBe('tenantDefault');
    expect(effectiveServerTag(undefined, undefined, undefined, undefined, 'envDefault')).toBe('envDefault');
  });

  it('skips blank values', () => {
    expect(effectiveServerTag('', '  ', null, 'gpu!', 'x')).toBe('gpu!');
  });

  it('is undefined when no source has a value', () => {
    expect(effectiveServerTag(undefined, null, '', ' ')).toBeUndefined();
    expect(effectiveServerTag()).toBeUndefined();
  });

  it('returns the value unchanged (including a required marker)', () => {
    expect(effectiveServerTag(undefined, 'test;test2!')).toBe('test;test2!');
  });
});

describe('chooseServer: capacity and size (issue 16)', () => {
  it('skips a server the meeting does not fit beside what it holds (users + reserved + expected > capacity)', () => {
    const servers: Candidate[] = [
      { id: 'a', load: 60, capacity: 100, committed: 60 },
      { id: 'b', load: 10, capacity: 100, committed: 10 },
    ];
    // 60 + 80 > 100: only b has room, even though a would win by load if b were the busier one
    expect(pickAll(servers, undefined, 15)).toEqual(RANDOMS.map(() => 'b'));
    const reversed: Candidate[] = [
      { id: 'a', load: 10, capacity: 100, committed: 10 },
      { id: 'b', load: 5, capacity: 80, committed: 5 },
    ];
    const pick = (size: number) => RANDOMS.map((r) => chooseServer(reversed, undefined, { band: 1, random: () => r, size }).id);
    expect(pick(80)).toEqual(RANDOMS.map(() => 'a')); // 5 + 80 > 80: the less loaded b is skipped
    expect(pick(75)).toEqual(RANDOMS.map(() => 'b')); // 5 + 75 = 80 fits exactly: lowest load wins again
  });

  it('a server without capacity always has room; with no size, capacities are not consulted', () => {
    const servers: Candidate[] = [
      { id: 'capped', load: 0, capacity: 10, committed: 0 },
      { id: 'open', load: 50 },
    ];
    expect(chooseServer(servers, undefined, { band: 1, random: () => 0, size: 20 }).id).toBe('open');
    expect(chooseServer(servers, undefined, { band: 1, random: () => 0 }).id).toBe('capped');
    expect(hasRoom({ capacity: undefined }, 1e9)).toBe(true);
    expect(hasRoom({ capacity: 10, committed: 0 }, undefined)).toBe(true);
    expect(hasRoom({ capacity: 10, committed: 0 }, 10)).toBe(true);
    expect(hasRoom({ capacity: 10, committed: 0.5 }, 10)).toBe(false);
  });

  it('when no server has room, chooses by load as without capacities (never refuses)', () => {
    const full: Candidate[] = [
      { id: 'a', load: 95, capacity: 100, committed: 95 },
      { id: 'b', load: 40, capacity: 50, committed: 40 },
    ];
    const picked = chooseServer(full, undefined, { band: 15, random: () => 0.99, size: 20 });
    expect(picked.id).toBe('b');
    expect(hasRoom(picked, 20)).toBe(false); // how the caller knows to log it
  });

  it('keeps the herd-safe band among the servers with room', () => {
    const servers: Candidate[] = [
      { id: 'a', load: 0, capacity: 30, committed: 0 }, // no room for 40
      { id: 'b', load: 20, capacity: 100, committed: 20 },
      { id: 'c', load: 30, capacity: 100, committed: 30 },
      { id: 'd', load: 50, capacity: 100, committed: 50 },
      { id: 'e', load: 10 },
    ];
    const random = evenly(40);
    const drawn = new Set(Array.from({ length: 40 }, () => chooseServer(servers, undefined, { band: 15, random, size: 40 }).id));
    // lowest with room: e (10); band 15 → e, b (20); c (30) = 10 + 15 + 5 is out; a has no room
    expect([...drawn].sort()).toEqual(['b', 'e']);
  });

  it('applies the tag rules before the capacity', () => {
    const servers: Candidate[] = [
      { id: 'gpu-full', tag: 'gpu', load: 0, capacity: 10, committed: 5 },
      { id: 'plain', load: 0 },
    ];
    // the required tag's only server has no room: still placed there (by load), never on an untagged one
    expect(chooseServer(servers, 'gpu!', { band: 1, random: () => 0, size: 20 }).id).toBe('gpu-full');
  });
});
