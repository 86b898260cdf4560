import { join } from 'node:path';
import type { CommandModule } from 'yargs';

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
    const stack = await startLocalStack({ env, dataDir: env.DYNAMODB_ENDPOINT ? undefined : dataDir, s3Dir, poll: argv.poll });
    const where = stack.embedded ? `embedded DynamoDB (dynalite) on ${stack.dynamoEndpoint}, data in ${dataDir}` : `DynamoDB at ${stack.dynamoEndpoint}`;
    const s3Where = stack.s3Embedded ? `embedded S3 (s3rver) on ${stack.s3Endpoint}, data in ${s3Dir}` : `S3 at ${stack.s3Endpoint}`;
    const cliEnv = [stack.embedded ? `DYNAMODB_ENDPOINT=${stack.dynamoEndpoint}` : '', stack.s3Embedded ? `S3_ENDPOINT=${stack.s3Endpoint}` : ''].filter(Boolean).join(' ');
    process.stderr.write(
      `slctl serve: BBB API on ${stack.url}/bigbluebutton/api\n` +
        `  ${where}, table ${stack.config.dynamodbTable}\n` +
        `  recordings: ${s3Where}, bucket ${stack.config.s3Bucket}${stack.s3Embedded ? ', uploads imported as they land' : ''}\n` +
        `  poller: ${argv.poll ? `every ${stack.config.pollInterval} s` : 'off'}\n` +
        (cliEnv ? `  CLI in another shell: export ${cliEnv}\n` : '') +
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
