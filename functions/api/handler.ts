import type { Context } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { createApp } from '../../shared/http/create-app.js';
import { deps } from '../deps.js';

/** HTTP API (payload v2) gives the query string byte-exact as `rawQueryString`. */
export const lambdaRawQuery = (c: Context): string => {
  const event = (c.env as { event?: LambdaEvent } | undefined)?.event as { rawQueryString?: string } | undefined;
  return event?.rawQueryString ?? '';
};

export const app = createApp(deps, { rawQuery: lambdaRawQuery });
export const handler = handle(app);
