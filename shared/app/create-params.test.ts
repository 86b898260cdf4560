import { describe, expect, it } from 'vitest';
import { parseQuery } from '../domain/params.js';
import { takeSizeHint } from './create-params.js';

describe('takeSizeHint (issue 16)', () => {
  it('reads meta_expected-participants and removes it from the parameters', () => {
    const params = parseQuery('meetingID=m&meta_expected-participants=80&maxParticipants=100&meta_other=x');
    expect(takeSizeHint(params)).toEqual({ expected: 80 });
    expect([...params.keys()]).toEqual(['meetingID', 'maxParticipants', 'meta_other']);
  });

  it('falls back to BBB maxParticipants when > 0 (which stays: BBB enforces it)', () => {
    for (const [query, expected] of [
      ['maxParticipants=25', 25],
      ['maxParticipants=0', undefined],
      ['maxParticipants=-3', undefined],
      ['maxParticipants=abc', undefined],
      ['', undefined],
    ] as const) {
      const params = parseQuery(query);
      expect(takeSizeHint(params).expected, query).toBe(expected);
      if (query.startsWith('maxParticipants')) expect(params.has('maxParticipants')).toBe(true);
    }
  });

  it('ignores a hint that is not a positive integer (reported as ignored), then falls back to maxParticipants', () => {
    for (const bad of ['0', '-5', '2.5', '1e3', 'lots', '20x']) {
      const params = parseQuery(`meta_expected-participants=${bad}&maxParticipants=30`);
      expect(takeSizeHint(params), bad).toEqual({ expected: 30, ignored: bad });
      expect(params.has('meta_expected-participants')).toBe(false);
    }
    expect(takeSizeHint(parseQuery('meta_expected-participants='))).toEqual({});
    expect(takeSizeHint(parseQuery('meta_expected-participants'))).toEqual({});
    expect(takeSizeHint(parseQuery('meta_expected-participants=+12'))).toEqual({ expected: 12 });
  });

  it('removes the hint in any case of its name (BBB lower-cases metadata names)', () => {
    const params = parseQuery('meta_Expected-Participants=40&meetingID=m');
    expect(takeSizeHint(params)).toEqual({ expected: 40 });
    expect([...params.keys()]).toEqual(['meetingID']);
  });
});
