/**
 * What the poller benchmark polls and writes to, in this process or in child processes:
 * - `fakes`: N fake BBB servers answering after a latency, seeded with meetings, with hooks to change them;
 * - `engine`: dynalite, counting the DynamoDB operations it serves (its `request` event).
 * Run as a child (`node --import tsx bench/poller-rig.ts engine|fakes`) it answers over IPC, so the
 * poller's process spends its CPU on the poller only, as on Lambda (BBB and DynamoDB are elsewhere).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import { FakeBbb, type FakeMeeting } from '../test/fake-bbb/fake-bbb-server.js';

export type Ops = Record<string, number>;

export interface SeedMeeting {
  server: number;
  meetingID: string;
  createTime: number;
  viewers: number;
  video: boolean;
}

export interface FakesHandle {
  servers: { url: string; secret: string }[];
  addViewer(list: { server: number; meetingID: string }[]): Promise<void>;
  removeViewer(list: { server: number; meetingID: string }[]): Promise<void>;
  /** The meetings end on their servers (hidden: true), or come back as they were (false). */
  hideMeetings(list: { server: number; meetingID: string }[], hidden: boolean): Promise<void>;
  hang(indices: number[], on: boolean): Promise<void>;
  clearRequests(): Promise<void>;
  /** getMeetings and version (index) calls received since the last clear */
  counts(): Promise<{ getMeetings: number; version: number }>;
  /** Date.now() when each of these servers last received getMeetings */
  lastGetMeetingsAt(indices: number[]): Promise<number[]>;
  stop(): Promise<void>;
}

export interface EngineHandle {
  endpoint: string;
  ops(): Promise<Ops>;
  stop(): Promise<void>;
}

// ---- in this process ---------------------------------------------------------------------------

async function startFakesHere(n: number, latencyMs: number, meetings: SeedMeeting[]): Promise<FakesHandle> {
  const fakes: FakeBbb[] = [];
  for (let i = 0; i < n; i += 100) fakes.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => FakeBbb.start()))));
  for (const f of fakes) f.setLatency(latencyMs);
  for (const m of meetings) {
    const fake = fakes[m.server];
    fake.addMeeting({ meetingID: m.meetingID, createTime: m.createTime });
    fake.addAttendee(m.meetingID, { role: 'MODERATOR', hasVideo: m.video });
    for (let v = 0; v < m.viewers; v++) fake.addAttendee(m.meetingID, { role: 'VIEWER' });
  }
  const hiddenMeetings = new Map<string, FakeMeeting>();
  return {
    servers: fakes.map((f) => ({ url: f.url, secret: f.secret })),
    async hideMeetings(list, hidden) {
      for (const p of list) {
        const meetings = fakes[p.server].meetings;
        if (hidden && meetings.has(p.meetingID)) {
          hiddenMeetings.set(p.meetingID, meetings.get(p.meetingID)!);
          meetings.delete(p.meetingID);
        } else if (!hidden && hiddenMeetings.has(p.meetingID)) {
          meetings.set(p.meetingID, hiddenMeetings.get(p.meetingID)!);
          hiddenMeetings.delete(p.meetingID);
        }
      }
    },
    async addViewer(list) {
      for (const p of list) fakes[p.server].addAttendee(p.meetingID, { role: 'VIEWER' });
    },
    async removeViewer(list) {
      for (const p of list) fakes[p.server].meetings.get(p.meetingID)?.attendees.pop();
    },
    async hang(indices, on) {
      for (const i of indices) fakes[i].hang(on);
    },
    async clearRequests() {
      for (const f of fakes) f.clearRequests();
    },
    async counts() {
      return {
        getMeetings: fakes.reduce((s, f) => s + f.requestsFor('getMeetings').length, 0),
        version: fakes.reduce((s, f) => s + f.requestsFor('').length, 0),
      };
    },
    async lastGetMeetingsAt(indices) {
      return indices.map((i) => Math.max(0, ...fakes[i].requestsFor('getMeetings').map((r) => r.at)));
    },
    async stop() {
      await Promise.all(fakes.map((f) => f.stop()));
    },
  };
}

