import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BBB_MAX_RESPONSE_BYTES, BbbTransportError, httpExchange } from '../bbb/bbb-client.js';
import { OUTBOUND_MAX_RESPONSE_BYTES, createOutboundHttp } from './outbound-http.js';
import { CALLBACK_MAX_RESPONSE_BYTES, DestinationRefusedError, checkDestination, publicOnlyLookup, tenantUrlExchange } from './safe-http.js';

const STRICT = { allowPrivate: false };
const LAX = { allowPrivate: true };
const TIMEOUTS = { connectTimeoutMs: 1000, responseTimeoutMs: 2000 };

/** A resolver that answers `addresses` for every name, in the form node asks for. */
const resolver = (addresses: string[]): LookupFunction =>
  ((_host: string, options: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => {
    const list = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) cb(null, list);
    else cb(null, list[0].address, list[0].family);
  }) as unknown as LookupFunction;

/** Calls `lookup` as node:net does and reports what it answered. */
const lookUp = (lookup: LookupFunction, all: boolean) =>
  new Promise<{ err: Error | null; address: unknown }>((resolve) =>
    (lookup as unknown as (h: string, o: object, cb: (e: Error | null, a: unknown) => void) => void)('callback.example', { all }, (err, address) => resolve({ err, address })),
  );

