import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './parse-config.js';

describe('METRICS_NAMESPACE, METRICS_PER_SERVER, METRICS_PER_TENANT', () => {
  it('default to Scalelite and both per-server and per-tenant gauges on', () => {
    const c = parseConfig({});
    expect([c.metricsNamespace, c.metricsPerServer, c.metricsPerTenant]).toEqual(['Scalelite', true, true]);
  });

  it('take a namespace of CloudWatch’s characters, and false for the gauges', () => {
    const c = parseConfig({ METRICS_NAMESPACE: ' Scalelite/prod-eu_1 ', METRICS_PER_SERVER: 'false', METRICS_PER_TENANT: 'false' });
    expect([c.metricsNamespace, c.metricsPerServer, c.metricsPerTenant]).toEqual(['Scalelite/prod-eu_1', false, false]);
  });

  it.each(['AWS/Lambda', 'Scale lite', 'Scalelite!', 'x'.repeat(256)])('refuse the namespace %s, naming the variable', (ns) => {
    expect(() => parseConfig({ METRICS_NAMESPACE: ns })).toThrow(ConfigError);
    expect(() => parseConfig({ METRICS_NAMESPACE: ns })).toThrow(/^METRICS_NAMESPACE: /);
  });
});
