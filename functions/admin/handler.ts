import { allRemoteCommands } from '../../cli/commands/remote-commands.js';
import { deps } from '../deps.js';
import { createAdminHandler, logCrash, logInvocation } from './admin-handler.js';

const run = createAdminHandler(() => deps, allRemoteCommands);

/**
 * Invoked by `slctl --via lambda` (lambda:InvokeFunction, RequestResponse): runs one task, answers its
 * output. One log line per invocation (task, exit code, ms; never the arguments).
 */
export async function handler(payload: unknown) {
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
