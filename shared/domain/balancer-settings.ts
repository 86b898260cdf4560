/**
 * Tenant settings that configure the balancer itself rather than BBB (pure). Their names start with
 * `lb_` (any case): such a setting is never sent to a BBB server with create or join, and only the names
 * listed here may be stored, each with a value it accepts. The `override` flag of a tenant setting means
 * nothing for them.
 */

/** What marks a balancer setting (compared without regard to case). */
export const BALANCER_SETTING_PREFIX = 'lb_';

/** Days after its start a tenant's recording is deleted by the retention job (0 = kept forever). */
export const RECORDING_RETENTION_SETTING = 'lb_recording_retention_days';

/** The longest retention accepted, as for RECORDING_RETENTION_DAYS: 100 years. */
export const MAX_RETENTION_DAYS = 100 * 366;

export interface BalancerSettingSpec {
  /** one line for help texts and errors */
  describe: string;
  /** the value as stored, or why it is refused */
  check(value: string): { ok: true } | { ok: false; error: string };
}

/** `30` → 30; anything but a whole number from 0 to MAX_RETENTION_DAYS → undefined. */
export function parseRetentionDays(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const days = Number(text);
  return days <= MAX_RETENTION_DAYS ? days : undefined;
}

export const BALANCER_SETTINGS: Readonly<Record<string, BalancerSettingSpec>> = {
  [RECORDING_RETENTION_SETTING]: {
    describe: "days after its start a tenant's recording is deleted (0 = kept forever), instead of RECORDING_RETENTION_DAYS",
    check: (value) =>
      parseRetentionDays(value) === undefined ? { ok: false, error: `must be a whole number of days from 0 to ${MAX_RETENTION_DAYS} (0 keeps recordings forever), not "${value}"` } : { ok: true },
  },
};

/** A setting of the balancer (`lb_…`, any case), never a BBB parameter. */
export const isBalancerSetting = (param: string): boolean => param.slice(0, BALANCER_SETTING_PREFIX.length).toLowerCase() === BALANCER_SETTING_PREFIX;

/**
 * Why a balancer setting cannot be stored (undefined: it can, or it is no balancer setting at all).
 * Unknown `lb_` names are refused: a typo would otherwise be kept and silently do nothing.
 */
export function balancerSettingError(param: string, value: string): string | undefined {
  if (!isBalancerSetting(param)) return undefined;
  const spec = Object.hasOwn(BALANCER_SETTINGS, param) ? BALANCER_SETTINGS[param] : undefined;
  if (!spec) return `${param} is not a balancer setting (known: ${Object.keys(BALANCER_SETTINGS).join(', ')})`;
  const checked = spec.check(value);
  return checked.ok ? undefined : `${param} ${checked.error}`;
}

/**
 * A tenant's own retention from its settings: its days (0 = forever), `undefined` when it sets none, or
 * `invalid` for a stored value that is no number of days (the global retention then applies).
 */
export function tenantRetentionDays(settings: readonly { param: string; value: string }[]): number | 'invalid' | undefined {
  const setting = settings.find((s) => s.param === RECORDING_RETENTION_SETTING);
  if (!setting) return undefined;
  return parseRetentionDays(setting.value) ?? 'invalid';
}
