import { parseTagString, serverTagKey, tagStringForMessage } from './tags.js';
import { errors } from './api-error.js';

export interface Candidate {
  id: string;
  tag?: string;
  /** current load (weighted users × multiplier); candidates are enabled, online, polled servers */
  load: number;
}

export interface PlacementOptions {
  /** Servers whose load is below lowest + band are equally good; pick one at random. */
  band: number;
  /** A number in [0, 1). */
  random: () => number;
}

/**
 * Scalelite's `find_available` with herd safety: the tag rules select the candidate set
 * (required tags fail with serverTagUnavailable, optional ones fall back to untagged servers,
 * no tags → untagged servers only), then one server is drawn at random among those whose
 * load is within `band` of the lowest. Ties are never broken towards a clearly busier server.
 */
export function chooseServer<C extends Candidate>(candidates: readonly C[], tagString: string | undefined, opts: PlacementOptions): C {
  if (candidates.length === 0) throw errors.noServers();
  const { tags, required } = parseTagString(tagString);
  let pool: C[] = [];
  if (tags.length > 0) {
    for (const tag of tags) pool.push(...candidates.filter((c) => serverTagKey(c.tag) === tag));
    if (pool.length === 0 && required) throw errors.serverTagUnavailable(tagStringForMessage(tagString ?? ''));
  }
  if (pool.length === 0) pool = candidates.filter((c) => !c.tag);
  if (pool.length === 0) throw errors.noServers();
  const lowest = Math.min(...pool.map((c) => c.load));
  const near = pool.filter((c) => c.load === lowest || c.load < lowest + opts.band);
  const unique = [...new Map(near.map((c) => [c.id, c])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = Math.min(unique.length - 1, Math.floor(opts.random() * unique.length));
  return unique[index];
}

/** The first present value among the sources of `meta_server-tag` (tenant override … env default). */
export function effectiveServerTag(...sources: (string | null | undefined)[]): string | undefined {
  for (const value of sources) if (value !== null && value !== undefined && value.trim() !== '') return value;
  return undefined;
}
