import type { BbbClient } from '../bbb/bbb-client.js';
import type { Config } from '../config/parse-config.js';
import type { CookieSigner } from '../domain/cloudfront-cookies.js';
import type { Store } from '../store/create-store.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ObjectStorage } from './object-storage.js';
import type { Registry } from './registry.js';

export interface HttpPostOptions {
  headers: Record<string, string>;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  /** a longer answer fails the call (a transport error) */
  maxResponseBytes?: number;
  /** the URL comes from a tenant or front-end (callbacks): https to public addresses only, unless ALLOW_PRIVATE_CALLBACK_URLS */
  tenantSupplied?: boolean;
}

/** Outgoing HTTP other than the BBB API (Keycloak tokens, analytics callbacks). Rejects on transport errors and timeouts. */
export interface OutboundHttp {
  post(url: string, body: string, opts: HttpPostOptions): Promise<{ status: number; body: string }>;
}

/** Everything a use case may touch; built once per runtime by its composition root. */
export interface Deps {
  config: Config;
  store: Store;
  bbb: BbbClient;
  registry: Registry;
  http: OutboundHttp;
  /** the recordings bucket; absent in runtimes that do not touch recordings (the poller) */
  storage?: ObjectStorage;
  /**
   * Signs (and checks) the playback access cookies: CloudFront signed cookies, checked by CloudFront on AWS
   * and by the local file server. Absent: no recording plays (the routes answer not found, and say why in the log).
   */
  signer?: CookieSigner;
  /** epoch ms */
  clock: () => number;
  /** [0, 1) */
  random: () => number;
  log: Logger;
  /** counters, timings and gauges (shared/app/metrics.ts); `noMetrics` when METRICS_ENABLED=false */
  metrics: Metrics;
}
