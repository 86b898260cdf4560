/** A multitenant local stack for the tenancy suites: tenants, and BBB API calls addressed to a tenant's host. */
import { addTenant, addTenantSetting } from '../../shared/app/tenant-admin.js';
import type { Env } from '../../shared/config/env-names.js';
import type { Logger } from '../../shared/app/logger.js';
import type { Tenant } from '../../shared/store/tenant-repo.js';
import { rawRequest, signQuery, startTestStack, type ClientAlgorithm, type RawResponse, type TestStack } from '../helpers/test-stack.js';

export const URL_HOST = 'sl.example.com';
export const hostOf = (name: string) => `${name}.${URL_HOST}`;

export interface TenancyStack extends TestStack {
  /** GET /bigbluebutton/api/<call>?<query signed with `secret`>, addressed to `host` */
  callAt(host: string, call: string, query: string, secret: string, opts?: { algorithm?: ClientAlgorithm; headers?: Record<string, string> }): Promise<RawResponse>;
  /** a tenant (through the same use case as the CLI and the admin API) */
  tenant(name: string, secrets: string): Promise<Tenant>;
  setting(tenantId: string, param: string, value: string, override: boolean): Promise<void>;
}

export async function startTenancyStack(opts: { env?: Env; servers?: number; log?: Logger; clock?: () => number } = {}): Promise<TenancyStack> {
  const t = await startTestStack({ servers: opts.servers ?? 1, log: opts.log, clock: opts.clock, env: { MULTITENANCY_ENABLED: 'true', URL_HOST, ...opts.env } });
  const { deps } = t.stack;
  return Object.assign(t, {
    callAt: (host: string, call: string, query: string, secret: string, o: { algorithm?: ClientAlgorithm; headers?: Record<string, string> } = {}) =>
      rawRequest(t.url, `/bigbluebutton/api/${call}?${signQuery(call, query, secret, o.algorithm)}`, { headers: { Host: host, ...o.headers } }),
    tenant: (name: string, secrets: string) => addTenant(deps, name, secrets),
    setting: async (tenantId: string, param: string, value: string, override: boolean) => {
      await addTenantSetting(deps, { tenantId, param, value, override });
    },
  });
}

/** A log that keeps its lines, to assert on warnings. */
export function memoryLog(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
}
