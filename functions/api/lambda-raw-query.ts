import type { Context } from 'hono';

/** HTTP API (payload v2) gives the query string byte-exact as `rawQueryString`. */
export const lambdaRawQuery = (c: Context): string => {
  const event = (c.env as { event?: { rawQueryString?: string } } | undefined)?.event;
  return event?.rawQueryString ?? '';
};
