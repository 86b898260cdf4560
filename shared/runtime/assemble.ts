import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BbbClient } from '../bbb/bbb-client.js';
import type { Config } from '../config/parse-config.js';
import type { Deps, OutboundHttp } from '../app/deps.js';
import type { ObjectStorage } from '../app/object-storage.js';
import { createLogger, type Logger } from '../app/logger.js';
import { noMetrics, type Metrics } from '../app/metrics.js';
import { Registry } from '../app/registry.js';
import { createOutboundHttp } from '../net/outbound-http.js';
import { createStore } from '../store/create-store.js';
import { CookieSigner } from '../domain/cloudfront-cookies.js';

export interface AssembleOptions {
  db: DynamoDBDocumentClient;
  log?: Logger;
  /** outgoing HTTP (tests may replace it) */
  http?: OutboundHttp;
  clock?: () => number;
  random?: () => number;
  /** the recordings bucket (shared/storage/s3-storage.ts) */
  storage?: ObjectStorage;
  /** the playback cookie signer; default: from CF_KEY_PAIR_ID + CF_PRIVATE_KEY_B64 when set */
  signer?: CookieSigner;
  /** the metrics adapter of the runtime (Powertools EMF on Lambda, prom-client in slctl serve); default none */
  metrics?: Metrics;
}

/** Wires the use cases' dependencies from a Config and a DynamoDB client (used by every composition root). */
export function assemble(config: Config, opts: AssembleOptions): Deps {
  const clock = opts.clock ?? Date.now;
  const store = createStore(opts.db, config.dynamodbTable);
  const log = opts.log ?? createLogger(config.logLevel);
  const metrics = config.metricsEnabled && opts.metrics ? opts.metrics : noMetrics;
  return {
    config,
    store,
    // every call to a BBB server is counted and timed there (BbbCalls, BbbCallLatency)
    bbb: new BbbClient(config.outgoingAlgorithm, metrics),
    registry: new Registry(
      () => store.servers.list(),
      config.registryTtl * 1000,
      clock,
      config.multitenancyEnabled ? () => store.tenants.listAll() : undefined,
      (e) => log.warn('registry reload failed: serving the previous snapshot', { error: e.message }),
    ),
    http: opts.http ?? createOutboundHttp({ allowPrivate: config.allowPrivateCallbackUrls }),
    clock,
    random: opts.random ?? Math.random,
    log,
    metrics,
    storage: opts.storage,
    signer: opts.signer ?? (config.cfKeyPairId ? new CookieSigner(config.cfKeyPairId, config.cfPrivateKeyPem) : undefined),
  };
}
