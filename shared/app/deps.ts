import type { BbbClient } from '../bbb/bbb-client.js';
import type { Config } from '../config/parse-config.js';
import type { Store } from '../store/create-store.js';
import type { Logger } from './logger.js';
import type { Registry } from './registry.js';

/** Everything a use case may touch; built once per runtime by its composition root. */
export interface Deps {
  config: Config;
  store: Store;
  bbb: BbbClient;
  registry: Registry;
  /** epoch ms */
  clock: () => number;
  /** [0, 1) */
  random: () => number;
  log: Logger;
}
