import { describe, expect, it } from 'vitest';
import { bbbCallDimension } from './request-metrics.js';

describe('bbbCallDimension', () => {
  it('keeps the BBB API call names, names the root index and maps anything else to one value', () => {
    expect(bbbCallDimension('join')).toBe('join');
    expect(bbbCallDimension('getRecordings')).toBe('getRecordings');
    expect(bbbCallDimension('')).toBe('index');
    expect(bbbCallDimension('random-path-1234')).toBe('other');
    expect(bbbCallDimension('__proto__')).toBe('other');
  });
});
