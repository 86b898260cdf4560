import type { CommandModule } from 'yargs';
import { say } from '../stdio.js';
import { hexDigest } from '../../shared/domain/checksum.js';
import { encodeComponent, parseQuery } from '../../shared/domain/params.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { CliError, usageError } from '../cli-error.js';
import { currentTask } from '../task-context.js';

interface Args {
  call: string;
  query?: string;
  base?: string;
}

/**
 * The query as a BBB client sends it: each `name=value` form-encoded the way bigbluebutton-api-ruby and
 * -php do (`URI.encode_www_form_component`: space → `+`, all but letters, digits and `*-._` → `%XX`). What is
 * given is decoded first, so `name=Demo Room`, `name=Demo+Room` and `name=Demo%20Room` all give
 * `name=Demo+Room`; a literal `&`, `+` or `%` in a value must be given encoded (`%26`, `%2B`, `%25`).
 * Order and repeated names are kept.
 */
export function clientQuery(given: string): string {
  const parts: string[] = [];
  for (const segment of given.replace(/^\?/, '').split('&')) {
    if (segment === '') continue;
    for (const [name, value] of parseQuery(segment)) {
      if (name === 'checksum') throw usageError("Error: the query must not have a checksum: api:url computes it (leave 'checksum=…' out)");
      parts.push(value === null ? encodeComponent(name) : `${encodeComponent(name)}=${encodeComponent(value)}`);
    }
  }
  return parts.join('&');
}

/** `slctl api:url create 'meetingID=demo'`: a BBB API URL signed with LOADBALANCER_SECRET, for curl and browsers. */
export const apiUrlCommand: CommandModule<object, Args> = {
  command: 'api:url <call> [query]',
  describe: 'Print a BBB API URL of this balancer signed with LOADBALANCER_SECRET (for curl or a browser)',
  builder: (y) =>
    y
      .positional('call', { type: 'string', demandOption: true, describe: 'API call, e.g. create, join, getMeetings' })
      .positional('query', {
        type: 'string',
        default: '',
        describe: "name=value pairs joined by &, e.g. 'meetingID=demo&name=Demo Room'; values are URL-encoded as BBB clients do (give a literal & + % as %26 %2B %25)",
      })
      .option('base', { type: 'string', describe: 'Base URL of the balancer (default http://127.0.0.1:$PORT)' }),
  handler: (argv) => {
    if (!/^[A-Za-z0-9_]*$/.test(argv.call)) throw usageError(`Error: '${argv.call}' is not a BBB API call name (e.g. create, join, getMeetings); give the query as the second argument`);
    // the checksum is computed over exactly the query the URL carries
    const query = clientQuery(argv.query ?? '');
    const config = currentTask()?.deps.config ?? parseConfig(process.env); // in the admin function: the deployment's
    const secret = config.loadbalancerSecrets[0];
    if (!secret) throw new CliError('ERROR: LOADBALANCER_SECRET is not set: there is no secret to sign with');
    // SHA-256 as BBB clients use it, unless the balancer does not accept it (LOADBALANCER_CHECKSUM_ALGORITHM)
    const algorithm = config.checksumAlgorithms.includes('SHA256') ? 'SHA256' : config.outgoingAlgorithm;
    const checksum = hexDigest(algorithm, argv.call + query + secret);
    const base = (argv.base ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
    say(`${base}/bigbluebutton/api/${argv.call}?${query === '' ? '' : `${query}&`}checksum=${checksum}`);
  },
};
