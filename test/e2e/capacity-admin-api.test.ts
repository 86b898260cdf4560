/**
 * Issue 16 item 1: a server's capacity through the admin API (`/scalelite/api/*`, JSON): added, updated,
 * removed with 0 (or null), refused when not a whole number ≥ 0, shown only when set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, signQuery, startTestStack, type TestStack } from '../helpers/test-stack.js';

const ADMIN = 'admin-secret-capacity-0123';

describe('admin API: capacity', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ env: { ADMIN_SECRET: ADMIN } });
  });
  afterAll(() => t.close());

  const get = async (call: string, query: string) => {
    const res = await rawRequest(t.url, `/scalelite/api/${call}?${signQuery(call, query, ADMIN, 'sha256')}`);
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  };
  const post = async (call: string, body: unknown) => {
    const res = await rawRequest(t.url, `/scalelite/api/${call}?${signQuery(call, '', ADMIN, 'sha256')}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
  };

  it('addServer takes a capacity; getServerInfo shows it last, and only when set', async () => {
    const added = await post('addServer', { server: { url: 'https://cap1.example.com/bigbluebutton/api', secret: 's', capacity: 200 } });
    expect(added.status).toBe(201);
    expect(added.json.capacity).toBe(200);
    const id = added.json.id as string;
    expect((await t.stack.deps.store.servers.get(id))?.capacity).toBe(200);
    const info = await get('getServerInfo', `id=${id}`);
    expect(Object.keys(info.json).at(-1)).toBe('capacity');

    const plain = await post('addServer', { server: { url: 'https://cap2.example.com/bigbluebutton/api', secret: 's' } });
    expect(plain.json).not.toHaveProperty('capacity'); // Scalelite's shape
    expect(Object.keys(plain.json)).toEqual(['id', 'url', 'secret', 'tag', 'bbb_version', 'state', 'load', 'load_multiplier', 'online']);
  });

  it('updateServer sets, changes (number or text) and removes it (0 or null); other fields stay', async () => {
    const { json } = await post('addServer', { server: { url: 'https://cap3.example.com/bigbluebutton/api', secret: 's', tag: 'x' } });
    const id = json.id as string;
    expect((await post('updateServer', { id, server: { capacity: 150 } })).json).toMatchObject({ capacity: 150, tag: 'x' });
    expect((await post('updateServer', { id, server: { capacity: '175' } })).json).toMatchObject({ capacity: 175 });
    expect((await post('updateServer', { id, server: { load_multiplier: 2 } })).json).toMatchObject({ capacity: 175, load_multiplier: '2.0' });
    const removed = await post('updateServer', { id, server: { capacity: 0 } });
    expect(removed.status).toBe(200);
    expect(removed.json).not.toHaveProperty('capacity');
    expect((await t.stack.deps.store.servers.get(id))?.capacity).toBeUndefined();
    await post('updateServer', { id, server: { capacity: 99 } });
    await post('updateServer', { id, server: { capacity: null } });
    expect((await t.stack.deps.store.servers.get(id))?.capacity).toBeUndefined();
  });

  it('refuses a negative, fractional or non-numeric capacity with 400, changing nothing', async () => {
    const { json } = await post('addServer', { server: { url: 'https://cap4.example.com/bigbluebutton/api', secret: 's', capacity: 50 } });
    const id = json.id as string;
    for (const bad of [-1, 2.5, 'lots', true, [10], { n: 1 }]) {
      const res = await post('updateServer', { id, server: { capacity: bad, secret: 'changed' } });
      expect(res, JSON.stringify(bad)).toEqual({ status: 400, json: { error: 'Capacity must be a whole number of users, 0 or more (0 removes it)' } });
    }
    expect(await t.stack.deps.store.servers.get(id)).toMatchObject({ capacity: 50, secret: 's' });
    expect((await post('addServer', { server: { url: 'https://cap5.example.com/bigbluebutton/api', secret: 's', capacity: -3 } })).status).toBe(400);
    expect((await t.stack.deps.store.servers.list()).some((s) => s.url.includes('cap5'))).toBe(false);
  });
});
