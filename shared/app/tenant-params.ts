import { isBalancerSetting } from '../domain/balancer-settings.js';
import type { Params } from '../domain/params.js';
import type { TenantWithSettings } from '../store/tenant-repo.js';

/** A tenant's settings as the two merge layers of reference §1.6, `meta_server-tag` taken out (§2.2). */
export interface TenantLayers {
  defaults: Params;
  overrides: Params;
  defaultServerTag?: string;
  overrideServerTag?: string;
}

const SERVER_TAG = 'meta_server-tag';

/**
 * Splits a tenant's settings into defaults and overrides (no tenant: both empty). They apply to create and
 * join alike. Settings of the balancer itself (`lb_…`, shared/domain/balancer-settings.ts) are left out:
 * they never reach a BBB server.
 */
export function tenantLayers(tenant: TenantWithSettings | undefined): TenantLayers {
  const out: TenantLayers = { defaults: new Map(), overrides: new Map() };
  for (const s of tenant?.settings ?? []) {
    if (isBalancerSetting(s.param)) continue;
    if (s.param === SERVER_TAG) {
      if (s.override) out.overrideServerTag = s.value;
      else out.defaultServerTag = s.value;
    } else (s.override ? out.overrides : out.defaults).set(s.param, s.value);
  }
  return out;
}
