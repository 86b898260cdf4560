import { parseConfig } from '../shared/config/parse-config.js';
import { assemble } from '../shared/runtime/assemble.js';
import { createDocumentClient } from '../shared/store/dynamo-client.js';

/** The Lambda composition root: configuration from the environment, read once per container. */
export const config = parseConfig(process.env);
export const deps = assemble(config, {
  db: createDocumentClient(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
});
