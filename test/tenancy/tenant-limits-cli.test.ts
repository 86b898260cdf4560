/**
 * `slctl tenants:limits` and the limits in `slctl tenants` (issue 16 item 3), through the real binary
 * (on the admin function too: SLCTL_TEST_TARGET=lambda). Bad numbers are usage errors (exit 64) and
 * change nothing; an unknown tenant gets the same sentence as the other tenant tasks.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { addTenant } from '../../shared/app/tenant-admin.js';
import { setTenantLimits } from '../../shared/app/tenant-limits.js';
import type { SlctlOptions } from '../cli/run-slctl.js';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from '../cli/slctl-fixture.js';

const t = useSlctlFixture('slctl-tenant-limits');
const MT = { MULTITENANCY_ENABLED: 'true' };
const slctl = (args: string[], opts: SlctlOptions = {}) => t.slctl(args, { ...opts, env: { ...MT, ...opts.env } });
const deps = () => t.stack.deps;

beforeEach(async () => {
  for (const tenant of await deps().store.tenants.listAll()) await deps().store.tenants.remove(tenant.id);
});

describe('tenants:limits', () => {
  it('sets, keeps (option left out) and removes (0) the limits, and prints the tenant', async () => {
    const a = await addTenant(deps(), 'alpha', 'a1');
    expect(await slctl(['tenants:limits', a.id, '--max-meetings', '10', '--max-participants', '250'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing(['OK', `id: ${a.id}`, '\tname: alpha', '\tsecrets: a1', '\tmax_meetings: 10', '\tmax_participants: 250']),
    });
    expect(await deps().store.tenants.get(a.id)).toMatchObject({ maxMeetings: 10, maxParticipants: 250 });
    expect((await slctl(['tenants:limits', a.id, '--max-participants', '0'])).code).toBe(0);
    const after = await deps().store.tenants.get(a.id);
    expect(after).toMatchObject({ maxMeetings: 10 });
    expect(after?.maxParticipants).toBeUndefined();
    expect((await slctl(['tenants:limits', a.id, '--max-meetings', '0'])).code).toBe(0);
    expect(await deps().store.tenants.get(a.id)).toEqual({ id: a.id, name: 'alpha', secrets: ['a1'], settings: [] });
  }, SPAWN_TIMEOUT * 3);

  it('refuses bad numbers and missing arguments with exit 64, changing nothing', async () => {
    const a = await addTenant(deps(), 'alpha', 'a1');
    await setTenantLimits(deps(), a.id, { maxMeetings: 5 });
    for (const bad of ['-1', '1.5', 'ten']) { // the rest of parseLimit's refusals: shared/domain/tenant-limits.test.ts
      const r = await slctl(['tenants:limits', a.id, `--max-meetings=${bad}`]);
      expect(r).toEqual({ code: 64, stdout: '', stderr: `Error: --max-meetings must be a whole number from 0 (no limit) to 10000, not ${JSON.stringify(bad)}\n` });
    }
    expect(await slctl(['tenants:limits', a.id])).toEqual({ code: 64, stdout: '', stderr: 'Error: give --max-meetings and/or --max-participants (0 = no limit)\n' });
    expect(await slctl(['tenants:limits', '--max-meetings', '3'])).toEqual({ code: 64, stdout: '', stderr: 'Error: id is required to set the limits of a Tenant\n' });
    expect(await deps().store.tenants.get(a.id)).toMatchObject({ maxMeetings: 5 });
  }, SPAWN_TIMEOUT * 6);

  it('an unknown tenant: the sentence of the other tenant tasks (exit 1); multitenancy off: refused', async () => {
    expect(await slctl(['tenants:limits', 'nope', '--max-meetings', '3'])).toEqual({ code: 1, stdout: '', stderr: 'Tenant with id nope does not exist in the system. Exiting...\n' });
    expect(await t.slctl(['tenants:limits', 'nope', '--max-meetings', '3'])).toEqual({ code: 1, stdout: '', stderr: 'Multitenancy is disabled, task can not be completed\n' });
  }, SPAWN_TIMEOUT * 2);

  it('tenants shows the limits that are set; an unlimited tenant prints as before', async () => {
    const a = await addTenant(deps(), 'alpha', 'a1');
    const b = await addTenant(deps(), 'beta', 'b1');
    await setTenantLimits(deps(), b.id, { maxParticipants: 40 });
    expect(await slctl(['tenants'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([`id: ${a.id}`, '\tname: alpha', '\tsecrets: a1', `id: ${b.id}`, '\tname: beta', '\tsecrets: b1', '\tmax_participants: 40', 'Total number of tenants: 2']),
    });
  }, SPAWN_TIMEOUT);
});
