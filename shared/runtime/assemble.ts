import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BbbClient } from '../bbb/bbb-client.js';
import type { Config } from '../config/parse-config.js';
import type { Deps } from '../app/deps.js';
import { createLogger, type Logger } from '../app/logger.js';
import { Registry } from '../app/registry.js';
import { createStore } from '../store/create-store.js';

export interface AssembleOptions {
  db: DynamoDBDocumentClient;
  log?: Logger;
  clock?: () => number;
  random?: () => number;
}

/** Wires the use cases' dependencies from a Config and a DynamoDB client (used by every composition root). */
export function assemble(config: Config, opts: AssembleOptions): Deps {
  const clock = opts.clock ?? Date.now;
  const store = createStore(opts.db, config.dynamodbTable);
  return {
    config,
    store,
    bbb: new BbbClient(config.outgoingAlgorithm),
    registry: new Registry(() => store.servers.list(), config.registryTtl * 1000, clock),
    clock,
    random: opts.random ?? Math.random,
    log: opts.log ?? createLogger(config.logLevel),
  };
}
