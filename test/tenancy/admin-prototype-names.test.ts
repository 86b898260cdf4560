/**
 * The admin API with names of Object.prototype in its JSON (issue 9, item 11): `state: "__proto__"` used to
 * store `{}` and `state: "constructor"` to answer 500. They are invalid states now, and no client name
 * reaches a prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { rawRequest, signQuery, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';

const ADMIN = 'admin-secret-0123456789';

describe('admin API: prototype names in the JSON', () => {
  let t: TestStack;
  const parse = (raw: RawResponse) => ({ status: raw.status, json: raw.headers['content-type']?.includes('json') ? (JSON.parse(raw.body) as Record<string, unknown>) : undefined, raw });
  const get = async (call: string, query = '') => parse(await rawRequest(t.url, `/scalelite/api/${call}?${signQuery(call, query, ADMIN, 'sha256')}`));
  const post = async (call: string, body: string) =>
    parse(await rawRequest(t.url, `/scalelite/api/${call}?${signQuery(call, '', ADMIN, 'sha256')}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } }));
  const stateOf = async () => (await t.stack.deps.store.servers.get('bbb-a'))?.state;

  beforeAll(async () => {
    t = await startTestStack({ env: { ADMIN_SECRET: ADMIN } });
    const fake = await FakeBbb.start();
    t.fakes.push(fake);
    await t.addServer(fake, { id: 'bbb-a' });
  });
  afterAll(() => t.close());

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'])(
    'updateServer state %j: 400 Invalid state parameter, the stored state unchanged',
    async (state) => {
      expect(await stateOf()).toBe('enabled');
      const res = await post('updateServer', JSON.stringify({ id: 'bbb-a', server: { state } }));
      expect(res).toMatchObject({ status: 400, json: { error: `Invalid state parameter: ${state}` } });
      expect(await stateOf()).toBe('enabled');
    },
  );

  it('a state that is no string (even one without a primitive value) is invalid, not a 500', async () => {
    for (const [body, shown] of [
      ['{"id":"bbb-a","server":{"state":{"toString":1}}}', '[object Object]'],
      ['{"id":"bbb-a","server":{"state":{"__proto__":null}}}', '[object Object]'],
      ['{"id":"bbb-a","server":{"state":["enable"]}}', 'enable'],
      ['{"id":"bbb-a","server":{"state":[{"toString":1}]}}', '[object Array]'],
      ['{"id":"bbb-a","server":{"state":1}}', '1'],
    ] as const) {
      expect(await post('updateServer', body), body).toMatchObject({ status: 400, json: { error: `Invalid state parameter: ${shown}` } });
    }
    expect(await stateOf()).toBe('enabled');
  });

  it('own __proto__ / constructor keys in the body are plain keys: nothing is polluted, the real fields still apply', async () => {
    const res = await post('updateServer', '{"id":"bbb-a","__proto__":{"state":"disable"},"server":{"constructor":"x","__proto__":{"state":"disable"},"state":"cordon"}}');
    expect(res).toMatchObject({ status: 200, json: { id: 'bbb-a', state: 'cordoned' } });
    expect(({} as Record<string, unknown>).state).toBeUndefined();
    // a body whose only server fields sit under __proto__ changes nothing
    expect(await post('updateServer', '{"id":"bbb-a","server":{"__proto__":{"state":"disable","tag":"x"}}}')).toMatchObject({ status: 200, json: { state: 'cordoned', tag: '' } });
    expect(await post('updateServer', '{"id":"bbb-a","server":{"state":"enable"}}')).toMatchObject({ status: 200, json: { state: 'enabled' } });
  });

  it('addServer with prototype keys in the body works; prototype names as ids and calls are not found', async () => {
    const added = await post('addServer', JSON.stringify({ server: { url: 'https://proto.example.com/bigbluebutton/api', secret: 's', constructor: 1, toString: 2 } }));
    expect(added).toMatchObject({ status: 201, json: { url: 'https://proto.example.com/bigbluebutton/api', state: 'disabled' } });
    for (const id of ['constructor', '__proto__', 'toString']) {
      expect(await get('getServerInfo', `id=${id}`), id).toMatchObject({ status: 404 });
      expect(await post('updateServer', JSON.stringify({ id, server: { state: 'enable' } })), id).toMatchObject({ status: 404 });
    }
    for (const call of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await get(call);
      expect(res.status, call).toBe(200);
      expect(xmlValue(res.raw.body, 'messageKey'), call).toBe('unsupportedRequest');
    }
  });
});
