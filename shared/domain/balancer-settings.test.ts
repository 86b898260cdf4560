import { describe, expect, it } from 'vitest';
import { tenantLayers } from '../app/tenant-params.js';
import type { TenantSetting } from '../store/tenant-repo.js';
import { balancerSettingError, isBalancerSetting, parseRetentionDays, RECORDING_RETENTION_SETTING, tenantRetentionDays } from './balancer-settings.js';

const setting = (param: string, value: string, override = false): TenantSetting => ({ id: param, tenantId: 't', param, value, override, createdAt: 0 });

describe('balancer settings', () => {
  it('are the lb_ names, in any case; nothing else is', () => {
    expect(isBalancerSetting('lb_recording_retention_days')).toBe(true);
    expect(isBalancerSetting('LB_anything')).toBe(true);
    expect(isBalancerSetting('lb')).toBe(false);
    expect(isBalancerSetting('record')).toBe(false);
    expect(isBalancerSetting('meta_lb_x')).toBe(false);
  });

  it('retention days: whole numbers from 0 to 100 years, surrounding blanks allowed', () => {
    expect(parseRetentionDays('0')).toBe(0);
    expect(parseRetentionDays(' 365 ')).toBe(365);
    expect(parseRetentionDays('36600')).toBe(36600);
    for (const bad of ['', '-1', '1.5', '30d', '1e3', '36601', '0x10', 'forever']) expect(parseRetentionDays(bad), bad).toBeUndefined();
  });

  it('refuses an unknown lb_ name and a bad value, naming the setting; leaves BBB parameters alone', () => {
    expect(balancerSettingError(RECORDING_RETENTION_SETTING, '30')).toBeUndefined();
    expect(balancerSettingError(RECORDING_RETENTION_SETTING, 'soon')).toBe(`${RECORDING_RETENTION_SETTING} must be a whole number of days from 0 to 36600 (0 keeps recordings forever), not "soon"`);
    expect(balancerSettingError('lb_retention', '30')).toBe(`lb_retention is not a balancer setting (known: ${RECORDING_RETENTION_SETTING})`);
    expect(balancerSettingError('LB_RECORDING_RETENTION_DAYS', '30')).toMatch(/is not a balancer setting/);
    expect(balancerSettingError('lb___proto__', '1')).toMatch(/is not a balancer setting/);
    expect(balancerSettingError('record', 'whatever')).toBeUndefined();
  });

  it("a tenant's retention: its days, none, or invalid (a value stored before it was checked)", () => {
    expect(tenantRetentionDays([setting('record', 'true'), setting(RECORDING_RETENTION_SETTING, '90')])).toBe(90);
    expect(tenantRetentionDays([setting(RECORDING_RETENTION_SETTING, '0')])).toBe(0);
    expect(tenantRetentionDays([setting('record', 'true')])).toBeUndefined();
    expect(tenantRetentionDays([setting(RECORDING_RETENTION_SETTING, 'x')])).toBe('invalid');
  });
});

describe('tenantLayers never passes a balancer setting to BBB', () => {
  it('drops lb_ settings from defaults and overrides, whatever their case or override flag', () => {
    const layers = tenantLayers({
      id: 't',
      name: 'acme',
      secrets: ['s'],
      settings: [setting(RECORDING_RETENTION_SETTING, '30', false), setting('LB_Other', 'x', true), setting('record', 'true', false), setting('welcome', 'Hi', true)],
    });
    expect([...layers.defaults]).toEqual([['record', 'true']]);
    expect([...layers.overrides]).toEqual([['welcome', 'Hi']]);
  });
});
