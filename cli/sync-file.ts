import { isMap, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml';
import { rubyDecimal } from './server-input.js';

/**
 * The YAML of Scalelite's `servers:sync`, read and validated before anything is changed:
 *
 * ```yaml
 * servers:
 *   bbb1.example.com:            # id: [a-zA-Z0-9_.-]+
 *     secret: s3cr3t             # required
 *     url: https://bbb1.example.com/bigbluebutton/api   # default https://<id>/bigbluebutton/api
 *     enabled: true              # default true; false = cordoned
 *     load_multiplier: 1.0       # default 1.0, > 0
 *     tag: fast                  # default none
 *     capacity: 300              # ours: max users placement puts there; default (and 0) none
 *     # load, state, bbb_version, online: accepted and ignored (servers:yaml --verbose prints them)
 * ```
 *
 * Parsed as YAML 1.1 (Ruby's Psych reads it so: `enabled: no` is false). Ids, urls, secrets and tags are
 * taken as written, so a secret such as `0123` stays `0123` (Psych would read the number 83).
 */

export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncError';
  }
}

export const SYNC_MODES = ['keep', 'cordon', 'force'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export interface DesiredServer {
  id: string;
  url: string;
  secret: string;
  enabled: boolean;
  loadMultiplier: number;
  tag?: string;
  /** max users (ours); absent = no limit */
  capacity?: number;
}

const SERVER_PARAMS = ['url', 'secret', 'enabled', 'load_multiplier', 'tag', 'capacity'];
const PARAMS_IGNORE = ['load', 'state', 'online', 'bbb_version'];
const ID_PATTERN = /^[a-zA-Z0-9_.-]+$/;

/** What a scalar says as text: strings as they are, other plain scalars as written; null for `~`/empty. */
function scalarText(node: unknown): string | null | undefined {
  if (node === undefined || node === null) return undefined;
  if (!isScalar(node)) return undefined;
  if (node.value === null) return null;
  if (typeof node.value === 'string') return node.value;
  if (node.type === 'PLAIN' && node.source !== undefined) return node.source;
  return String(node.value);
}

/** A node shown in a message as written (Ruby would print the value). */
function shown(node: unknown): string {
  if (isScalar(node)) return scalarText(node) ?? '';
  return node && typeof (node as Node).toJSON === 'function' ? JSON.stringify((node as Node).toJSON()) : String(node);
}

const keyText = (key: unknown): string => (isScalar(key) ? (scalarText(key) ?? '') : shown(key));

/** A mode from the CLI: omitted or empty is `cordon`. */
export function syncMode(text: string | undefined): SyncMode {
  const mode = text === undefined || text === '' ? 'cordon' : text;
  if (!(SYNC_MODES as readonly string[]).includes(mode)) throw new SyncError(`Unknown sync mode '${mode}' (choose: ${SYNC_MODES.join(' ')})`);
  return mode as SyncMode;
}

/** An http(s) URL with a host, without blanks (what Ruby's URI.parse accepts as URI::HTTP with a host). */
function isHttpUrl(text: string): boolean {
  if (/\s/.test(text) || !/^https?:\/\/[^/?#]/i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function desiredServer(id: string, paramsNode: unknown): DesiredServer {
  if (!ID_PATTERN.test(id)) throw new SyncError(`Server id=${id} contains invalid characters`);
  if (paramsNode !== null && paramsNode !== undefined && !isMap(paramsNode) && !(isScalar(paramsNode) && paramsNode.value === null)) {
    throw new SyncError(`Server id=${id} parameters not a hash`);
  }
  const params = new Map<string, unknown>();
  if (isMap(paramsNode)) for (const pair of paramsNode.items) params.set(keyText(pair.key), pair.value);

  const secret = scalarText(params.get('secret'));
  if (secret === undefined || secret === null || secret.trim() === '') throw new SyncError(`Server id=${id} has no secret`);

  const bad = [...params.keys()].filter((k) => !SERVER_PARAMS.includes(k) && !PARAMS_IGNORE.includes(k));
  if (bad.length > 0) throw new SyncError(`Server id=${id} has bad parameters: [${bad.map((k) => JSON.stringify(k)).join(', ')}]`);

  const multiplierNode = params.get('load_multiplier');
  let loadMultiplier = 1;
  if (multiplierNode !== undefined && !(isScalar(multiplierNode) && multiplierNode.value === null)) {
    const value = isScalar(multiplierNode) ? multiplierNode.value : undefined;
    loadMultiplier = typeof value === 'number' ? value : typeof value === 'string' ? rubyDecimal(value) : NaN;
    if (!(loadMultiplier > 0) || !Number.isFinite(loadMultiplier)) throw new SyncError(`Server id=${id} has invalid load_multiplier=${shown(multiplierNode)}`);
  }

  const urlNode = params.get('url');
  const urlText = scalarText(urlNode);
  const url = urlNode === undefined || urlText === null ? `https://${id}/bigbluebutton/api` : urlText;
  if (url === undefined || !isHttpUrl(url)) throw new SyncError(`Server id=${id} has invalid url=${shown(urlNode)}`);

  const tagNode = params.get('tag');
  const tagText = scalarText(tagNode);
  if (tagNode !== undefined && tagText === undefined) throw new SyncError(`Server id=${id} has invalid tag=${shown(tagNode)}`);
  const tag = tagText === null || tagText === undefined || tagText.trim() === '' ? undefined : tagText;

  // Ruby: `enabled.nil? || !!enabled` — only false (and YAML's no/off) disables
  const enabledNode = params.get('enabled');
  const enabled = !(isScalar(enabledNode) && enabledNode.value === false);

  // ours: a whole number of users; 0 or empty = none
  const capacityNode = params.get('capacity');
  let capacity: number | undefined;
  if (capacityNode !== undefined && !(isScalar(capacityNode) && capacityNode.value === null)) {
    const value = isScalar(capacityNode) ? capacityNode.value : undefined;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\+?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new SyncError(`Server id=${id} has invalid capacity=${shown(capacityNode)}`);
    if (n > 0) capacity = n;
  }

  return { id, url, secret, enabled, loadMultiplier, ...(tag !== undefined ? { tag } : {}), ...(capacity !== undefined ? { capacity } : {}) };
}

/**
 * Reads a sync file and checks it in Scalelite's order: the document, the `servers` hash, the mode, then
 * each server (id, secret, parameters, load_multiplier, url). The first problem throws a SyncError.
 */
export function readSyncFile(text: string, modeText: string | undefined): { mode: SyncMode; servers: DesiredServer[] } {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true });
  if (doc.errors.length > 0) throw new SyncError(`Invalid YAML document (${doc.errors[0].message.split('\n')[0].replace(/:$/, '')})`);
  if (!isMap(doc.contents)) throw new SyncError('Invalid YAML document');
  const root = doc.contents as YAMLMap;
  const serversPair = root.items.find((pair) => keyText(pair.key) === 'servers');
  const serversNode = serversPair?.value;
  if (!isMap(serversNode)) throw new SyncError('Servers parameter not a hash');
  const mode = syncMode(modeText);
  const servers = serversNode.items.map((pair) => desiredServer(keyText(pair.key), pair.value));
  return { mode, servers };
}
