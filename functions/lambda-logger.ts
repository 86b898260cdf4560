import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogFields, Logger, LogLevel } from '../shared/app/logger.js';

/** The service name of each function: the `service` key of its log lines. */
export const LAMBDA_SERVICES = { api: 'scalelite-api', poller: 'scalelite-poller', importer: 'scalelite-importer', admin: 'scalelite-admin' } as const;

/** The parts of the Lambda context the logger reads (Powertools: function_name, function_request_id, …). */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string;
}

/** Our `Logger` port on Lambda, with what the invocation wrappers need. */
export interface LambdaLogger extends Logger {
  /** the Powertools logger behind the port */
  readonly powertools: PowertoolsLogger;
  /**
   * Runs one invocation: every line logged until `run` settles carries the invocation's Lambda context
   * (`function_request_id`, `cold_start`, `function_name`, …) and `keys`. The keys are removed afterwards.
   */
  invocation<T>(context: LambdaContextLike | undefined, keys: LogFields, run: () => Promise<T>): Promise<T>;
}

const POWERTOOLS_LEVEL = { info: 'INFO', warn: 'WARN', error: 'ERROR', silent: 'SILENT' } as const;

/** Keys Powertools owns on every line; a field of ours with such a name is renamed, not dropped. */
const RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

const fieldsFor = (fields: LogFields | undefined): LogFields | undefined => {
  if (!fields) return undefined;
  let out: LogFields | undefined;
  for (const key in fields) {
    if (!RESERVED.has(key)) continue;
    out ??= { ...fields };
    out[`field_${key}`] = out[key];
    delete out[key];
  }
  return out ?? fields;
};

/**
 * The Lambda runtimes' logger: structured JSON through @aws-lambda-powertools/logger (`level`, `message`,
 * `timestamp`, `service`, `cold_start`, `function_request_id`, `xray_trace_id`, `correlation_id`, then our
 * fields), at LOG_LEVEL (`silent`: nothing; Lambda's advanced logging controls, AWS_LAMBDA_LOG_LEVEL, win
 * over it). One per function: the invocation wrappers add the Lambda context and the request's ids to it.
 */
export function createLambdaLogger(opts: { service: string; level: LogLevel }): LambdaLogger {
  const powertools = new PowertoolsLogger({ serviceName: opts.service, logLevel: POWERTOOLS_LEVEL[opts.level] });
  return {
    powertools,
    info: (msg, fields) => powertools.info(msg, fieldsFor(fields) ?? {}),
    warn: (msg, fields) => powertools.warn(msg, fieldsFor(fields) ?? {}),
    error: (msg, fields) => powertools.error(msg, fieldsFor(fields) ?? {}),
    async invocation(context, keys, run) {
      // cold_start: true on the first invocation this logger sees, false after
      if (context) powertools.addContext(context as Parameters<PowertoolsLogger['addContext']>[0]);
      powertools.appendKeys(keys);
      try {
        return await run();
      } finally {
        powertools.resetKeys();
      }
    },
  };
}

/**
 * Wraps a Lambda handler (poller, importer, admin): each invocation logs with its Lambda context
 * (`createLambdaLogger`'s `invocation`). The handler is called with the same event and context.
 */
export function withInvocationLogging<E, C extends LambdaContextLike | undefined, R>(log: LambdaLogger, handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return (event, context) => log.invocation(context, {}, () => handler(event, context));
}