describe('checkDestination (before connecting)', () => {
  it('allows only https by default, http too with ALLOW_PRIVATE_CALLBACK_URLS, never another scheme', () => {
    expect(checkDestination('https://lms.example.org/cb', STRICT).hostname).toBe('lms.example.org');
    expect(() => checkDestination('http://lms.example.org/cb', STRICT)).toThrow(DestinationRefusedError);
    expect(checkDestination('http://lms.example.org/cb', LAX).protocol).toBe('http:');
    for (const url of ['ftp://lms.example.org/', 'file:///etc/passwd', 'gopher://x/', 'not a url']) {
      expect(() => checkDestination(url, LAX), url).toThrow(DestinationRefusedError);
    }
  });

  it('refuses IP-literal hosts that are not public, whatever their spelling', () => {
    for (const url of ['https://127.0.0.1/', 'https://2130706433/', 'https://0x7f.0.0.1/', 'https://10.0.0.5/', 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/', 'https://[::ffff:10.0.0.1]/', 'https://[fd00::1]/', 'https://100.64.1.1/']) {
      expect(() => checkDestination(url, STRICT), url).toThrow(/is not public/);
      expect(checkDestination(url, LAX).href).toBe(new URL(url).href);
    }
    expect(checkDestination('https://8.8.8.8/', STRICT).hostname).toBe('8.8.8.8');
  });
});

describe('publicOnlyLookup (at connect time)', () => {
  it('passes public addresses through unchanged, in both forms node asks for', async () => {
    const lookup = publicOnlyLookup(resolver(['93.184.216.34', '2606:2800:220:1::1']));
    expect(await lookUp(lookup, false)).toEqual({ err: null, address: '93.184.216.34' });
    expect(await lookUp(lookup, true)).toEqual({
      err: null,
      address: [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
    });
  });

  it('fails the connection when any address of the name is not public (DNS rebinding to loopback or metadata)', async () => {
    for (const addresses of [['127.0.0.1'], ['169.254.169.254'], ['::1'], ['::ffff:127.0.0.1'], ['10.0.0.1', '93.184.216.34']]) {
      for (const all of [false, true]) {
        const { err } = await lookUp(publicOnlyLookup(resolver(addresses)), all);
        expect(err, `${addresses} all=${all}`).toBeInstanceOf(DestinationRefusedError);
      }
    }
    // one private address among public ones refuses the name (node may try any of them)
    expect((await lookUp(publicOnlyLookup(resolver(['93.184.216.34', '10.0.0.1'])), true)).err).toBeInstanceOf(DestinationRefusedError);
  });

  it('passes resolver errors on', async () => {
    const failing = ((_h: string, _o: object, cb: (e: Error) => void) => cb(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))) as unknown as LookupFunction;
    const { err } = await lookUp(publicOnlyLookup(failing), true);
    expect(err?.message).toBe('getaddrinfo ENOTFOUND');
  });
});

describe('tenantUrlExchange', () => {
  let connections = 0;
  const tcp = createTcpServer((s) => {
    connections++;
    s.destroy();
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    port = (tcp.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => tcp.close(() => r())));

  it('a name that resolves to 127.0.0.1 at connect time is refused and never connected to', async () => {
    connections = 0;
    const call = tenantUrlExchange(`https://callback.example:${port}/cb`, { headers: {}, ...TIMEOUTS, resolve: resolver(['127.0.0.1']) }, STRICT);
    await expect(call).rejects.toThrow(DestinationRefusedError);
    await expect(call).rejects.toThrow('callback.example resolves to 127.0.0.1, which is not public');
    expect(connections).toBe(0);
  });

  it('the same name is called when ALLOW_PRIVATE_CALLBACK_URLS is set', async () => {
    connections = 0;
    const call = tenantUrlExchange(`http://callback.example:${port}/cb`, { headers: {}, ...TIMEOUTS, resolve: resolver(['127.0.0.1']) }, LAX);
    await expect(call).rejects.toThrow(BbbTransportError); // the counter hangs up: but it was reached
    expect(connections).toBe(1);
  });
});

/** A server whose answers are `size` bytes ('endless': until the client goes), with or without Content-Length. */
async function bodyServer() {
  const closedEarly: Promise<void>[] = [];
  const server: Server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const size = url.searchParams.get('size') ?? 'endless';
    const declare = url.searchParams.get('declare') === '1';
    closedEarly.push(new Promise<void>((resolve) => res.on('close', () => !res.writableFinished && resolve())));
    if (size === 'endless') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    const body = Buffer.alloc(Number(size), 0x61);
    if (declare) res.writeHead(200, { 'Content-Length': body.length });
    else res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (q: string) => `http://127.0.0.1:${port}/?${q}`,
    closedEarly,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('response-size caps', () => {
  let s: Awaited<ReturnType<typeof bodyServer>>;
  beforeAll(async () => {
    s = await bodyServer();
  });
  afterAll(() => s?.close());

  it('the caps chosen: 20 MiB for BBB, 64 KiB for callbacks, 1 MiB for other operator endpoints', () => {
    expect([BBB_MAX_RESPONSE_BYTES, CALLBACK_MAX_RESPONSE_BYTES, OUTBOUND_MAX_RESPONSE_BYTES]).toEqual([20 * 1024 * 1024, 64 * 1024, 1024 * 1024]);
  });

  it('httpExchange: an endless answer is cut at the cap — the socket destroyed, a transport error, nothing thrown', async () => {
    const call = httpExchange(s.url('size=endless'), { ...TIMEOUTS, maxResponseBytes: 100_000 });
    await expect(call).rejects.toThrow(BbbTransportError);
    await expect(call).rejects.toThrow('answer larger than 100000 bytes');
    await s.closedEarly.at(-1); // the server saw its response cut off before it finished
  });

  it('httpExchange: a declared Content-Length over the cap fails before the body is read; at the cap it is served', async () => {
    await expect(httpExchange(s.url('size=5000&declare=1'), { ...TIMEOUTS, maxResponseBytes: 4999 })).rejects.toThrow('answer larger than 4999 bytes');
    expect((await httpExchange(s.url('size=5000&declare=1'), { ...TIMEOUTS, maxResponseBytes: 5000 })).body).toHaveLength(5000);
    expect((await httpExchange(s.url('size=5000'), { ...TIMEOUTS, maxResponseBytes: 5000 })).body).toHaveLength(5000);
    await expect(httpExchange(s.url('size=5001'), { ...TIMEOUTS, maxResponseBytes: 5000 })).rejects.toThrow(BbbTransportError);
  });

  it('the outbound poster: operator endpoints take the given cap (default 1 MiB), tenant URLs 64 KiB', async () => {
    const http = createOutboundHttp(LAX);
    const post = (q: string, o: { maxResponseBytes?: number; tenantSupplied?: boolean } = {}) => http.post(s.url(q), '{}', { headers: {}, ...TIMEOUTS, ...o });
    await expect(post('size=endless', { maxResponseBytes: 2048 })).rejects.toThrow('answer larger than 2048 bytes');
    await expect(post('size=endless')).rejects.toThrow(`answer larger than ${OUTBOUND_MAX_RESPONSE_BYTES} bytes`);
    await expect(post('size=endless', { tenantSupplied: true })).rejects.toThrow(`answer larger than ${CALLBACK_MAX_RESPONSE_BYTES} bytes`);
    expect((await post('size=1000', { tenantSupplied: true })).status).toBe(200);
  });

  it('the outbound poster refuses a tenant URL on a private address unless ALLOW_PRIVATE_CALLBACK_URLS', async () => {
    const strict = createOutboundHttp(STRICT);
    await expect(strict.post(s.url('size=10'), '{}', { headers: {}, ...TIMEOUTS, tenantSupplied: true })).rejects.toThrow(DestinationRefusedError);
    // operator-configured endpoints (Keycloak) are not tenant URLs: not restricted
    expect((await strict.post(s.url('size=10'), '{}', { headers: {}, ...TIMEOUTS })).body).toBe('a'.repeat(10));
  });
});
