import { once } from 'node:events';
import type http from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BBB_AGENTS, BbbClient, BbbTransportError, RETRIABLE_CALLS, httpExchange } from './bbb-client.js';
import { KEEP_ALIVE_IDLE_MS, evictIdleSockets, keepAliveAgents } from './keep-alive.js';

interface Seen {
  /** connection number, from 1 */
  conn: number;
  /** request number on that connection, from 1 */
  nth: number;
  path: string;
  connection: string | undefined;
}

type Plan = (r: Seen) => 'answer' | 'reset' | { delayMs: number };

const OK = '<response><returncode>SUCCESS</returncode><running>true</running></response>';

/**
 * A BBB stand-in on raw TCP, so that what happens to each connection is ours to decide: every request is
 * answered keep-alive (`Connection: keep-alive`, no close), or the connection is reset (RST) the moment
 * the request arrives — what a client meets when it sends on a pooled socket the server had dropped.
 */
async function bbbStandIn(plan: Plan) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let conns = 0;
  const server = createServer((socket) => {
    const conn = ++conns;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    let nth = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const [line, ...headers] = head.split('\r\n');
        const connection = headers.find((h) => /^connection:/i.test(h))?.split(':')[1].trim().toLowerCase();
        const r: Seen = { conn, nth: ++nth, path: line.split(' ')[1], connection };
        seen.push(r);
        const what = plan(r);
        if (what === 'reset') {
          socket.resetAndDestroy();
          return;
        }
        const answer = () => socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${OK.length}\r\nConnection: keep-alive\r\n\r\n${OK}`);
        if (what === 'answer') answer();
        else setTimeout(answer, what.delayMs);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bigbluebutton/api`,
    seen,
    connections: () => conns,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const TIMEOUTS = { connectTimeoutMs: 2000, responseTimeoutMs: 4000 };
const client = new BbbClient('SHA256');
const meeting = new Map([['meetingID', 'm1']]);
/** Resolves when the BBB client's http pool has taken a socket back (after a completed answer). */
const pooled = () => once(BBB_AGENTS.http, 'free');

let standIn: Awaited<ReturnType<typeof bbbStandIn>> | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await standIn?.close();
  standIn = undefined;
});

