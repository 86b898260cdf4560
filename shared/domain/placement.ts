import { parseTagString, serverTagKey, tagStringForMessage } from './tags.js';
import { errors } from './api-error.js';

export interface Candidate {
  id: string;
  tag?: string;
  /** current load (weighted users × multiplier); candidates are enabled, online, polled servers */
  load: number;
  /** the most users the server should hold; undefined = no limit */
  capacity?: number;
  /** the users it holds now, reservations included (`committedUsers`); needed only with a capacity */
  committed?: number;
}

export interface PlacementOptions {
  /** Servers whose load is below lowest + band are equally good; pick one at random. */
  band: number;
  /** A number in [0, 1). */
  random: () => number;
  /**
   * The meeting's expected size in users: servers with a capacity it does not fit beside what they hold
   * are skipped — unless no server of the pool has room, then the choice is by load alone.
   */
  size?: number;
}

/** Whether a meeting of `size` users fits on the candidate: always without a capacity or a size. */
export function hasRoom(c: Pick<Candidate, 'capacity' | 'committed'>, size: number | undefined): boolean {
  return c.capacity === undefined || size === undefined || (c.committed ?? 0) + size <= c.capacity;
}

/**
 * Scalelite's `find_available` with herd safety: the tag rules select the candidate set
 * (required tags fail with serverTagUnavailable, optional ones fall back to untagged servers,
 * no tags → untagged servers only), then the servers with room for the meeting's size (all of
 * them when none has room: a meeting is never refused for capacity), then one server is drawn at
 * random among those whose load is within `band` of the lowest. Ties are never broken towards a
 * clearly busier server. The caller sees that no server had room by `!hasRoom(chosen, size)`.
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
  const roomy = pool.filter((c) => hasRoom(c, opts.size));
  if (roomy.length > 0) pool = roomy;
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
