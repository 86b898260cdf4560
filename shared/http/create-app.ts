import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../domain/api-error.js';
import type { Deps } from '../app/deps.js';
import { createBbbApi, type Outcome } from './bbb-api.js';
import { readRequest } from './request-input.js';
import { errorXml, XML_CONTENT_TYPE } from './xml-responses.js';

/** What a runtime adapter provides: the query string exactly as the client sent it. */
export interface HttpAdapter {
  rawQuery(c: Context): string;
}

/** Fallback for `app.request()` in tests: the query of the Request URL (already normalised by URL). */
export const urlRawQuery: HttpAdapter['rawQuery'] = (c) => {
  const url = c.req.url;
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

const xmlResponse = (c: Context, xml: string) => c.body(xml, 200, { 'Content-Type': XML_CONTENT_TYPE });

/** The whole HTTP surface: BBB API, health check, catch-all. Errors become BBB XML here and only here. */
export function createApp(deps: Deps, adapter: HttpAdapter = { rawQuery: urlRawQuery }): Hono {
  const app = new Hono();
  const api = createBbbApi(deps);

  const health = async (c: Context) => {
    try {
      await deps.store.ping();
      return c.text('success');
    } catch (e) {
      deps.log.error('health check failed', { error: (e as Error).message });
      return c.text(`Health Check Failure: ${(e as Error).name}`);
    }
  };
  app.get('/health_check', health);
  app.get('/', health);

  const runApi = async (c: Context, call: string) => {
    const started = performance.now();
    const reqId = randomUUID();
    let outcome: Outcome | undefined;
    let failure: ApiError | undefined;
    try {
      const input = await readRequest(c, adapter.rawQuery(c));
      outcome = await api.handle(call, input);
    } catch (e) {
      if (e instanceof ApiError) failure = e;
      else {
        deps.log.error('unhandled error', { reqId, call, error: (e as Error)?.stack ?? String(e) });
        failure = new ApiError('internalError', `An internal error occurred (request id ${reqId})`);
      }
    }
    const answer = outcome?.answer;
    deps.log.info('request', {
      reqId,
      call: call || 'index',
      method: c.req.method,
      meetingID: outcome?.meetingID,
      server: outcome?.serverId,
      outcome: failure ? failure.key : answer?.kind === 'redirect' ? 'redirect' : 'SUCCESS',
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
    if (failure) return xmlResponse(c, errorXml(failure.key, failure.message));
    if (answer!.kind === 'redirect') return c.redirect(answer!.location, 302);
    return xmlResponse(c, answer!.xml);
  };

  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => xmlResponse(c, errorXml('internalError', 'The request body is too large.')),
  });
  app.all('/bigbluebutton/api', limit, (c) => runApi(c, ''));
  app.all('/bigbluebutton/api/', limit, (c) => runApi(c, ''));
  app.all('/bigbluebutton/api/:call{.+}', limit, (c) => runApi(c, c.req.param('call').replace(/\/+$/, '')));

  app.all('*', (c) => xmlResponse(c, errorXml('unsupportedRequest', 'This request is not supported.')));
  app.onError((e, c) => {
    deps.log.error('unhandled error', { error: e.stack ?? String(e) });
    return xmlResponse(c, errorXml('internalError', 'An internal error occurred.'));
  });
  return app;
}
