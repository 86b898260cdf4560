/**
 * publishRecordings, updateRecordings, deleteRecordings through real HTTP (reference §5.4–5.6, the specs
 * of §8.2), single-tenant mode: answers byte for byte, the stored recordings read back from the store.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate, injectDynamoFaults } from '../helpers/dynamo-faults.js';
import { signedForm } from '../helpers/post-sign.js';
import { assertStrictXml } from '../helpers/strict-xml.js';
import { LB_SECRET, rawRequest, signQuery, startTestStack, xmlValue, type RawResponse, type TestStack } from '../helpers/test-stack.js';
import { recording, seed } from './recording-fixtures.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const ANSWER = (element: string, value: string) => `<response>\n  <returncode>SUCCESS</returncode>\n  <${element}>${value}</${element}>\n</response>\n`;
const NOT_FOUND = ['FAILED', 'notFound', 'We could not find recordings'];
const fields = (res: RawResponse) => ['returncode', 'messageKey', 'message'].map((n) => xmlValue(res.body, n));

describe('recording write calls', () => {
  let t: TestStack;
  const call = async (name: string, query: string, opts: { method?: string; body?: string } = {}) => {
    const res = opts.method
      ? await rawRequest(t.url, `/bigbluebutton/api/${name}?${signQuery(name, query)}`, { method: opts.method, headers: FORM, body: opts.body })
      : await t.call(name, query);
    expect(res.status).toBe(200);
    assertStrictXml(res.body, `${name} answer`);
    return res;
  };
  const stored = (id: string) => t.stack.deps.store.recordings.get(id);
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(() => t.close());

  it('each call refuses a missing or wrong checksum', async () => {
    for (const name of ['publishRecordings', 'updateRecordings', 'deleteRecordings']) {
      for (const query of ['', `?checksum=${'x'.repeat(40)}`]) {
        const res = await rawRequest(t.url, `/bigbluebutton/api/${name}${query}`);
        assertStrictXml(res.body);
        expect(fields(res).slice(0, 2), name).toEqual(['FAILED', 'checksumError']);
      }
    }
  });

  it('publishRecordings: missingParamRecordID, missingParamPublish, notFound for unknown ids, POST unsupported', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    expect(fields(await call('publishRecordings', 'publish=true'))).toEqual(['FAILED', 'missingParamRecordID', 'You must specify a recordID.']);
    expect(fields(await call('publishRecordings', `recordID=${r.recordID}`))).toEqual(['FAILED', 'missingParamPublish', 'You must specify a publish value true or false.']);
    expect(fields(await call('publishRecordings', `recordID=${r.recordID}&publish=%20`))[1]).toBe('missingParamPublish');
    expect(fields(await call('publishRecordings', 'recordID=not-a-real-record-id&publish=true'))).toEqual(NOT_FOUND);
    // only exact ids: a prefix names nothing
    expect(fields(await call('publishRecordings', `recordID=${r.recordID.slice(0, 40)}&publish=true`))).toEqual(NOT_FOUND);
    const posted = await call('publishRecordings', `recordID=${r.recordID}&publish=false`, { method: 'POST' });
    expect(fields(posted)).toEqual(['FAILED', 'unsupportedRequest', 'This request is not supported.']);
    expect((await stored(r.recordID))!.published).toBe(true);
  });

  it('publishRecordings toggles published, state and publishUpdated, and echoes the requested value', async () => {
    const [a, b] = await seed(t.stack.deps, [recording(), recording({ state: 'unpublished' })]);
    const off = await call('publishRecordings', `recordID=${a.recordID}&publish=false`);
    expect(off.body).toBe(ANSWER('published', 'false'));
    expect(await stored(a.recordID)).toMatchObject({ published: false, state: 'unpublished', publishUpdated: true });
    const on = await call('publishRecordings', `recordID=${a.recordID},${b.recordID}&publish=TRUE`);
    expect(on.body).toBe(ANSWER('published', 'true'));
    for (const id of [a.recordID, b.recordID]) expect(await stored(id)).toMatchObject({ published: true, state: 'published', publishUpdated: true });
    // anything but "true" unpublishes; a recording already there is not written again
    const version = (await stored(a.recordID))!.version;
    await call('publishRecordings', `recordID=${b.recordID}&publish=yes`);
    expect((await stored(b.recordID))!.published).toBe(false);
    expect((await call('publishRecordings', `recordID=${a.recordID}&publish=true`)).body).toBe(ANSWER('published', 'true'));
    expect((await stored(a.recordID))!.version).toBe(version);
  });

  it('publishRecordings only targets published or unpublished recordings', async () => {
    const [processing, deleted] = await seed(t.stack.deps, [recording({ state: 'processing' }), recording({ state: 'deleted' })]);
    expect(fields(await call('publishRecordings', `recordID=${processing.recordID},${deleted.recordID}&publish=true`))).toEqual(NOT_FOUND);
    expect((await stored(processing.recordID))!.state).toBe('processing');
  });

  it('updateRecordings: missingParamRecordID; adds, updates and removes meta keys', async () => {
    expect(fields(await call('updateRecordings', ''))).toEqual(['FAILED', 'missingParamRecordID', 'You must specify a recordID.']);
    const [r] = await seed(t.stack.deps, [recording({ metadata: { 'gl-listed': 'true' } })]);
    const count = async () => Object.keys((await stored(r.recordID))!.metadata).length;
    const before = await count();
    expect((await call('updateRecordings', `recordID=${r.recordID}&meta_NewParam=new+value`)).body).toBe(ANSWER('updated', 'true'));
    expect(await count()).toBe(before + 1);
    expect((await stored(r.recordID))!.metadata.newparam).toBe('new value'); // keys lower-cased
    expect((await call('updateRecordings', `recordID=${r.recordID}&meta_gl-listed=false`)).body).toBe(ANSWER('updated', 'true'));
    expect(await count()).toBe(before + 1);
    expect((await stored(r.recordID))!.metadata['gl-listed']).toBe('false');
    expect((await call('updateRecordings', `recordID=${r.recordID}&meta_gl-listed=`)).body).toBe(ANSWER('updated', 'true'));
    expect(await count()).toBe(before);
    expect(Object.hasOwn((await stored(r.recordID))!.metadata, 'gl-listed')).toBe(false);
    // nothing to change: updated=false
    expect((await call('updateRecordings', `recordID=${r.recordID}`)).body).toBe(ANSWER('updated', 'false'));
  });

  it('updateRecordings on several recordings; a POST form works', async () => {
    const [r1, r2] = await seed(t.stack.deps, [recording({ metadata: { 'gl-listed': 'false' } }), recording()]);
    const res = await call('updateRecordings', `recordID=${r1.recordID},${r2.recordID}&meta_newkey=newvalue&meta_gl-listed=`);
    expect(res.body).toBe(ANSWER('updated', 'true'));
    for (const id of [r1.recordID, r2.recordID]) {
      const m = (await stored(id))!.metadata;
      expect(m.newkey).toBe('newvalue');
      expect(Object.hasOwn(m, 'gl-listed')).toBe(false);
    }
    const posted = await rawRequest(t.url, '/bigbluebutton/api/updateRecordings', {
      method: 'POST',
      headers: FORM,
      body: signedForm('updateRecordings', [
        ['recordID', r1.recordID],
        ['meta_gl-listed', 'true'],
      ]),
    });
    expect(posted.body).toBe(ANSWER('updated', 'true'));
    expect((await stored(r1.recordID))!.metadata['gl-listed']).toBe('true');
  });

  it('updateRecordings: protect applies to the first listed recording (Rails boolean cast)', async () => {
    const [r1, r2] = await seed(t.stack.deps, [recording(), recording()]);
    expect((await call('updateRecordings', `recordID=${r1.recordID},${r2.recordID}&protect=true`)).body).toBe(ANSWER('updated', 'true'));
    expect((await stored(r1.recordID))!.protected).toBe(true);
    expect((await stored(r2.recordID))!.protected).toBe(false);
    expect((await call('updateRecordings', `recordID=${r1.recordID}&protect=off`)).body).toBe(ANSWER('updated', 'true'));
    expect((await stored(r1.recordID))!.protected).toBe(false);
    await call('updateRecordings', `recordID=${r1.recordID}&protect=False`); // not in Rails' false list: true
    expect((await stored(r1.recordID))!.protected).toBe(true);
  });

  it('updateRecordings answers updated=false and changes nothing for an unknown or repeated id', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    for (const ids of [`${r.recordID},unknown-id`, `${r.recordID},${r.recordID}`, 'unknown-id', `${r.recordID}%2C%2C`]) {
      const res = await call('updateRecordings', `recordID=${ids}&meta_newkey=x&protect=true`);
      expect(res.body, ids).toBe(ANSWER('updated', ids.endsWith('%2C%2C') ? 'true' : 'false'));
    }
    // `id,,` is `id` for Ruby's split (trailing empties dropped): that one was a real update
    const after = (await stored(r.recordID))!;
    expect(after.metadata.newkey).toBe('x');
    expect(after.version).toBe(r.version === undefined ? 2 : r.version + 1);
  });

  it('updateRecordings ignores meta_tenant-id and keys no XML element can carry', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    const res = await call('updateRecordings', `recordID=${r.recordID}&meta_tenant-id=someone&meta___proto__=x&meta_a%20b=y&meta_1x=z`);
    expect(res.body).toBe(ANSWER('updated', 'false'));
    const after = (await stored(r.recordID))!;
    expect(after.tenantId).toBeUndefined();
    expect(Object.keys(after.metadata).sort()).toEqual(Object.keys(r.metadata).sort());
    expect(after.version).toBe(1);
  });

  it('deleteRecordings: missingParamRecordID, notFound, POST unsupported', async () => {
    expect(fields(await call('deleteRecordings', ''))).toEqual(['FAILED', 'missingParamRecordID', 'You must specify a recordID.']);
    expect(fields(await call('deleteRecordings', 'recordID=123'))).toEqual(NOT_FOUND);
    const [r] = await seed(t.stack.deps, [recording()]);
    expect(fields(await call('deleteRecordings', `recordID=${r.recordID}`, { method: 'POST' }))[1]).toBe('unsupportedRequest');
    expect((await stored(r.recordID))!.state).toBe('published');
  });

  it('deleteRecordings marks recordings deleted (any state), drops their formats, keeps them listed for state=deleted', async () => {
    const [a, b, c] = await seed(t.stack.deps, [recording({ meetingID: 'deleted-room' }), recording({ meetingID: 'deleted-room', state: 'processing' }), recording({ meetingID: 'deleted-room', state: 'unpublished' })]);
    const res = await call('deleteRecordings', `recordID=${a.recordID},${b.recordID},${c.recordID}`);
    expect(res.body).toBe(ANSWER('deleted', 'true'));
    for (const r of [a, b, c]) {
      const after = (await stored(r.recordID))!;
      expect(after.state).toBe('deleted');
      expect(after.formats).toEqual({});
      expect(after.metadata).toEqual(r.metadata);
    }
    const listed = await call('getRecordings', 'meetingID=deleted-room&state=deleted');
    expect([...listed.body.matchAll(/<recordID>([^<]*)</g)].map((m) => m[1]).sort()).toEqual([a.recordID, b.recordID, c.recordID].sort());
    expect(listed.body).toContain('<playback>\n      </playback>');
    expect(xmlValue((await call('getRecordings', 'meetingID=deleted-room')).body, 'messageKey')).toBe('noRecordings');
    // deleting again is allowed (any state) and writes nothing more
    const version = (await stored(a.recordID))!.version;
    expect((await call('deleteRecordings', `recordID=${a.recordID}`)).body).toBe(ANSWER('deleted', 'true'));
    expect((await stored(a.recordID))!.version).toBe(version);
  });

  it('deleteRecordings removes the recording’s files from the embedded S3, and only its own', async () => {
    const storage = t.stack.deps.storage;
    expect(storage).toBe(t.stack.storage);
    const [gone, kept] = await seed(t.stack.deps, [recording(), recording()]);
    const files = (id: string) => [`recordings/${id}/presentation/metadata.xml`, `recordings/${id}/presentation/shapes.svg`, `recordings/${id}/podcast/audio.ogg`];
    for (const key of [...files(gone.recordID), ...files(kept.recordID)]) await storage!.put(key, `contents of ${key}`);
    const list = async (id: string) => {
      const keys: string[] = [];
      for await (const o of storage!.list(`recordings/${id}/`)) keys.push(o.key);
      return keys.sort();
    };
    expect(await list(gone.recordID)).toEqual(files(gone.recordID).sort());
    expect((await call('deleteRecordings', `recordID=${gone.recordID}`)).body).toBe(ANSWER('deleted', 'true'));
    expect(await list(gone.recordID)).toEqual([]);
    expect(await list(kept.recordID)).toEqual(files(kept.recordID).sort());
    expect((await stored(gone.recordID))!.state).toBe('deleted');
  });

  it('no lost update: a publish whose write races an update is applied again on top of it', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    const held = gate();
    let puts = 0;
    const remove = injectDynamoFaults(t.stack.db, (c) => {
      if (c.command !== 'PutItemCommand' || c.pk !== `RECORDING#${r.recordID}` || puts++ > 0) return undefined;
      held.arrive();
      return { hold: held.wait };
    });
    try {
      const publishing = call('publishRecordings', `recordID=${r.recordID}&publish=false`);
      await held.reached; // the publish has read version 1 and is about to write
      expect((await call('updateRecordings', `recordID=${r.recordID}&meta_color=blue`)).body).toBe(ANSWER('updated', 'true'));
      held.open();
      expect((await publishing).body).toBe(ANSWER('published', 'false'));
    } finally {
      remove();
    }
    expect(await stored(r.recordID)).toMatchObject({ published: false, state: 'unpublished', publishUpdated: true, metadata: { color: 'blue' }, version: 3 });
  });

  it('signatures: the checksum covers the call name (a getRecordings signature is no deleteRecordings one)', async () => {
    const [r] = await seed(t.stack.deps, [recording()]);
    const query = `recordID=${r.recordID}`;
    const wrongCall = createHash('sha1').update(`getRecordings${query}${LB_SECRET}`).digest('hex');
    const res = await rawRequest(t.url, `/bigbluebutton/api/deleteRecordings?${query}&checksum=${wrongCall}`);
    expect(fields(res)[1]).toBe('checksumError');
    expect((await stored(r.recordID))!.state).toBe('published');
  });
});
