import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { ApiError } from '../domain/api-error.js';
import type { Deps } from '../app/deps.js';
import { createAdminApi, type AdminResult } from './admin-api.js';
import { createBbbApi, type Outcome } from './bbb-api.js';
import { mountFsapi } from './fsapi-route.js';
import { mountPlayback } from './playback.js';
import { recordingUpload, UPLOAD_PATH } from './recording-upload.js';
import { bodyTooLarge, MAX_BODY_BYTES, openRequest, requestHost, requestOrigin, type IncomingRequest } from './request-input.js';
import { bbbCallDimension } from './request-metrics.js';
import { errorXml, XML_CONTENT_TYPE } from './xml-responses.js';

/** What a runtime adapter provides: the query string exactly as the client sent it, and the request's id where the runtime has one. */
export interface HttpAdapter {
  rawQuery(c: Context): string;
  /**
   * The runtime's id of this request (on Lambda API Gateway's `requestContext.requestId`), used as `reqId`
   * in the request's log lines and in the internalError message; undefined (or absent): a generated one.
   * Passed per request, never kept in shared state: `slctl serve` runs many requests at once.
   */
  requestId?(c: Context): string | undefined;
}

/** Fallback for `app.request()` in tests: the query of the Request URL (already normalised by URL). */
export const urlRawQuery: HttpAdapter['rawQuery'] = (c) => {
  const url = c.req.url;
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
};

const xmlResponse = (c: Context, xml: string) => c.body(xml, 200, { 'Content-Type': XML_CONTENT_TYPE });

/** Milliseconds since `started` (performance.now()), one decimal. */
const elapsedMs = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/** The whole HTTP surface: BBB API, admin API, health check, catch-all. Errors become BBB XML here and only here. */
export function createApp(deps: Deps, adapter: HttpAdapter = { rawQuery: urlRawQuery }): Hono {
  const app = new Hono();
  const api = createBbbApi(deps);
  const admin = createAdminApi(deps);
  const requestId = (c: Context): string => adapter.requestId?.(c) || randomUUID();
  if (deps.config.adminApiEnabled && deps.config.adminSecrets.length === 0) {
    deps.log.warn('ADMIN_SECRET is not set: the admin API /scalelite/api accepts the LOADBALANCER secrets; set ADMIN_SECRET to give it its own credential');
  }
  /** The request's head; its body is read by the pipeline when it needs it, never past MAX_BODY_BYTES. */
  const open = (c: Context): IncomingRequest => {
    const req = openRequest(c, adapter.rawQuery(c), requestHost(c, deps.config.trustForwardedHost), requestOrigin(c, deps.config.trustForwardedHost));
    // a declared length over the cap is refused before anything else; a chunked body when it grows past it
    if (req.declaredLength !== undefined && req.declaredLength > MAX_BODY_BYTES) throw bodyTooLarge();
    return req;
  };

  const health = async (c: Context) => {
    try {
      await deps.store.ping();
      return c.text('success');
    } catch (e) {
      deps.log.error('health check failed', { reqId: requestId(c), error: (e as Error).message });
      return c.text(`Health Check Failure: ${(e as Error).name}`);
    }
  };
  app.get('/health_check', health);
  app.get('/', health);

  const runApi = async (c: Context, call: string) => {
    const started = performance.now();
    const reqId = requestId(c);
    let outcome: Outcome | undefined;
    let failure: ApiError | undefined;
    try {
      outcome = await api.handle(call, open(c));
    } catch (e) {
      if (e instanceof ApiError) failure = e;
      else {
        deps.log.error('unhandled error', { reqId, call, error: (e as Error)?.stack ?? String(e) });
        failure = new ApiError('internalError', `An internal error occurred (request id ${reqId})`);
      }
    }
    const answer = outcome?.answer;
    const ms = elapsedMs(started);
    deps.log.info('request', {
      reqId,
      call: call || 'index',
      method: c.req.method,
      meetingID: outcome?.meetingID,
      server: outcome?.serverId,
      tenant: outcome?.tenantId,
      outcome: failure ? failure.key : answer?.kind === 'redirect' ? 'redirect' : answer?.kind === 'empty' ? (outcome?.detail ?? String(answer.status)) : 'SUCCESS',
      ms,
    });
    const metricCall = bbbCallDimension(call);
    deps.metrics.count('Requests', 1, { call: metricCall, outcome: failure ? failure.key : 'success' });
    deps.metrics.timing('RequestLatency', ms, { call: metricCall });
    if (failure) return xmlResponse(c, errorXml(failure.key, failure.message));
    if (answer!.kind === 'redirect') return c.redirect(answer!.location, 302);
    if (answer!.kind === 'empty') return c.body(null, answer!.status);
    return xmlResponse(c, answer!.xml);
  };

  const runAdmin = async (c: Context, call: string) => {
    const started = performance.now();
    const reqId = requestId(c);
    let result: AdminResult;
    try {
      result = await admin.handle(call, open(c));
    } catch (e) {
      // a body over the cap (the only ApiError reading throws) is answered as the admin API's other refusals: BBB XML
      if (e instanceof ApiError) result = { kind: 'xmlError', key: e.key, message: e.message };
      else {
        deps.log.error('unhandled error', { reqId, call, error: (e as Error)?.stack ?? String(e) });
        result = { kind: 'json', answer: { status: 500, body: { error: `An internal error occurred (request id ${reqId})` } } };
      }
    }
    const status = result.kind === 'json' ? result.answer.status : 200;
    deps.log.info('admin request', { reqId, call, method: c.req.method, outcome: result.kind === 'xmlError' ? result.key : status, ms: elapsedMs(started) });
    if (result.kind === 'xmlError') return xmlResponse(c, errorXml(result.key, result.message));
    return c.json(result.answer.body as object, result.answer.status as 200);
  };

  // bodies: at most MAX_BODY_BYTES, read by the pipelines only when needed (request-input.ts)
  app.all('/bigbluebutton/api', (c) => runApi(c, ''));
  app.all('/bigbluebutton/api/', (c) => runApi(c, ''));
  app.all('/bigbluebutton/api/:call{.+}', (c) => runApi(c, c.req.param('call').replace(/\/+$/, '')));
  // ADMIN_API_ENABLED=false (the AWS stack's default): not mounted, so its paths get the catch-all's answer
  if (deps.config.adminApiEnabled) app.all('/scalelite/api/:call{.+}', (c) => runAdmin(c, c.req.param('call').replace(/\/+$/, '')));
  // the upload route reads no body (its answer is a presigned URL; the tar goes to S3)
  app.all(UPLOAD_PATH, recordingUpload(deps, adapter.rawQuery));

  mountFsapi(app, deps);
  mountPlayback(app, deps);
  app.all('*', (c) => xmlResponse(c, errorXml('unsupportedRequest', 'This request is not supported.')));
  app.onError((e, c) => {
    deps.log.error('unhandled error', { reqId: requestId(c), error: e.stack ?? String(e) });
    return xmlResponse(c, errorXml('internalError', 'An internal error occurred.'));
  });
  return app;
}
