import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestHost } from './request-input.js';
import { tenantNameFromHost } from './tenant-host.js';

describe('tenantNameFromHost', () => {
  it('with URL_HOST: the one label before it', () => {
    expect(tenantNameFromHost('tenant1.sl.example.com', 'sl.example.com')).toBe('tenant1');
    expect(tenantNameFromHost('t-2.sl.example.com', 'SL.Example.com')).toBe('t-2');
    expect(tenantNameFromHost('t3.localhost', 'localhost:3000')).toBe('t3'); // the request host comes without its port
  });

  it('with URL_HOST: no tenant for the apex, deeper names, other domains or labels that are no DNS label', () => {
    for (const host of ['sl.example.com', 'a.b.sl.example.com', 'tenant1.other.com', 'tenant1.sl.example.com.evil.com', 'xsl.example.com', '_x.sl.example.com', '-x.sl.example.com', '']) {
      expect([host, tenantNameFromHost(host, 'sl.example.com')]).toEqual([host, undefined]);
    }
  });

  it('without URL_HOST: the first label of any host (Scalelite)', () => {
    expect(tenantNameFromHost('bn.api.example.com', '')).toBe('bn');
    expect(tenantNameFromHost('localhost', '')).toBe('localhost');
    expect(tenantNameFromHost('', '')).toBeUndefined();
  });
});

describe('requestHost', () => {
  const hostSeen = async (headers: Record<string, string>, trust: boolean) => {
    const app = new Hono().get('/', (c) => c.text(requestHost(c, trust)));
    return (await app.request('http://fallback.example.com:8080/', { headers })).text();
  };

  it('is the Host header, lower-case, without port or trailing dot', async () => {
    expect(await hostSeen({ Host: 'Tenant1.SL.example.com:443' }, false)).toBe('tenant1.sl.example.com');
    expect(await hostSeen({ Host: 'tenant1.sl.example.com.' }, false)).toBe('tenant1.sl.example.com');
  });

  it('ignores X-Forwarded-Host unless trusted; then takes its first value', async () => {
    const headers = { Host: 'a.sl.example.com', 'X-Forwarded-Host': 'b.sl.example.com, proxy.internal' };
    expect(await hostSeen(headers, false)).toBe('a.sl.example.com');
    expect(await hostSeen(headers, true)).toBe('b.sl.example.com');
    expect(await hostSeen({ Host: 'a.sl.example.com' }, true)).toBe('a.sl.example.com');
  });

  it("falls back to the request URL's host", async () => {
    expect(await hostSeen({}, false)).toBe('fallback.example.com');
  });
});
