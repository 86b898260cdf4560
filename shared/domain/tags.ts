export interface TagRequest {
  tags: string[];
  required: boolean;
}

/**
 * `meta_server-tag` semantics: blank → no tags; a trailing `!` makes the tags required
 * (a lone `!` means no tags); the rest is split on `;`. The tag `none` matches untagged servers.
 */
export function parseTagString(tagString: string | null | undefined): TagRequest {
  if (!tagString || tagString.trim() === '') return { tags: [], required: false };
  let text = tagString;
  let required = false;
  if (text.endsWith('!')) {
    text = text.slice(0, -1);
    required = text.length > 0;
  }
  if (text.length === 0) return { tags: [], required: false };
  return { tags: text.split(';'), required };
}

/** The tag string shown in `serverTagUnavailable` (the trailing `!` removed). */
export function tagStringForMessage(tagString: string): string {
  return tagString.endsWith('!') ? tagString.slice(0, -1) : tagString;
}

/** The tag a server matches in a tag list: its own, or `none` when it has none. */
export function serverTagKey(tag: string | undefined): string {
  return tag && tag !== '' ? tag : 'none';
}
