import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_NOT_FOUND_HTML } from '../../shared/domain/recording-not-found.js';
import { startTenancyStack, hostOf, type TenancyStack } from '../tenancy/tenancy-stack.js';
import { CookieJar, makeRecording, newRecordId, putFile, request, saveRecording } from './playback-fixture.js';

// Multitenant mode: the host names the tenant; a tenant plays only its own recordings (reference §1.10, §5.9).
let t: TenancyStack;
const OF_A = newRecordId();
const OF_B = newRecordId();
const TENANTLESS = newRecordId();
/** one browser: its cookies are host-only, so a jar per host */
const jars = new Map<string, CookieJar>();
const jarOf = (host: string) => jars.get(host) ?? jars.set(host, new CookieJar()).get(host)!;
const at = async (host: string, path: string) => {
  const r = await request(t.url, path, { headers: jarOf(host).headersFor(path, { Host: host }) });
  jarOf(host).take(r);
  return r;
};

beforeAll(async () => {
  t = await startTenancyStack({ servers: 0 });
  const a = await t.tenant('alpha', 'alpha-secret');
  const b = await t.tenant('beta', 'beta-secret');
  await saveRecording(t.stack, makeRecording(OF_A, { tenantId: a.id, metadata: { 'tenant-id': a.id } }));
  await saveRecording(t.stack, makeRecording(OF_B, { tenantId: b.id, metadata: { 'tenant-id': b.id } }));
  await saveRecording(t.stack, makeRecording(TENANTLESS));
  for (const id of [OF_A, OF_B, TENANTLESS]) await putFile(t.stack, id, 'presentation', 'metadata.xml', `<recording><id>${id}</id></recording>`);
});

afterAll(async () => {
  await t?.close();
});

describe('playback in multitenant mode', () => {
  it("plays a tenant's recording on its own host only", async () => {
    expect((await at(hostOf('alpha'), `/recording/${OF_A}/presentation`)).headers.location).toBe(`/playback/presentation/2.3/${OF_A}`);
    const own = await at(hostOf('alpha'), `/presentation/${OF_A}/metadata.xml`);
    expect(own.status).toBe(200);
    expect(own.body.toString()).toBe(`<recording><id>${OF_A}</id></recording>`);
    await at(hostOf('beta'), `/recording/${OF_B}/presentation`);
    expect((await at(hostOf('beta'), `/presentation/${OF_B}/metadata.xml`)).status).toBe(200);
  });

  it("answers the not-found page for another tenant's, a tenantless recording, and on hosts that name no tenant", async () => {
    const refused: [string, string][] = [
      [hostOf('beta'), `/presentation/${OF_A}/metadata.xml`],
      [hostOf('beta'), `/recording/${OF_A}/presentation`],
      [hostOf('alpha'), `/presentation/${OF_B}/metadata.xml`],
      [hostOf('alpha'), `/presentation/${TENANTLESS}/metadata.xml`],
      [hostOf('gamma'), `/presentation/${OF_A}/metadata.xml`], // no such tenant
      [hostOf('gamma'), `/recording/${OF_A}/presentation`],
      ['sl.example.com', `/presentation/${OF_A}/metadata.xml`], // the apex names no tenant
      ['alpha.elsewhere.example.org', `/presentation/${OF_A}/metadata.xml`], // not under URL_HOST
      [hostOf('beta'), `/playback/presentation/2.3/${OF_A}`],
      [hostOf('alpha'), `/recording/${TENANTLESS}/presentation`],
      ['sl.example.com', `/recording/${TENANTLESS}/presentation`],
    ];
    for (const [host, path] of refused) {
      const r = await at(host, path);
      expect(r.status, `${host}${path}`).toBe(404);
      expect(r.body.toString(), `${host}${path}`).toBe(RECORDING_NOT_FOUND_HTML);
    }
  });
});
