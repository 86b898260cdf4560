import { describe, expect, it } from 'vitest';
import { pollAll } from '../../shared/app/poll-servers.js';
import { rawRequest } from '../helpers/test-stack.js';
import { SPAWN_TIMEOUT, useSlctlFixture } from './slctl-fixture.js';

// Runs the real `slctl` binary (child process) against this file's own local stack and fake BBB.
const t = useSlctlFixture('slctl-api-url');
const { slctl, seedFakeServer } = t;
/** the fixture stack's LOADBALANCER_SECRET */
const env = { LOADBALANCER_SECRET: 'lbsecret' };

/** `slctl api:url CALL QUERY --base <the fixture's API>` → the URL printed */
async function apiUrl(call: string, query: string): Promise<string> {
  const r = await slctl(['api:url', call, query, '--base', t.stack.url], { env });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return r.stdout.trim();
}

/** GET of the URL exactly as printed (curl sends it so) */
const get = (url: string) => rawRequest(t.stack.url, url.slice(t.stack.url.length));

describe('api:url', () => {
  it('encodes values as BBB clients do, whether given raw or encoded, and signs exactly the query it prints', async () => {
    for (const query of ['meetingID=a b&name=Demo Room', 'meetingID=a+b&name=Demo%20Room', 'meetingID=a%20b&name=Demo+Room']) {
      const url = await apiUrl('isMeetingRunning', query);
      expect(url).toMatch(new RegExp(`^${t.stack.url}/bigbluebutton/api/isMeetingRunning\\?meetingID=a\\+b&name=Demo\\+Room&checksum=[0-9a-f]{64}$`));
    }
    // characters curl refuses or a server splits on, and non-ASCII: percent-encoded (a literal & given as %26)
    expect(await apiUrl('isMeetingRunning', "meetingID=R%26D 'β'#1")).toContain('?meetingID=R%26D+%27%CE%B2%27%231&checksum=');
    // the balancer accepts the checksum: no checksumError for any of them
    expect((await get(await apiUrl('isMeetingRunning', 'meetingID=a b'))).body).toContain('<returncode>SUCCESS</returncode>');
    expect((await get(await apiUrl('getMeetings', ''))).body).toContain('<returncode>SUCCESS</returncode>');
  }, SPAWN_TIMEOUT * 8);

  it('a create with spaces reaches BBB with the meetingID as typed', async () => {
    await seedFakeServer();
    await pollAll(t.stack.deps);
    const r = await get(await apiUrl('create', 'meetingID=a b&name=Demo Room&moderatorPW=mp'));
    expect(r.body).toContain('<returncode>SUCCESS</returncode>');
    expect(r.body).toContain('<meetingID>a b</meetingID>');
    expect([...t.fake.meetings.values()].map((m) => m.meetingName)).toEqual(['Demo Room']);
  }, SPAWN_TIMEOUT * 2);

  it('refuses a call name with a query in it, and a checksum in the query (exit 64)', async () => {
    expect(await slctl(['api:url', 'create?meetingID=x'], { env })).toEqual({
      code: 64,
      stdout: '',
      stderr: "Error: 'create?meetingID=x' is not a BBB API call name (e.g. create, join, getMeetings); give the query as the second argument\n",
    });
    expect(await slctl(['api:url', 'create', 'meetingID=x&checksum=abc'], { env })).toEqual({
      code: 64,
      stdout: '',
      stderr: "Error: the query must not have a checksum: api:url computes it (leave 'checksum=…' out)\n",
    });
    expect((await slctl(['api:url'], { env })).code).toBe(64);
  }, SPAWN_TIMEOUT * 3);
});
