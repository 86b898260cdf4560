/**
 * A realistic fake BigBlueButton server (BBB 2.6–3.0 API shapes) for test suites, with fault injection.
 * Real HTTP on 127.0.0.1:<random port>; every request is recorded before it is answered.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerApiCall, checksumErrorAnswer, xmlAnswer, type ApiAnswer, type ApiContext } from './bbb-api.js';
import { verifyBbbChecksum } from './bbb-checksum.js';
import { buildAttendee, buildMeeting } from './bbb-meetings.js';
import { parseBbbQuery } from './bbb-query.js';
import { failedXml, versionXml } from './bbb-xml.js';
import type { FakeAttendee, FakeBbbOptions, FakeMeeting, FaultMode, RecordedRequest } from './fake-bbb-types.js';

export type { Algorithm, FakeAttendee, FakeBbbOptions, FakeMeeting, FaultMode, RecordedRequest } from './fake-bbb-types.js';
export { signBbbUrl } from './bbb-checksum.js';

const API_PREFIX = '/bigbluebutton/api';

interface Fault {
  remaining: number;
  mode: FaultMode;
  call?: string;
}

type Route = { kind: 'index' } | { kind: 'api'; call: string } | { kind: 'notFound'; call: string };

function routeOf(path: string): Route {
  if (path === API_PREFIX || path === `${API_PREFIX}/`) return { kind: 'index' };
  if (!path.startsWith(`${API_PREFIX}/`)) return { kind: 'notFound', call: path };
  const call = path.slice(API_PREFIX.length + 1);
  return call.includes('/') ? { kind: 'notFound', call } : { kind: 'api', call };
}

/** Abortive close: the client sees ECONNRESET (falls back to a plain destroy). */
function killSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

const FAULT_ANSWERS: Record<Exclude<FaultMode, 'reset'>, ApiAnswer> = {
  http500: {
    status: 500,
    headers: { 'Content-Type': 'text/html' },
    body: '<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>',
  },
  garbage: { status: 200, headers: { 'Content-Type': 'text/xml;charset=utf-8' }, body: 'Sorry {not xml at all' },
  failed: xmlAnswer(failedXml('internalError', 'An internal error occurred.')),
};

export class FakeBbb {
  readonly url: string;
  readonly host: string;
  readonly secret: string;
  readonly requests: RecordedRequest[] = [];
  readonly meetings = new Map<string, FakeMeeting>();

  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly callLatency = new Map<string, number>();
  private faults: Fault[] = [];
  private parked: { socket: Socket; resume: () => void }[] = [];
  private latency = 0;
  private down = false;
  private hanging = false;
  private stopping: Promise<void> | undefined;
  private readonly api: ApiContext;
  private readonly bbbVersion: string;

  private constructor(private readonly server: Server, opts: FakeBbbOptions) {
    const address = server.address() as AddressInfo;
    const hostName = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.host = `${hostName}:${address.port}`;
    this.url = `http://${this.host}${API_PREFIX}`;
    this.secret = opts.secret ?? randomBytes(16).toString('hex');
    this.bbbVersion = opts.bbbVersion ?? '3.0.4';
    this.api = {
      meetings: this.meetings,
      now: opts.now ?? Date.now,
      host: this.host,
      joinAddsAttendee: opts.joinAddsAttendee ?? true,
    };
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
  }

