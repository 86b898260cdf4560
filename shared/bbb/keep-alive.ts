import http from 'node:http';
import https from 'node:https';

/**
 * How long a pooled connection to a BBB server may sit idle before it is closed: 4 s.
 *
 * A kept-alive socket saves a TCP and TLS handshake per call while calls follow each other closely (a
 * create, then the front-end's join and isMeetingRunning). Left idle, the other end closes it: nginx in
 * front of BBB after 65–75 s, Node or Apache front-ends after 5 s, NAT gateways and firewalls at their own
 * limits — and we learn of it only when our next request meets a reset. 4 s stays under the shortest of
 * those (5 s), and a server's own `Keep-Alive: timeout=N` hint shortens it further (Node's agent then
 * keeps a socket N − 1 s). On Lambda there is more: the instance is frozen between invocations, timers do
 * not run while it is, and a thawed instance can take a socket from the pool before the overdue idle timer
 * had its turn. So besides the agent's timer, every call first closes the pooled sockets whose idle time,
 * measured on the wall clock (it keeps running across a freeze), has passed the limit.
 */
export const KEEP_ALIVE_IDLE_MS = 4_000;

interface Idle {
  /** Date.now() when the socket went back into the pool */
  since: number;
  /** its idle limit: the agent's, or shorter after a server's Keep-Alive hint */
  limitMs: number;
}

const idleOf = new WeakMap<object, Idle>();

type Pooled = { destroyed: boolean; destroy(): void; timeout?: number };

/** Makes `agent` remember when each socket went idle (see evictIdleSockets). */
function stampIdle<A extends http.Agent>(agent: A, idleMs: number): A {
  // documented to return whether the socket is kept (the type says void)
  const keep = agent.keepSocketAlive.bind(agent) as unknown as (socket: unknown) => boolean;
  agent.keepSocketAlive = (socket) => {
    const kept = keep(socket); // sets the socket's idle timeout (the agent's, or the server's hint − 1 s)
    if (kept) {
      const timeout = (socket as Pooled).timeout;
      idleOf.set(socket, { since: Date.now(), limitMs: timeout && timeout > 0 ? Math.min(timeout, idleMs) : idleMs });
    }
    return kept;
  };
  return agent;
}

/**
 * The keep-alive pools of the BBB client: free sockets closed after `idleMs` by the agent's timer, and by
 * evictIdleSockets before each call when that timer could not run (a frozen Lambda).
 */
export function keepAliveAgents(idleMs = KEEP_ALIVE_IDLE_MS) {
  return {
    http: stampIdle(new http.Agent({ keepAlive: true, maxSockets: 64, timeout: idleMs }), idleMs),
    // maxCachedSessions: TLS session resumption for up to 2,000 servers, so the poller's per-cycle reconnects stay cheap
    https: stampIdle(new https.Agent({ keepAlive: true, maxSockets: 64, maxCachedSessions: 2000, timeout: idleMs }), idleMs),
  };
}

/**
 * Closes the free sockets of `agent` that have been idle for their limit or longer at `now` (epoch ms).
 * Node's agent skips destroyed sockets when it hands one out (the pool is in the order sockets went idle,
 * so when the newest is over the limit, all are). Sockets of an agent made elsewhere are left alone.
 * Returns how many were closed.
 */
export function evictIdleSockets(agent: http.Agent, now = Date.now()): number {
  let closed = 0;
  for (const list of Object.values(agent.freeSockets)) {
    for (const socket of list ?? []) {
      const idle = idleOf.get(socket);
      if (!idle || socket.destroyed || now - idle.since < idle.limitMs) continue;
      socket.destroy();
      closed++;
    }
  }
  return closed;
}

/** The error codes of a connection the other end dropped: reset, broken pipe, or "socket hang up" (ECONNRESET). */
const DROPPED = new Set(['ECONNRESET', 'EPIPE']);

/**
 * A request that went out on a socket taken from the pool and failed with a dropped connection before any
 * answer arrived: the server (or a NAT in between) had closed that idle connection, and most likely never
 * saw the request. The one case worth a single retry on a fresh connection, for a call that may be repeated.
 */
export function isStaleSocketFailure(error: unknown, reusedSocket: boolean, answered: boolean): boolean {
  if (!reusedSocket || answered) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && DROPPED.has(code);
}
