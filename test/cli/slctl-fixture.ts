import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { EMBEDDED_S3_CREDENTIALS, EMBEDDED_S3_REGION } from '../../cli/embedded-s3.js';
import { startLocalInvoke, type LocalInvokeServer } from '../../cli/local-invoke.js';
import { startLocalStack, type LocalStack } from '../../cli/local-stack.js';
import { LOCAL_ONLY_TASKS } from '../../functions/admin/admin-handler.js';
import { LOCAL_ADMIN_FUNCTION } from '../../shared/admin/admin-contract.js';
import { silentLogger } from '../../shared/app/logger.js';
import { ENV } from '../../shared/config/env-names.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import type { Server } from '../../shared/domain/entities.js';
import { assemble } from '../../shared/runtime/assemble.js';
import { createS3Storage } from '../../shared/storage/s3-storage.js';
import type { NewServer, ServerPollChanges } from '../../shared/store/server-repo.js';
import { FakeBbb } from '../fake-bbb/fake-bbb-server.js';
import { runSlctl, type SlctlOptions, type SlctlResult } from './run-slctl.js';

export type SlctlTarget = 'direct' | 'lambda';

/**
 * The target the CLI suite runs against (vitest.config.ts runs it twice): `direct` (the table itself) or
 * `lambda` (each task sent to the local stack's admin function through @aws-sdk/client-lambda), with the
 * same expectations, byte for byte.
 */
export const SLCTL_TEST_TARGET: SlctlTarget = process.env.SLCTL_TEST_TARGET === 'lambda' ? 'lambda' : 'direct';

export interface FixtureSlctlOptions extends SlctlOptions {
  /** run on this target whatever SLCTL_TEST_TARGET says (a test of the direct target's own flags) */
  target?: SlctlTarget;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** per spawn of the CLI (a loaded machine needs more than the ~1 s a spawn usually takes) */
export const SPAWN_TIMEOUT = 20_000;

export interface SlctlFixture {
  stack: LocalStack;
  fake: FakeBbb;
  /**
   * runs the real CLI against this file's table: directly, or through the admin function (SLCTL_TEST_TARGET);
   * tasks that run on the operator's machine only (LOCAL_ONLY_TASKS) always directly
   */
  slctl(args: string[], opts?: FixtureSlctlOptions): Promise<SlctlResult>;
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
  const stackEnv = { DYNAMODB_TABLE: table, PORT: '0', LOADBALANCER_SECRET: 'lbsecret' };
  /** admin functions of deployments configured otherwise than the stack, over the same table (by their env) */
  const functions = new Map<string, Promise<LocalInvokeServer>>();

  beforeAll(async () => {
    f.stack = await startLocalStack({ env: stackEnv, poll: false, log: silentLogger });
    f.fake = await FakeBbb.start();
  });

  afterAll(async () => {
    await f.fake?.stop();
    for (const fn of functions.values()) await (await fn).close();
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

  /**
   * Where the admin function of a call runs. A direct call reads its configuration from its environment
   * (SERVER_ID_IS_HOSTNAME=true, MULTITENANCY_ENABLED=…); through the admin function the same call meets a
   * deployment configured so: the stack's own function when the call changes nothing, else a function of
   * its own (same table, same bucket unless S3_ENDPOINT names another).
   */
  const functionUrl = async (callEnv: Record<string, string>): Promise<string> => {
    const changes = Object.entries(callEnv)
      .filter(([k, v]) => Object.hasOwn(ENV, k) && k !== 'DYNAMODB_ENDPOINT' && k !== 'DYNAMODB_TABLE' && !(k === 'S3_ENDPOINT' && v === f.stack.s3Endpoint))
      .sort(([a], [b]) => a.localeCompare(b));
    if (changes.length === 0) return f.stack.url;
    const key = JSON.stringify(changes);
    let fn = functions.get(key);
    if (!fn) {
      const config = parseConfig({ ...stackEnv, ...Object.fromEntries(changes) });
      const storage = config.s3Endpoint
        ? createS3Storage({ bucket: config.s3Bucket, endpoint: config.s3Endpoint, region: EMBEDDED_S3_REGION, credentials: EMBEDDED_S3_CREDENTIALS, forcePathStyle: true })
        : f.stack.storage;
      const deps = assemble(config, { db: f.stack.db, storage, log: silentLogger, signer: f.stack.deps.signer });
      fn = startLocalInvoke({ getDeps: () => deps, log: silentLogger });
      functions.set(key, fn);
    }
    return (await fn).url;
  };

  /** The task a command line names (`servers:sync[…]` → servers:sync). */
  const taskOf = (args: string[]) => args.find((a) => !a.startsWith('-'))?.replace(/\[[\s\S]*$/, '');

  f.slctl = async (args, opts = {}) => {
    const { target = SLCTL_TEST_TARGET, ...rest } = opts;
    const callEnv = opts.env ?? {};
    const env: Record<string, string> = { DYNAMODB_ENDPOINT: f.stack.dynamoEndpoint, DYNAMODB_TABLE: table };
    const task = taskOf(args);
    if (target === 'lambda' && !(task && LOCAL_ONLY_TASKS.has(task))) {
      Object.assign(env, { SLCTL_VIA: 'lambda', SLCTL_FUNCTION: LOCAL_ADMIN_FUNCTION, SLCTL_ENDPOINT_URL: await functionUrl(callEnv) });
    }
    return runSlctl(args, { ...rest, env: { ...env, ...callEnv } });
  };

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