  static async start(opts: FakeBbbOptions = {}): Promise<FakeBbb> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FakeBbb(server, opts);
  }

  requestsFor(call: string): RecordedRequest[] {
    return this.requests.filter((r) => r.call === call);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  addMeeting(partial: Partial<FakeMeeting> & { meetingID: string }): FakeMeeting {
    const meeting = buildMeeting(partial, this.api.now());
    this.meetings.set(meeting.meetingID, meeting);
    return meeting;
  }

  addAttendee(
    meetingID: string,
    a: Partial<FakeAttendee> & { fullName?: string; role?: 'MODERATOR' | 'VIEWER' },
  ): FakeAttendee {
    const attendee = buildAttendee(a);
    this.meetingOrThrow(meetingID).attendees.push(attendee);
    return attendee;
  }

  removeAttendees(meetingID: string): void {
    this.meetingOrThrow(meetingID).attendees = [];
  }

  /** As if the meeting ended on the server: it disappears from the list (no-op when unknown). */
  endMeeting(meetingID: string): void {
    const meeting = this.meetings.get(meetingID);
    if (!meeting) return;
    meeting.endTime = this.api.now();
    this.meetings.delete(meetingID);
  }

  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /** Per-call latency; overrides the global latency for that call (0 included). */
  setLatencyFor(call: string, ms: number): void {
    this.callLatency.set(call, Math.max(0, ms));
  }

  /** The next `count` matching requests (any call when `call` is omitted) are answered with the fault. */
  failNext(count: number, mode: FaultMode, call?: string): void {
    if (count > 0) this.faults.push({ remaining: count, mode, call });
  }

  /** Down: open sockets are reset now and every new connection is reset on arrival. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const socket of this.sockets) killSocket(socket);
  }

  /** On: requests are recorded but not answered; hang(false) answers the parked ones (their latency starts then). */
  hang(on: boolean): void {
    this.hanging = on;
    if (on) return;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) if (!p.socket.destroyed) p.resume();
  }

  /** Meetings, requests and all faults cleared; parked (hung) requests are dropped and their sockets reset. */
  reset(): void {
    this.meetings.clear();
    this.clearRequests();
    this.faults = [];
    this.callLatency.clear();
    this.latency = 0;
    this.down = false;
    this.hanging = false;
    for (const p of this.parked) killSocket(p.socket);
    this.parked = [];
  }

  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.parked = [];
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
    return this.stopping;
  }

  private meetingOrThrow(meetingID: string): FakeMeeting {
    const meeting = this.meetings.get(meetingID);
    if (!meeting) throw new Error(`FakeBbb: no meeting ${JSON.stringify(meetingID)}`);
    return meeting;
  }

  private onConnection(socket: Socket): void {
    if (this.down || this.stopping) {
      killSocket(socket);
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.down || this.stopping) {
      killSocket(req.socket);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => this.onFullRequest(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private onFullRequest(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (this.down || this.stopping) {
      killSocket(req.socket);
      return;
    }
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const route = routeOf(path);
    const call = route.kind === 'index' ? '' : route.call;
    const verdict =
      route.kind === 'api' ? verifyBbbChecksum(call, rawQuery, this.secret) : { valid: route.kind === 'index' };
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      call,
      rawQuery,
      ...parseBbbQuery(rawQuery),
      body,
      contentType: req.headers['content-type'],
      checksumValid: verdict.valid,
      ...('algorithm' in verdict && verdict.algorithm ? { algorithm: verdict.algorithm } : {}),
      at: Date.now(),
    };
    this.requests.push(record);
    const fault = this.takeFault(call);
    const resume = () => this.afterLatency(call, () => this.answer(req, res, route, record, fault));
    if (this.hanging) this.parked.push({ socket: req.socket, resume });
    else resume();
  }

  private takeFault(call: string): FaultMode | undefined {
    const fault = this.faults.find((f) => f.call === undefined || f.call === call);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault.mode;
  }

  private afterLatency(call: string, fn: () => void): void {
    const ms = this.callLatency.get(call) ?? this.latency;
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: Route, record: RecordedRequest, fault?: FaultMode): void {
    if (this.stopping || req.socket.destroyed) return;
    if (fault === 'reset') return killSocket(req.socket);
    this.send(res, fault ? FAULT_ANSWERS[fault] : this.answerFor(route, record));
  }

  private answerFor(route: Route, record: RecordedRequest): ApiAnswer {
    if (route.kind === 'index') return xmlAnswer(versionXml(this.bbbVersion));
    if (route.kind === 'notFound') {
      return { status: 404, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
    }
    if (!record.checksumValid) return checksumErrorAnswer();
    return answerApiCall(this.api, route.call, record.params);
  }

  private send(res: ServerResponse, answer: ApiAnswer): void {
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(Buffer.byteLength(answer.body)) });
    res.end(answer.body);
  }
}
