import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { CliError, describeFailure } from '../cli-error.js';
import { SERVE_FILE } from '../target-resolution.js';

interface StartupWhere {
  /** DATA_DIR when the embedded DynamoDB uses it (no DYNAMODB_ENDPOINT) */
  dataDir?: string;
}

/**
 * A start-up failure as one line with its fix, or undefined when it is none of the known ones. The HTTP
 * server and the embedded DynamoDB report these as exceptions thrown outside any promise (a listen error
 * event, dynalite's callback), so serve.ts catches them itself while the stack starts.
 */
export function startupFailure(e: unknown, where: StartupWhere): CliError | undefined {
  const err = e as { code?: string; message?: string; syscall?: string; address?: string; port?: number; path?: string };
  const at = err.address !== undefined ? `${err.address}:${err.port}` : `port ${err.port}`;
  if (err.syscall === 'listen' && err.code === 'EADDRINUSE') {
    return new CliError(`ERROR: cannot listen on ${at}: the port is in use (another slctl serve / npm start?). Stop that process, or set PORT to a free port (PORT=3001 npm start).`, 1);
  }
  if (err.syscall === 'listen' && err.code === 'EACCES') {
    return new CliError(`ERROR: not allowed to listen on ${at} (ports below 1024 need privileges). Set PORT to 1024 or above.`, 1);
  }
  if (err.syscall === 'listen' && err.code === 'EADDRNOTAVAIL') {
    return new CliError(`ERROR: cannot listen on ${at}: no network interface of this machine has that address. Set BIND to one of its addresses (default 127.0.0.1).`, 1);
  }
  if (where.dataDir !== undefined) {
    const dir = resolve(where.dataDir);
    // dynalite opens DATA_DIR with LevelDB, which one process at a time may hold; a second one only sees a closed database
    if (err.message === 'Database is closed' || err.code === 'LEVEL_LOCKED' || err.code === 'LEVEL_DATABASE_NOT_OPEN') {
      return new CliError(`ERROR: DATA_DIR ${dir} is in use by another slctl serve (npm start): its embedded DynamoDB can be opened by one process only. Stop the other one, or give this one its own directory (DATA_DIR=/tmp/sl2 npm start).`, 1);
    }
    if (typeof err.path === 'string' && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(err.code ?? '')) {
      return new CliError(`ERROR: cannot use DATA_DIR ${dir}: ${err.message}. Set DATA_DIR to a directory this user can write.`, 1);
    }
  }
  return undefined;
}

/** Ends the process with the failure in one line on stderr (a known one with its fix). */
function exitWithStartupFailure(e: unknown, where: StartupWhere): never {
  const { message, exitCode } = describeFailure(startupFailure(e, where) ?? e);
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

/** `slctl serve`: the whole stack on this machine (API, poller, embedded DynamoDB unless DYNAMODB_ENDPOINT, embedded S3 unless S3_ENDPOINT). */
export const serveCommand: CommandModule<object, { poll: boolean }> = {
  command: 'serve',
  describe: 'Run the API, the poller, an embedded DynamoDB (dynalite) and an embedded S3 (s3rver) on this machine',
  builder: (y) => y.option('poll', { type: 'boolean', default: true, describe: 'Run the poller every POLL_INTERVAL seconds' }),
  handler: async (argv) => {
    // loaded here, not at startup: dynalite and the HTTP stack would slow every other task down
    const { startLocalStack } = await import('../local-stack.js');
    const env = process.env;
    const dataDir = env.DATA_DIR ?? './.data';
    const s3Dir = join(dataDir, 's3');
    const failing: StartupWhere = { dataDir: env.DYNAMODB_ENDPOINT ? undefined : dataDir };
    // until the stack is up, an error thrown outside the start-up's promise ends it with one line too
    const crash = (e: unknown) => exitWithStartupFailure(e, failing);
    process.on('uncaughtException', crash);
    let stack;
    try {
      stack = await startLocalStack({ env, dataDir: failing.dataDir, s3Dir, poll: argv.poll, serveFile: join(dataDir, SERVE_FILE) });
    } catch (e) {
      throw startupFailure(e, failing) ?? e;
    } finally {
      process.off('uncaughtException', crash);
    }
    const where = stack.embedded ? `embedded DynamoDB (dynalite) on ${stack.dynamoEndpoint}, data in ${dataDir}` : `DynamoDB at ${stack.dynamoEndpoint}`;
    const s3Where = stack.s3Embedded ? `embedded S3 (s3rver) on ${stack.s3Endpoint}, data in ${s3Dir}` : `S3 at ${stack.s3Endpoint}`;
    process.stderr.write(
      `slctl serve: BBB API on ${stack.url}/bigbluebutton/api\n` +
        `  ${where}, table ${stack.config.dynamodbTable}\n` +
        `  recordings: ${s3Where}, bucket ${stack.config.s3Bucket}${stack.s3Embedded ? ', uploads imported as they land' : ''}\n` +
        `  poller: ${argv.poll ? `every ${stack.config.pollInterval} s` : 'off'}\n` +
        `  slctl started in this directory finds this stack by itself (slctl context); through the admin function: slctl --via lambda --function scalelite-admin --endpoint-url ${stack.url}\n` +
        `  retention: expired recordings are purged every hour (RECORDING_RETENTION_DAYS; docs/RECORDINGS.md §9)\n` +
        (stack.config.loadbalancerSecrets.length === 0 ? '  WARNING: LOADBALANCER_SECRET is not set: every API call will fail the checksum check\n' : ''),
    );
    const stop = async () => {
      await stack.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await new Promise(() => {});
  },
};
