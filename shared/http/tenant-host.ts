import { TENANT_NAME } from '../app/tenant-admin.js';

/**
 * The tenant name a host addresses (reference §1.4): its first label. With URL_HOST set the host must be
 * exactly `<label>.<URL_HOST>` (Scalelite's host authorisation; anything else names no tenant); without
 * URL_HOST the first label of any host. `host` is lower-case without port (`requestHost`).
 */
export function tenantNameFromHost(host: string, urlHost: string): string | undefined {
  let label: string;
  if (urlHost) {
    const suffix = `.${urlHost.toLowerCase().replace(/:\d+$/, '')}`;
    if (!host.endsWith(suffix)) return undefined;
    label = host.slice(0, -suffix.length);
  } else {
    label = host.split('.')[0];
  }
  return TENANT_NAME.test(label) ? label : undefined;
}