async function startEngineHere(): Promise<EngineHandle & { counts: Map<string, number> }> {
  const counts = new Map<string, number>();
  const engine = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  engine.on('request', (req: { headers: Record<string, string | undefined> }) => {
    const op = (req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    counts.set(op, (counts.get(op) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => engine.listen(0, '127.0.0.1', () => resolve()));
  const { port } = engine.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    ops: async () => Object.fromEntries(counts),
    stop: () => new Promise<void>((r) => engine.close(() => r())),
  };
}

// ---- in a child process ----------------------------------------------------------------------------

type Reply = { id: number; result?: unknown; error?: string };

function child(role: 'engine' | 'fakes'): { proc: ChildProcess; call: (method: string, ...args: unknown[]) => Promise<unknown> } {
  const proc = fork(fileURLToPath(import.meta.url), [role], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  proc.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  const call = (method: string, ...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      proc.send({ id, method, args });
    });
  return { proc, call };
}

export async function startFakes(where: 'here' | 'child', n: number, latencyMs: number, meetings: SeedMeeting[]): Promise<FakesHandle> {
  if (where === 'here') return startFakesHere(n, latencyMs, meetings);
  const { proc, call } = child('fakes');
  const servers = (await call('start', n, latencyMs, meetings)) as FakesHandle['servers'];
  return {
    servers,
    addViewer: async (list) => void (await call('addViewer', list)),
    removeViewer: async (list) => void (await call('removeViewer', list)),
    hideMeetings: async (list, hidden) => void (await call('hideMeetings', list, hidden)),
    hang: async (indices, on) => void (await call('hang', indices, on)),
    clearRequests: async () => void (await call('clearRequests')),
    counts: async () => (await call('counts')) as { getMeetings: number; version: number },
    lastGetMeetingsAt: async (indices) => (await call('lastGetMeetingsAt', indices)) as number[],
    async stop() {
      await call('stop');
      proc.kill();
    },
  };
}

export async function startEngine(where: 'here' | 'child'): Promise<EngineHandle> {
  if (where === 'here') return startEngineHere();
  const { proc, call } = child('engine');
  const endpoint = (await call('start')) as string;
  return {
    endpoint,
    ops: async () => (await call('ops')) as Ops,
    async stop() {
      await call('stop');
      proc.kill();
    },
  };
}

async function serveChild(role: string): Promise<void> {
  let fakes: FakesHandle | undefined;
  let engine: EngineHandle | undefined;
  const methods: Record<string, (...args: never[]) => Promise<unknown>> =
    role === 'engine'
      ? {
          start: async () => (engine = await startEngineHere()).endpoint,
          ops: async () => engine!.ops(),
          stop: async () => engine!.stop(),
        }
      : {
          start: async (n: number, latency: number, meetings: SeedMeeting[]) => (fakes = await startFakesHere(n, latency, meetings)).servers,
          addViewer: async (list: never) => fakes!.addViewer(list),
          removeViewer: async (list: never) => fakes!.removeViewer(list),
          hideMeetings: async (list: never, hidden: boolean) => fakes!.hideMeetings(list, hidden),
          hang: async (indices: number[], on: boolean) => fakes!.hang(indices, on),
          clearRequests: async () => fakes!.clearRequests(),
          counts: async () => fakes!.counts(),
          lastGetMeetingsAt: async (indices: number[]) => fakes!.lastGetMeetingsAt(indices),
          stop: async () => fakes!.stop(),
        };
  process.on('message', (m: { id: number; method: string; args: never[] }) => {
    methods[m.method](...m.args).then(
      (result) => process.send!({ id: m.id, result }),
      (e: Error) => process.send!({ id: m.id, error: e.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && (process.argv[2] === 'engine' || process.argv[2] === 'fakes')) await serveChild(process.argv[2]);
