import { Document, isScalar, visit } from 'yaml';
import type { Server } from '../shared/domain/entities.js';
import { effectiveLoad } from './format-server.js';

/**
 * `slctl servers:yaml`: the servers in the format of `servers:sync`, so that the output syncs back
 * unchanged. As Scalelite's (Ruby's serializer): starts with `---`, decimals as `1.0`, `''` for an empty
 * tag. Unlike Scalelite, a server without a stored multiplier shows 1.0 (its effective value), not 0.0.
 * Verbose adds the read-only `state`, `load` (-1.0 when unknown), `bbb_version` and `online`. Ours:
 * `capacity` (after the tag) for a server that has one — a server without one prints Scalelite's bytes.
 */
export function serversYaml(servers: readonly Server[], verbose: boolean): string {
  const entries: Record<string, Record<string, unknown>> = {};
  for (const s of servers) {
    entries[s.id] = {
      url: s.url,
      secret: s.secret,
      load_multiplier: s.loadMultiplier ?? 1,
      tag: s.tag ?? '',
      ...(s.capacity !== undefined ? { capacity: s.capacity } : {}),
      enabled: s.state === 'enabled',
      ...(verbose ? { state: s.state, load: effectiveLoad(s) ?? -1, bbb_version: s.bbbVersion ?? '', online: s.online } : {}),
    };
  }
  const doc = new Document({ servers: entries }, { version: '1.1' });
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if ((key === 'load_multiplier' || key === 'load') && isScalar(pair.value)) pair.value.minFractionDigits = 1;
    },
  });
  return doc.toString({ directives: true, singleQuote: true, lineWidth: 0 });
}
