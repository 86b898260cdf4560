import { hexDigest, type Algorithm } from '../domain/checksum.js';
import { encodeQuery, type Params } from '../domain/params.js';

export interface BbbEndpoint {
  url: string;
  secret: string;
}

/**
 * The signed URL of a BBB API call, as Scalelite builds it: the server URL with a trailing `/`,
 * the API name joined to it, the parameters form-encoded in order, `checksum` last,
 * computed over `apiName + query + secret` with the given algorithm.
 */
export function signedBbbUrl(server: BbbEndpoint, apiName: string, params: Params, algorithm: Algorithm): string {
  const base = server.url.endsWith('/') ? server.url : `${server.url}/`;
  const query = encodeQuery(params);
  const checksum = hexDigest(algorithm, apiName + query + server.secret);
  const target = new URL(apiName, base);
  target.search = '';
  return `${target.toString()}?${query === '' ? '' : `${query}&`}checksum=${checksum}`;
}
