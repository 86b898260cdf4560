/**
 * The usage ledger read back (`slctl usage`, also through the admin function): the tenant-days of a date
 * range, for one tenant (one Query of its partition) or for all (one Query of GSI1's `USAGE` partition —
 * tenants removed since keep their rows: a month's bill still has them).
 */
import { NO_TENANT } from '../domain/meeting-id.js';
import { dayStart, monthStart, utcDay, type Day } from '../domain/usage-ledger.js';
import { usageRows, type UsageRow } from '../domain/usage-report.js';
import { AdminError } from './admin-error.js';
import type { Deps } from './deps.js';

export interface UsageQuery {
  /** a tenant id, or `_` for meetings of no tenant; undefined: every tenant */
  tenant?: string;
  /** `YYYY-MM-DD`, default: the first day of `to`'s month */
  from?: string;
  /** `YYYY-MM-DD`, default: today (UTC) */
  to?: string;
}

export interface UsageReport {
  from: Day;
  to: Day;
  rows: UsageRow[];
}

function day(name: string, text: string): Day {
  if (dayStart(text) === undefined) throw new AdminError('invalid', `${name} must be a date written YYYY-MM-DD, not ${JSON.stringify(text)}`);
  return text;
}

/** The range a query asks for; AdminError `invalid` for a date that is not one, or `from` after `to`. */
export function usageRange(q: Pick<UsageQuery, 'from' | 'to'>, now: number): { from: Day; to: Day } {
  const to = q.to === undefined ? utcDay(now) : day('--to', q.to);
  const from = q.from === undefined ? monthStart(to) : day('--from', q.from);
  if (from > to) throw new AdminError('invalid', `--from ${from} is after --to ${to}`);
  return { from, to };
}

/**
 * The ledger's rows of the range, by tenant then day. A tenant the table does not know and the ledger has
 * no row of in the range: AdminError `notFound` (a typo must not look like a tenant that used nothing).
 */
export async function usageReport(deps: Deps, q: UsageQuery): Promise<UsageReport> {
  const { from, to } = usageRange(q, deps.clock());
  if (q.tenant === undefined) return { from, to, rows: usageRows(await deps.store.usage.listAll(from, to)) };
  const tenant = q.tenant;
  const [days, known] = await Promise.all([deps.store.usage.listTenant(tenant, from, to), tenant === NO_TENANT ? true : deps.store.tenants.get(tenant).then((t) => t !== undefined)]);
  if (days.length === 0 && !known) throw new AdminError('notFound', `no tenant with id ${tenant}, and no usage of one from ${from} to ${to}`);
  return { from, to, rows: usageRows(days) };
}
