import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import type { Server } from '../../shared/domain/entities.js';
import type { NewServer, ServerPollChanges } from '../../shared/store/server-repo.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { runSlctl, type SlctlOptions, type SlctlResult } from './run-slctl.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** per spawn of the CLI (a loaded machine needs more than the ~1 s a spawn usually takes) */
export const SPAWN_TIMEOUT = 20_000;

export interface SlctlFixture {
  stack: LocalStack;
  fake: FakeBbb;
  /** runs the real CLI against this file's table */
  slctl(args: string[], opts?: SlctlOptions): Promise<SlctlResult>;
  /** `servers:add ARGS` → the new id */
  addServer(args: string[], env?: Record<string, string>): Promise<string>;
  /** the fake BBB added and enabled (not polled yet) → its id */
  addFakeServer(): Promise<string>;
  /** a meeting on the fake BBB (unless onBbb=false) recorded by the balancer as placed on serverId */
  placeMeeting(serverId: string, meetingID: string, moderatorPW: string, onBbb?: boolean): Promise<void>;
  /** a server written straight to the table (no CLI spawn), with optional poll attributes → as stored */
  seedServer(server: Partial<NewServer> & { id: string }, poll?: ServerPollChanges): Promise<Server>;
  /** the fake BBB as server `id` (enabled unless told otherwise), written straight to the table */
  seedFakeServer(id?: string, server?: Partial<NewServer>, poll?: ServerPollChanges): Promise<Server>;
}

/**
 * Registers the hooks of a test file: its own local stack (dynalite in memory) and fake BBB;
 * before each test: no servers, no meetings, a fake BBB without meetings, recorded requests or faults.
 */
export function useSlctlFixture(table: string): SlctlFixture {
  const f = {} as SlctlFixture;

  beforeAll(async () => {
    f.stack = await startLocalStack({ env: { DYNAMODB_TABLE: table, PORT: '0', LOADBALANCER_SECRET: 'lbsecret' }, poll: false });
    f.fake = await FakeBbb.start();
  });

  afterAll(async () => {
    await f.fake?.stop();
    await f.stack?.close();
  });

  beforeEach(async () => {
    const { store } = f.stack.deps;
    const now = Date.now();
    for (const s of await store.servers.list()) {
      for (const m of await store.meetings.listByServer(s.id, now)) await store.meetings.delete(m);
      await store.servers.remove(s.id);
    }
    f.fake.reset(); // meetings, requests, faults, latency, down, hang
  });

  f.slctl = (args, opts = {}) =>
    runSlctl(args, { ...opts, env: { DYNAMODB_ENDPOINT: f.stack.dynamoEndpoint, DYNAMODB_TABLE: table, ...(opts.env ?? {}) } });

  f.addServer = async (args, env) => {
    const r = await f.slctl(['servers:add', ...args], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = /^id: (.+)$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    return id!;
  };

  f.addFakeServer = async () => {
    const id = await f.addServer([f.fake.url, f.fake.secret]);
    expect((await f.slctl(['servers:enable', id])).code).toBe(0);
    return id;
  };

  f.placeMeeting = async (serverId, meetingID, moderatorPW, onBbb = true) => {
    if (onBbb) f.fake.addMeeting({ meetingID, moderatorPW, attendeePW: 'ap' });
    const now = Date.now();
    const created = await f.stack.deps.store.meetings.create(
      { meetingID, serverId, moderatorPW, attendeePW: 'ap', voiceBridge: String(70000 + f.fake.meetings.size), createdAt: now, expiresAt: Math.floor(now / 1000) + 3600 },
      now,
    );
    expect(created).toBe(true);
  };

  f.seedServer = async (server, poll) => {
    const { servers } = f.stack.deps.store;
    expect(await servers.add({ url: `https://${server.id}/bigbluebutton/api`, secret: `${server.id}-secret`, state: 'disabled', ...server })).toBe(true);
    if (poll) await servers.updatePoll(server.id, poll);
    return (await servers.get(server.id))!;
  };

  f.seedFakeServer = (id = 'fake', server = {}, poll) => f.seedServer({ id, url: f.fake.url, secret: f.fake.secret, state: 'enabled', ...server }, poll);

  return f;
}

/** Waits (without a fixed sleep) until `condition` holds; fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lines as the CLI prints them (each ends with a newline). */
export const listing = (lines: string[]): string => `${lines.join('\n')}\n`;
