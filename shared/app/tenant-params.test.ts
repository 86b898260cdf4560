import { describe, expect, it } from 'vitest';
import type { TenantSetting, TenantWithSettings } from '../store/tenant-repo.js';
import { tenantLayers } from './tenant-params.js';

const setting = (param: string, value: string, override: boolean, createdAt = 0): TenantSetting => ({ id: param, tenantId: 't', param, value, override, createdAt });
const tenant = (...settings: TenantSetting[]): TenantWithSettings => ({ id: 't', name: 'acme', secrets: ['s'], settings });

describe('tenantLayers', () => {
  it('splits settings into defaults and overrides, in their order', () => {
    const layers = tenantLayers(tenant(setting('record', 'true', false), setting('welcome', 'Hi', true), setting('logo', 'x', false)));
    expect([...layers.defaults]).toEqual([['record', 'true'], ['logo', 'x']]);
    expect([...layers.overrides]).toEqual([['welcome', 'Hi']]);
  });

  it('takes meta_server-tag out of both layers (it decides placement, §2.2)', () => {
    const layers = tenantLayers(tenant(setting('meta_server-tag', 'blue!', true), setting('meta_server-tag', 'red', false)));
    expect(layers).toEqual({ defaults: new Map(), overrides: new Map(), overrideServerTag: 'blue!', defaultServerTag: 'red' });
  });

  it('no tenant: empty layers', () => {
    expect(tenantLayers(undefined)).toEqual({ defaults: new Map(), overrides: new Map() });
  });
});
