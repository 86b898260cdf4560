import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LB_SECRET, rawRequest, xmlValue } from '../helpers/test-stack.js';
import { hostOf, startTenancyStack, URL_HOST, type TenancyStack } from '../tenancy/tenancy-stack.js';

// POST /fsapi (reference §1.11) over real HTTP against a multitenant stack with one fake BBB server.
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = basic('fsapi', LB_SECRET);

describe('POST /fsapi', () => {
  let t: TenancyStack;
  let lbPin: string;
  let t1Pin: string;
  let t1Secret: string;
  let t2Id: string;
  const T2_SECRET = 't2-secret-0123456789';

  const fsapi = (fields: Record<string, string> | string, opts: { host?: string; auth?: string | null } = {}) =>
    rawRequest(t.url, '/fsapi', {
      method: 'POST',
      body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Host: opts.host ?? URL_HOST,
        ...(opts.auth === null ? {} : { Authorization: opts.auth ?? AUTH }),
      },
    });
  const dialplan = (pin?: string, extra: Record<string, string> = {}) => ({
    section: 'dialplan',
    'Caller-Destination-Number': '5551234',
    ...(pin === undefined ? {} : { variable_pin: pin }),
    ...extra,
  });

  beforeAll(async () => {
    t = await startTenancyStack({ env: { FSAPI_MAX_DURATION: '90' } });
    // multitenant mode: every meeting is a tenant's (the apex takes no BBB API call); t2's is `lbPin`
    t1Secret = 't1-secret-0123456789';
    t2Id = (await t.tenant('t2', T2_SECRET)).id;
    await t.tenant('t1', t1Secret);
    const lb = await t.callAt(hostOf('t2'), 'create', 'meetingID=lb-m&moderatorPW=mp&attendeePW=ap', T2_SECRET);
    lbPin = xmlValue(lb.body, 'voiceBridge')!;
    const m = await t.callAt(hostOf('t1'), 'create', 'meetingID=t1-m&moderatorPW=mp&attendeePW=ap', t1Secret);
    t1Pin = xmlValue(m.body, 'voiceBridge')!;
    expect(lbPin).toMatch(/^\d{9}$/);
    expect(t1Pin).toMatch(/^\d{9}$/);
  });
  afterAll(() => t.close());

  it('refuses a missing or wrong password with Rails’ 401 and the realm', async () => {
    for (const auth of [null, basic('fsapi', 'wrong'), basic('admin', LB_SECRET), 'Bearer x', 'Basic !!!']) {
      const res = await fsapi(dialplan(), { auth });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Basic realm="${URL_HOST}"`);
      expect(res.body).toBe('HTTP Basic: Access denied.\n');
    }
  });

  it('without a PIN: the prompt, with the hang-up after FSAPI_MAX_DURATION', async () => {
    const res = await fsapi(dialplan());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.body).toContain('<extension name="match_did_and_prompt_for_pin">');
    expect(res.body).toContain('<condition field="destination_number" expression="^5551234$">');
    expect(res.body).toContain('<action application="sched_hangup" data="+5400 normal_clearing"/>');
  });

  it('another section or no destination number: the not-found result', async () => {
    for (const fields of <Record<string, string>[]>[{ section: 'directory', 'Caller-Destination-Number': '5551234' }, { section: 'dialplan' }, {}]) {
      const res = await fsapi(fields);
      expect(res.status).toBe(200);
      expect(res.body).toContain('<result status="not found"/>');
    }
  });

  it('a known PIN bridges to the meeting’s server, caller id masked', async () => {
    const res = await fsapi(dialplan(lbPin, { 'Caller-Caller-ID-Name': '5554321' }));
    expect(res.body).toContain('<extension name="bridge_to_bbb_server">');
    expect(res.body).toContain(`<action application="set" data="meeting_id=${t2Id}~lb-m"/>`);
    expect(res.body).toContain('<action application="set" data="effective_caller_id_name=555XXXX"/>');
    expect(res.body).toContain(`<action application="bridge" data="sofia/external/${lbPin}@127.0.0.1"/>`);
    const hidden = await fsapi(dialplan(lbPin, { 'Caller-Caller-ID-Name': '5554321', 'Caller-Privacy-Hide-Number': 'true' }));
    expect(hidden.body).toContain('effective_caller_id_name=Unavailable');
    const named = await fsapi(dialplan(lbPin, { 'Caller-Caller-ID-Name': 'Ann', 'Caller-Privacy-Hide-Name': 'true' }));
    expect(named.body).toContain('effective_caller_id_name=Unavailable');
    const none = await fsapi(dialplan(lbPin));
    expect(none.body).toContain('effective_caller_id_name=Unavailable');
  });

  it('a breakout PIN (voice bridge + one digit) bridges to the parent’s server with the full PIN', async () => {
    const res = await fsapi(dialplan(`${lbPin}7`));
    expect(res.body).toContain(`<action application="bridge" data="sofia/external/${lbPin}7@127.0.0.1"/>`);
  });

  it('an unknown PIN re-prompts; so does a PIN that is not digits', async () => {
    for (const pin of ['99999', '1', `${lbPin}77`, 'abc', '${system(rm)}', '1'.repeat(40)]) {
      const res = await fsapi(dialplan(pin));
      expect(res.status).toBe(200);
      expect(res.body).toContain('<extension name="reprompt_for_pin">');
    }
  });

  it('a tenant’s host bridges only its own meetings; the apex bridges every tenant’s; an unknown tenant none', async () => {
    expect((await fsapi(dialplan(t1Pin), { host: hostOf('t1') })).body).toContain('bridge_to_bbb_server');
    expect((await fsapi(dialplan(t1Pin), { host: hostOf('t1') })).body).toContain(`meeting_id=${(await t.stack.deps.store.tenants.listAll()).find((x) => x.name === 't1')!.id}~t1-m`);
    expect((await fsapi(dialplan(lbPin), { host: hostOf('t2') })).body).toContain('bridge_to_bbb_server');
    expect((await fsapi(dialplan(t1Pin), { host: hostOf('t2') })).body).toContain('reprompt_for_pin');
    expect((await fsapi(dialplan(lbPin), { host: hostOf('t1') })).body).toContain('reprompt_for_pin');
    expect((await fsapi(dialplan(`${t1Pin}3`), { host: hostOf('t2') })).body).toContain('reprompt_for_pin');
    expect((await fsapi(dialplan(t1Pin), { host: URL_HOST })).body).toContain('bridge_to_bbb_server');
    expect((await fsapi(dialplan(t1Pin), { host: hostOf('nobody') })).body).toContain('reprompt_for_pin');
  });

  it('only meetings on an online, not disabled server are bridged', async () => {
    const { servers } = t.stack.deps.store;
    await servers.updateConfig('bbb-1', { state: 'cordoned' });
    expect((await fsapi(dialplan(lbPin))).body).toContain('bridge_to_bbb_server');
    await servers.updateConfig('bbb-1', { state: 'disabled' });
    expect((await fsapi(dialplan(lbPin))).body).toContain('reprompt_for_pin');
    await servers.updateConfig('bbb-1', { state: 'enabled' });
    await servers.updatePoll('bbb-1', { online: false });
    expect((await fsapi(dialplan(lbPin))).body).toContain('reprompt_for_pin');
    await servers.updatePoll('bbb-1', { online: true });
    expect((await fsapi(dialplan(lbPin))).body).toContain('bridge_to_bbb_server');
    await t.poll(); // a load again, so the next create can place a meeting
  });

  it('an ended meeting’s PIN re-prompts', async () => {
    const m = await t.callAt(hostOf('t2'), 'create', 'meetingID=ending&moderatorPW=mp&attendeePW=ap', T2_SECRET);
    const pin = xmlValue(m.body, 'voiceBridge')!;
    expect((await fsapi(dialplan(pin))).body).toContain('bridge_to_bbb_server');
    expect(xmlValue((await t.callAt(hostOf('t2'), 'end', 'meetingID=ending&password=mp', T2_SECRET)).body, 'returncode')).toBe('SUCCESS');
    expect((await fsapi(dialplan(pin))).body).toContain('reprompt_for_pin');
  });

  it('hostile input never gets a 500: escaped caller names, odd encodings, oversized and non-form bodies', async () => {
    const evil = await fsapi(dialplan(lbPin, { 'Caller-Caller-ID-Name': '${system(curl evil)}"><x>\\' }));
    expect(evil.status).toBe(200);
    expect(evil.body).toContain('effective_caller_id_name=\\${system(curl evil)}&quot;&gt;&lt;x&gt;\\\\"/>');
    const did = await fsapi({ section: 'dialplan', 'Caller-Destination-Number': '555 (1)$\u0000' });
    expect(did.status).toBe(200);
    expect(did.body).toContain('expression="^555\\\\ \\\\(1\\\\)\\\\$');
    for (const body of ['%%%=%E0%A4%A', 'section=dialplan&section=directory&Caller-Destination-Number=1', 'a'.repeat(70 * 1024), '\u0000\u0001']) {
      const res = await fsapi(body);
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^<document type="freeswitch\/xml">/);
    }
    const json = await rawRequest(t.url, '/fsapi', { method: 'POST', body: '{"section":"dialplan"}', headers: { 'Content-Type': 'application/json', Host: URL_HOST, Authorization: AUTH } });
    expect(json.status).toBe(200);
    expect(json.body).toContain('<result status="not found"/>');
  });

  it('costs one voice-bridge read and one meeting read per lookup, never a Scan', async () => {
    const ops = t.stack.engineOps;
    const before = new Map(ops);
    await fsapi(dialplan(lbPin));
    const delta = (op: string) => (ops.get(op) ?? 0) - (before.get(op) ?? 0);
    expect(delta('GetItem')).toBe(2);
    expect(delta('Scan')).toBe(0);
    // the servers and tenants come from the registry snapshot, which these tests reload on every request (REGISTRY_TTL=0)
    expect(delta('Query')).toBeLessThanOrEqual(2);
  });
});

describe('POST /fsapi authentication settings', () => {
  it('FSAPI_PASSWORD set empty: no authentication; set: that password, not the LB secret', async () => {
    const open = await startTenancyStack({ env: { FSAPI_PASSWORD: '' }, servers: 0 });
    try {
      const res = await rawRequest(open.url, '/fsapi', { method: 'POST', body: 'section=dialplan&Caller-Destination-Number=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
    const own = await startTenancyStack({ env: { FSAPI_PASSWORD: 'fs-pass' }, servers: 0 });
    try {
      const post = (auth: string) => rawRequest(own.url, '/fsapi', { method: 'POST', body: 'section=dialplan&Caller-Destination-Number=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: auth } });
      expect((await post(basic('fsapi', 'fs-pass'))).status).toBe(200);
      expect((await post(AUTH)).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});
