import { handle } from 'hono/aws-lambda';
import type { Context } from 'hono';
import type { Deps } from '../../shared/app/deps.js';
import { createApp, type HttpAdapter } from '../../shared/http/create-app.js';
import type { LambdaContextLike, LambdaLogger } from '../lambda-logger.js';
import { lambdaRawQuery } from './lambda-raw-query.js';

/** The parts of an API Gateway HTTP API (payload v2) event the wrapper reads. */
export interface ApiGatewayEventLike {
  requestContext?: { requestId?: string };
}

/** API Gateway's id of the request (`requestContext.requestId`), as hono/aws-lambda hands the event to the app. */
export const lambdaRequestId = (c: Context): string | undefined => {
  const env = c.env as { requestContext?: { requestId?: string }; event?: ApiGatewayEventLike } | undefined;
  return env?.requestContext?.requestId ?? env?.event?.requestContext?.requestId;
};

/** The Lambda runtime's HTTP adapter: the raw query and API Gateway's request id from the event. */
export const lambdaAdapter: HttpAdapter = { rawQuery: lambdaRawQuery, requestId: lambdaRequestId };

/**
 * The API function: the app behind hono/aws-lambda, each invocation logged with its Lambda context
 * (`function_request_id`, `cold_start`) and API Gateway's request id as `correlation_id` on every line —
 * the same id is the `reqId` of the request's log line and of an internalError's message.
 */
export function createApiHandler(deps: Deps, log: LambdaLogger) {
  const app = createApp(deps, lambdaAdapter);
  const run = handle(app);
  const handler = (event: ApiGatewayEventLike, context?: LambdaContextLike) => {
    const requestId = event?.requestContext?.requestId;
    return log.invocation(context, requestId ? { correlation_id: requestId } : {}, () => run(event as never, context as never));
  };
  return Object.assign(handler, { app });
}
