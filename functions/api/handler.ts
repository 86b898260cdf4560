import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/http/create-app.js';
import { deps } from '../deps.js';
import { lambdaRawQuery } from './lambda-raw-query.js';

export { lambdaRawQuery };
export const app = createApp(deps, { rawQuery: lambdaRawQuery });
export const handler = handle(app);
