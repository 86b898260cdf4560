import { bucketDeps } from '../deps.js';
import { lambdaMetrics, withMetrics } from '../lambda-metrics.js';
import { createApiHandler } from './api-handler.js';

export { lambdaRawQuery } from './lambda-raw-query.js';

const { deps, log } = await bucketDeps('api');
const api = createApiHandler(deps, log);
export const app = api.app;
/** API Gateway HTTP API (payload 2.0): the Hono app, each request logged with its ids, its metrics written as it ends. */
export const handler = withMetrics(api, lambdaMetrics);
