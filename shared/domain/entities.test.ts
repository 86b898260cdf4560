import { describe, expect, it } from 'vitest';
import { makeServer } from '../../test/helpers/server-fixture.js';
import { isLive, isSelectable, isUsable, multiplierOf, type Meeting, type Server } from './entities.js';

const server = (over: Partial<Server>): Server => makeServer({ id: 's1', url: 'https://bbb.example.com/bigbluebutton/api', secret: 'x', ...over });

describe('isSelectable', () => {
  it('is true for an enabled, online, polled server (load 0 counts as polled)', () => {
    expect(isSelectable(server({}))).toBe(true);
    expect(isSelectable(server({ load: 42 }))).toBe(true);
  });
  it('is false for a cordoned or disabled server', () => {
    expect(isSelectable(server({ state: 'cordoned' }))).toBe(false);
    expect(isSelectable(server({ state: 'disabled' }))).toBe(false);
  });
  it('is false for an offline server', () => {
    expect(isSelectable(server({ online: false }))).toBe(false);
  });
  it('is false for a server without a known load', () => {
    expect(isSelectable(server({ load: undefined }))).toBe(false);
  });
});

describe('isUsable', () => {
  it('is true for enabled and cordoned online servers, polled or not', () => {
    expect(isUsable(server({}))).toBe(true);
    expect(isUsable(server({ state: 'cordoned' }))).toBe(true);
    expect(isUsable(server({ load: undefined }))).toBe(true);
  });
  it('is false for a disabled or offline server', () => {
    expect(isUsable(server({ state: 'disabled' }))).toBe(false);
    expect(isUsable(server({ online: false }))).toBe(false);
    expect(isUsable(server({ state: 'cordoned', online: false }))).toBe(false);
  });
});

describe('multiplierOf', () => {
  it('defaults to 1 and keeps an explicit value, including 0', () => {
    expect(multiplierOf({})).toBe(1);
    expect(multiplierOf({ loadMultiplier: 2.5 })).toBe(2.5);
    expect(multiplierOf({ loadMultiplier: 0 })).toBe(0);
  });
});

describe('isLive', () => {
  const m = { expiresAt: 1_000 } as Meeting;
  it('is true before expiresAt (seconds) and false from it on', () => {
    expect(isLive(m, 999_999)).toBe(true);
    expect(isLive(m, 1_000_000)).toBe(false);
    expect(isLive(m, 2_000_000)).toBe(false);
  });
});
