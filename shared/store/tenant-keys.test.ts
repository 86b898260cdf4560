import { describe, expect, it } from 'vitest';
import { keys } from './keys.js';

describe('tenant and callback key builders', () => {
  it('tenant, its name, its settings', () => {
    expect(keys.tenant('t1')).toEqual({ pk: 'TENANT#t1', sk: 'TENANT' });
    expect(keys.tenantIndex('t1')).toEqual({ gsi2pk: 'TENANTS', gsi2sk: 't1' });
    expect(keys.tenantName('acme')).toEqual({ pk: 'TENANTNAME#acme', sk: 'TENANTNAME' });
    expect(keys.tenantSetting('t1', 's1')).toEqual({ pk: 'TENANT#t1', sk: 'SETTING#s1' });
    expect(keys.tenantSettingIndex('t1', 's1')).toEqual({ gsi2pk: 'TENANTS', gsi2sk: 't1#SETTING#s1' });
    expect(keys.tenantPartition('t1')).toBe('TENANT#t1');
    expect(keys.tenantsPartition()).toBe('TENANTS');
  });

  it("a tenant's settings sort right after it on GSI2", () => {
    const sks = [keys.tenantSettingIndex('t2', 'a').gsi2sk, keys.tenantIndex('t1').gsi2sk, keys.tenantSettingIndex('t1', 'z').gsi2sk, keys.tenantIndex('t2').gsi2sk].sort();
    expect(sks).toEqual(['t1', 't1#SETTING#z', 't2', 't2#SETTING#a']);
  });

  it('callback URLs of a meetingID', () => {
    expect(keys.callbackIndex('m 1', '712345678')).toEqual({ gsi2pk: 'CALLBACK#m 1', gsi2sk: '712345678' });
    expect(keys.callbacksOfMeetingPartition('m 1')).toBe('CALLBACK#m 1');
  });
});
