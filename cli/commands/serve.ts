import type { CommandModule } from 'yargs';

/** `slctl serve`: the whole stack on this machine (API, poller, embedded DynamoDB unless DYNAMODB_ENDPOINT). */
export const serveCommand: CommandModule<object, { poll: boolean }> = {
  command: 'serve',
  describe: 'Run the API, the poller and an embedded DynamoDB (dynalite) on this machine',
  builder: (y) => y.option('poll', { type: 'boolean', default: true, describe: 'Run the poller every POLL_INTERVAL seconds' }),
  handler: async (argv) => {
    // loaded here, not at startup: dynalite and the HTTP stack would slow every other task down
    const { startLocalStack } = await import('../local-stack.js');
    const env = process.env;
    const stack = await startLocalStack({ env, dataDir: env.DYNAMODB_ENDPOINT ? undefined : (env.DATA_DIR ?? './.data'), poll: argv.poll });
    const where = stack.embedded ? `embedded DynamoDB (dynalite) on ${stack.dynamoEndpoint}, data in ${env.DATA_DIR ?? './.data'}` : `DynamoDB at ${stack.dynamoEndpoint}`;
    process.stderr.write(
      `slctl serve: BBB API on ${stack.url}/bigbluebutton/api\n` +
        `  ${where}, table ${stack.config.dynamodbTable}\n` +
        `  poller: ${argv.poll ? `every ${stack.config.pollInterval} s` : 'off'}\n` +
        (stack.embedded ? `  CLI in another shell: export DYNAMODB_ENDPOINT=${stack.dynamoEndpoint}\n` : '') +
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
