import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import type { Deps } from '../app/deps.js';
import { checksumMatches, splitChecksum } from '../domain/checksum.js';
import type { Server } from '../domain/entities.js';
import { parseQuery } from '../domain/params.js';
import { isValidRecordId, uploadKey } from '../storage/storage-keys.js';

/** The call name a BBB server signs an upload request with: `H('uploadRecording' + query + its secret)`. */
export const UPLOAD_CALL = 'uploadRecording';
export const UPLOAD_PATH = '/scalelite/recordings/upload';

/** One answer for an unknown server and a wrong checksum: the response tells a caller nothing about which. */
const REFUSED = 'The server or the checksum is not valid.';

const hostnameOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
};

/** The servers `S` may name: the one whose id it is, then those whose registered URL has host name `S`. */
async function candidates(deps: Deps, name: string): Promise<Server[]> {
  const byId = await deps.registry.server(name);
  const host = name.toLowerCase().replace(/\.$/, '');
  const byHost = (await deps.registry.listServers()).filter((s) => s.id !== byId?.id && hostnameOf(s.url) === host);
  return byId ? [byId, ...byHost] : byHost;
}

/**
 * `POST /scalelite/recordings/upload?server=<S>&recordID=<R>&checksum=<C>`: a BBB server asks where to put
 * the tar of a published recording. `S` is the server's id or the host name of its registered URL; `C` is
 * signed with **that server's** BBB secret (the LB and tenant secrets are refused: only BBB servers upload),
 * over the raw query without its checksum parameter, as BBB API calls are. The answer is a presigned S3 PUT
 * of a fresh key under `uploads/` — the tar itself never passes through the API.
 */
export function recordingUpload(deps: Deps, rawQuery: (c: Context) => string) {
  return async (c: Context): Promise<Response> => {
    const reqId = randomUUID();
    const answer = (status: 200 | 400 | 401 | 405 | 500 | 503, body: object, outcome: string, fields: Record<string, unknown> = {}) => {
      deps.log[status >= 500 ? 'error' : status === 200 ? 'info' : 'warn']('recording upload request', { reqId, outcome, ...fields });
      return c.json(body, status, status === 405 ? { Allow: 'POST' } : {});
    };
    try {
      if (c.req.method !== 'POST') return answer(405, { error: 'Use POST.' }, 'method', { method: c.req.method });
      if (deps.config.recordingDisabled || !deps.storage) return answer(503, { error: 'Recordings are disabled on this balancer.' }, 'disabled');

      const { rest, checksums } = splitChecksum(rawQuery(c));
      const params = parseQuery(rest);
      const name = params.get('server') ?? '';
      const recordID = params.get('recordID') ?? '';
      // a second checksum parameter fails, as for BBB calls: which one counts would be anybody's guess
      const checksum = checksums.length === 1 ? checksums[0] : undefined;
      let server: Server | undefined;
      for (const s of name === '' ? [] : await candidates(deps, name)) {
        if (checksumMatches(UPLOAD_CALL + rest, checksum, [s.secret], deps.config.checksumAlgorithms) && !server) server = s;
      }
      if (!server) return answer(401, { error: REFUSED }, 'refused', { server: name.slice(0, 200) });
      if (!isValidRecordId(recordID)) return answer(400, { error: 'recordID is missing or not a valid record id.' }, 'badRecordId', { server: server.id });

      const key = uploadKey(server.id, recordID, `${deps.clock()}-${randomUUID()}`);
      const expiresIn = deps.config.recordingUploadUrlTtl;
      const uploadUrl = await deps.storage.presignPut(key, expiresIn);
      return answer(200, { uploadUrl, method: 'PUT', expiresIn }, 'issued', { server: server.id, recordID, key });
    } catch (e) {
      return answer(500, { error: `An internal error occurred (request id ${reqId})` }, 'error', { error: (e as Error)?.stack ?? String(e) });
    }
  };
}
