/**
 * A process that logs through `openStdoutLog` (cli/stdout-log.ts) and then ends as argv[2] says:
 * `return` (the event loop empties), `exit` (process.exit in the same turn as the last lines), `throw` (an
 * uncaught exception), `reject` (an unhandled rejection), `close` (closes the log, then returns).
 * argv[3]: how many lines (default 2000). For cli/stdout-log.test.ts.
 */
import { openStdoutLog } from '../../cli/stdout-log.js';

const mode = process.argv[2] ?? 'return';
const count = Number(process.argv[3] ?? 2000);
const out = openStdoutLog('info');
// some lines in an earlier turn, the rest in the last one
for (let i = 0; i < count / 2; i++) out.log.info('line', { i, pad: 'x'.repeat(i % 97) });
await new Promise((r) => setImmediate(r));
for (let i = count / 2; i < count; i++) out.log.info('line', { i, pad: 'x'.repeat(i % 97) });
out.log.error('last');
if (mode === 'exit') process.exit(0);
if (mode === 'throw') throw new Error('crash after logging');
if (mode === 'reject') void Promise.reject(new Error('rejected after logging'));
if (mode === 'close') out.close();