describe('keep-alive to BBB servers', () => {
  it('pooled sockets: kept alive, closed after 4 s idle by the agents (under the 5 s of the shortest common server idle timeout)', () => {
    expect(KEEP_ALIVE_IDLE_MS).toBe(4000);
    for (const agent of [BBB_AGENTS.http, BBB_AGENTS.https] as http.Agent[]) {
      const { keepAlive, timeout } = (agent as unknown as { options: { keepAlive: boolean; timeout: number } }).options;
      expect({ keepAlive, timeout }).toEqual({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS });
    }
  });

  it('a reading call whose pooled socket was reset is sent once more, on a fresh connection, and succeeds', async () => {
    standIn = await bbbStandIn((r) => (r.conn === 1 && r.nth === 2 ? 'reset' : 'answer'));
    const server = { url: standIn.url, secret: 's' };
    const free = pooled();
    await client.call(server, 'isMeetingRunning', meeting, TIMEOUTS);
    await free; // the socket is back in the pool: the next call takes it
    const res = await client.call(server, 'getMeetingInfo', meeting, TIMEOUTS);
    expect(res.response.returncode).toBe('SUCCESS');
    // exactly one retry: the reset request on the pooled socket, then the same call on connection 2
    expect(standIn.seen.map(({ conn, nth, path }) => ({ conn, nth, call: path.split('?')[0].split('/').pop() }))).toEqual([
      { conn: 1, nth: 1, call: 'isMeetingRunning' },
      { conn: 1, nth: 2, call: 'getMeetingInfo' },
      { conn: 2, nth: 1, call: 'getMeetingInfo' },
    ]);
    expect(standIn.seen[2].connection).toBe('close'); // the retry's connection is its own, not pooled
  });

  it('a reset on a fresh connection is not retried', async () => {
    standIn = await bbbStandIn(() => 'reset');
    const call = client.call({ url: standIn.url, secret: 's' }, 'getMeetingInfo', meeting, TIMEOUTS);
    await expect(call).rejects.toThrow(BbbTransportError);
    await expect(call).rejects.toMatchObject({ staleSocket: false });
    expect(standIn.seen).toHaveLength(1);
    expect(standIn.connections()).toBe(1);
  });

  it('create, end and insertDocument are not retried on a reset pooled socket (not idempotent)', async () => {
    standIn = await bbbStandIn((r) => (r.nth === 2 ? 'reset' : 'answer'));
    const server = { url: standIn.url, secret: 's' };
    for (const [apiName, body] of [['create', undefined], ['end', undefined], ['insertDocument', '<modules/>'], ['getMeetingInfo', '<x/>']] as const) {
      const free = pooled();
      await client.call(server, 'isMeetingRunning', meeting, TIMEOUTS);
      await free;
      const before = standIn.seen.length;
      const call = client.call(server, apiName, meeting, { ...TIMEOUTS, body });
      await expect(call, apiName).rejects.toMatchObject({ name: 'BbbTransportError', staleSocket: true });
      expect(standIn.seen.length - before, apiName).toBe(1); // sent once, never again
    }
    expect([...RETRIABLE_CALLS].sort()).toEqual(['', 'getMeetingInfo', 'getMeetings', 'getRecordings', 'isMeetingRunning']);
  });

  it('no retry when what is left of the call’s time is under the minimum a call gets', async () => {
    standIn = await bbbStandIn((r) => (r.nth === 2 ? 'reset' : 'answer'));
    const server = { url: standIn.url, secret: 's' };
    const free = pooled();
    await client.call(server, 'isMeetingRunning', meeting, TIMEOUTS);
    await free;
    // 30 + 60 ms in all: below MIN_CALL_MS (100 ms) even before the first attempt started
    await expect(client.call(server, 'getMeetingInfo', meeting, { connectTimeoutMs: 30, responseTimeoutMs: 60 })).rejects.toThrow(BbbTransportError);
    expect(standIn.seen).toHaveLength(2);
    expect(standIn.connections()).toBe(1);
  });

  it('a socket idle past the limit is not reused even when its timer could not run (a frozen Lambda): the wall clock decides', async () => {
    standIn = await bbbStandIn(() => 'answer');
    const server = { url: standIn.url, secret: 's' };
    const free = pooled();
    await client.call(server, 'isMeetingRunning', meeting, TIMEOUTS);
    const [socket] = (await free) as [Socket];
    // a thawed instance: only milliseconds passed for the timers, KEEP_ALIVE_IDLE_MS for the wall clock
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + KEEP_ALIVE_IDLE_MS);
    await client.call(server, 'isMeetingRunning', meeting, TIMEOUTS);
    expect(socket.destroyed).toBe(true);
    expect(standIn.seen.map(({ conn, nth }) => [conn, nth])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('evictIdleSockets closes a pooled socket at its idle limit, not before', async () => {
    standIn = await bbbStandIn(() => 'answer');
    const agents = keepAliveAgents(1000);
    const free = once(agents.http, 'free');
    const before = Date.now(); // the socket went idle at or after this: `before + 999` is surely short of its limit
    await httpExchange(`${standIn.url}/isMeetingRunning`, { ...TIMEOUTS, agent: agents.http });
    const [socket] = (await free) as [Socket];
    expect(evictIdleSockets(agents.http, before + 999)).toBe(0);
    expect(socket.destroyed).toBe(false);
    const free2 = once(agents.http, 'free');
    await httpExchange(`${standIn.url}/isMeetingRunning`, { ...TIMEOUTS, agent: agents.http });
    expect(standIn.seen.map(({ conn }) => conn)).toEqual([1, 1]); // reused
    await free2;
    expect(evictIdleSockets(agents.http, Date.now() + 1000)).toBe(1);
    expect(socket.destroyed).toBe(true);
    agents.http.destroy();
  });

  it('the agent’s idle timer closes a free socket; a slow answer on a busy socket is not cut by it', async () => {
    standIn = await bbbStandIn((r) => (r.nth === 1 ? { delayMs: 150 } : 'answer'));
    const agents = keepAliveAgents(40);
    const free = once(agents.http, 'free');
    // the answer takes longer than the idle limit: the socket is busy, not idle
    const res = await httpExchange(`${standIn.url}/isMeetingRunning`, { ...TIMEOUTS, agent: agents.http });
    expect(res.body).toBe(OK);
    const [socket] = (await free) as [Socket];
    await once(socket, 'close'); // closed by the timer, without any call
    expect(Object.keys(agents.http.freeSockets)).toEqual([]);
    agents.http.destroy();
  });
});
