import type { CommandModule } from 'yargs';
import { say } from '../stdio.js';
import { hexDigest } from '../../shared/domain/checksum.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { CliError } from '../cli-error.js';

interface Args {
  call: string;
  query?: string;
  base?: string;
}

/** `slctl api:url create 'meetingID=demo'`: a BBB API URL signed with LOADBALANCER_SECRET, for curl and browsers. */
export const apiUrlCommand: CommandModule<object, Args> = {
  command: 'api:url <call> [query]',
  describe: 'Print a BBB API URL of this balancer signed with LOADBALANCER_SECRET (for curl or a browser)',
  builder: (y) =>
    y
      .positional('call', { type: 'string', demandOption: true, describe: 'API call, e.g. create, join, getMeetings' })
      .positional('query', { type: 'string', default: '', describe: "Query string as the client would send it, e.g. 'meetingID=demo&name=Demo'" })
      .option('base', { type: 'string', describe: 'Base URL of the balancer (default http://127.0.0.1:$PORT)' }),
  handler: (argv) => {
    const config = parseConfig(process.env);
    const secret = config.loadbalancerSecrets[0];
    if (!secret) throw new CliError('ERROR: LOADBALANCER_SECRET is not set: there is no secret to sign with');
    const query = argv.query ?? '';
    const checksum = hexDigest(config.outgoingAlgorithm === 'SHA1' ? 'SHA1' : 'SHA256', argv.call + query + secret);
    const base = (argv.base ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
    say(`${base}/bigbluebutton/api/${argv.call}?${query === '' ? '' : `${query}&`}checksum=${checksum}`);
  },
};
