import { describe, expect, it } from 'vitest';
import { mergeParams, passThrough } from './merge-params.js';
import type { Params } from './params.js';

const p = (...pairs: [string, string | null][]): Params => new Map(pairs);
const entries = (params: Params) => [...params.entries()];

describe('mergeParams', () => {
  it('returns the request alone when there are no other layers', () => {
    expect(entries(mergeParams({ request: p(['b', '1'], ['a', '2']) }))).toEqual([
      ['b', '1'],
      ['a', '2'],
    ]);
  });

  it('applies env defaults < tenant defaults < request < env overrides < tenant overrides', () => {
    const merged = mergeParams({
      envDefaults: p(['k1', 'envDefault'], ['k2', 'envDefault'], ['k3', 'envDefault'], ['k4', 'envDefault'], ['k5', 'envDefault']),
      tenantDefaults: p(['k2', 'tenantDefault'], ['k3', 'tenantDefault'], ['k4', 'tenantDefault'], ['k5', 'tenantDefault']),
      request: p(['k3', 'request'], ['k4', 'request'], ['k5', 'request']),
      envOverrides: p(['k4', 'envOverride'], ['k5', 'envOverride']),
      tenantOverrides: p(['k5', 'tenantOverride']),
    });
    expect(Object.fromEntries(merged)).toEqual({
      k1: 'envDefault',
      k2: 'tenantDefault',
      k3: 'request',
      k4: 'envOverride',
      k5: 'tenantOverride',
    });
  });

  it('orders keys: env defaults, new tenant defaults, new request keys, new override keys; existing keys keep their position', () => {
    const merged = mergeParams({
      envDefaults: p(['d1', 'x'], ['d2', 'x']),
      tenantDefaults: p(['t1', 'x'], ['d2', 'tenant']),
      request: p(['r1', 'x'], ['t1', 'request'], ['d1', 'request'], ['r2', 'x']),
      envOverrides: p(['o1', 'x'], ['r1', 'override']),
      tenantOverrides: p(['d2', 'tenantOverride'], ['o2', 'x'], ['o1', 'tenantOverride']),
    });
    expect(entries(merged)).toEqual([
      ['d1', 'request'],
      ['d2', 'tenantOverride'],
      ['t1', 'request'],
      ['r1', 'override'],
      ['r2', 'x'],
      ['o1', 'tenantOverride'],
      ['o2', 'x'],
    ]);
  });

  it('lets a bare (null) request key replace a default value', () => {
    const merged = mergeParams({ envDefaults: p(['a', '1']), request: p(['a', null]) });
    expect(merged.has('a')).toBe(true);
    expect(merged.get('a')).toBeNull();
  });

  it('lets an override replace a value set by the balancer itself', () => {
    const merged = mergeParams({ request: p(['meetingID', 'm'], ['voiceBridge', '123456789']), envOverrides: p(['voiceBridge', '70000']) });
    expect(entries(merged)).toEqual([
      ['meetingID', 'm'],
      ['voiceBridge', '70000'],
    ]);
  });

  it('does not modify the layers', () => {
    const envDefaults = p(['a', '1']);
    const request = p(['a', '2']);
    mergeParams({ envDefaults, request });
    expect(envDefaults.get('a')).toBe('1');
    expect(request.get('a')).toBe('2');
  });
});

describe('passThrough', () => {
  it('drops checksum, format, controller and action', () => {
    const params = p(['meetingID', 'm'], ['checksum', 'abc'], ['format', 'xml'], ['controller', 'c'], ['action', 'a'], ['name', 'n']);
    expect(entries(passThrough(params, []))).toEqual([
      ['meetingID', 'm'],
      ['name', 'n'],
    ]);
  });

  it('drops the excluded names and keeps the order of the rest', () => {
    const params = p(['z', '1'], ['logo', 'x'], ['a', null], ['welcome', 'w'], ['b', '2']);
    expect(entries(passThrough(params, ['logo', 'welcome']))).toEqual([
      ['z', '1'],
      ['a', null],
      ['b', '2'],
    ]);
  });

  it('matches names exactly (case-sensitive)', () => {
    expect([...passThrough(p(['Checksum', '1'], ['Logo', '2']), ['logo']).keys()]).toEqual(['Checksum', 'Logo']);
  });
});
