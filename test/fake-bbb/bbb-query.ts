/** Query-string parsing with x-www-form-urlencoded semantics ('+' = space), as a servlet container does. */

export interface ParsedQuery {
  /** Decoded params; the last occurrence of a name wins. */
  params: Record<string, string>;
  /** Decoded names in arrival order (every occurrence). */
  paramOrder: string[];
}

function decodeFormComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // malformed %-escape: keep it as sent
  }
}

export function parseBbbQuery(rawQuery: string): ParsedQuery {
  const values = new Map<string, string>();
  const paramOrder: string[] = [];
  for (const segment of rawQuery.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const name = decodeFormComponent(eq < 0 ? segment : segment.slice(0, eq));
    const value = eq < 0 ? '' : decodeFormComponent(segment.slice(eq + 1));
    values.set(name, value); // last value wins
    paramOrder.push(name);
  }
  // Object.fromEntries defines own data properties, so a '__proto__' param cannot touch the prototype.
  return { params: Object.fromEntries(values), paramOrder };
}
