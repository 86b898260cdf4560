import { allRemoteCommands } from '../../cli/commands/remote-commands.js';
import { bucketDeps } from '../deps.js';
import { type LambdaContextLike, withInvocationLogging } from '../lambda-logger.js';
import { lambdaMetrics, withMetrics } from '../lambda-metrics.js';
import { createAdminHandler, logCrash, logInvocation } from './admin-handler.js';

const { deps, log } = await bucketDeps('admin');
const run = createAdminHandler(() => deps, allRemoteCommands);

/**
 * Invoked by `slctl --via lambda` (lambda:InvokeFunction, RequestResponse): runs one task, answers its
 * output. One log line per invocation (task, exit code, ms; never the arguments).
 */
async function runTask(payload: unknown) {
  const started = Date.now();
  try {
    const result = await run(payload);
    logInvocation(deps.log, payload, result, Date.now() - started);
    return result;
  } catch (e) {
    logCrash(deps.log, payload, e, Date.now() - started);
    throw e;
  }
}

export const handler = withMetrics(withInvocationLogging(log, (payload: unknown, _context: LambdaContextLike | undefined) => runTask(payload)), lambdaMetrics);
