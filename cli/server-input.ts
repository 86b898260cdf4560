import { newServerId as sharedNewServerId } from '../shared/app/server-admin.js';
import { CliError, usageError } from './cli-error.js';

export const MULTIPLIER_WARNING = 'WARNING! Load-multiplier was not readable or 0, so it is now 1';

/**
 * Reads a load multiplier like Ruby's String#to_d: the leading decimal number of the text
 * (`"2"`, `" 1.5x"` → 1.5, `"abc"` → 0). Unreadable or 0 → 1 with `warned` (Scalelite's reading); omitted → 1.
 * A negative number is refused (usage error): Scalelite stores it, and then `servers:sync` rejects the
 * `servers:yaml` output and the load ordering is upside down.
 */
export function parseLoadMultiplier(text: string | undefined): { value: number; warned: boolean } {
  if (text === undefined) return { value: 1, warned: false };
  const value = rubyDecimal(text);
  if (!Number.isFinite(value) || value === 0) return { value: 1, warned: true };
  if (value < 0) throw usageError(`Error: Load-multiplier must be a number greater than 0, not ${text.trim()}`);
  return { value, warned: false };
}

/** Scalelite's sentence for a URL that is not http(s). */
export const URL_SCHEME_ERROR = 'Error: Server URL must start with http:// or https://';
const API_PATH = '/bigbluebutton/api';

/**
 * Checks a new server's BBB API URL: Scalelite's scheme check (case-sensitive, its message), then what
 * Scalelite let through and the poller can never use — white space, no host, a query or fragment (usage
 * errors). A path other than `/bigbluebutton/api` is allowed (a proxy may move the API) with a warning.
 * Returns the warning, if any.
 */
export function checkServerUrl(url: string): string | undefined {
  if (!url.startsWith('http://') && !url.startsWith('https://')) throw usageError(URL_SCHEME_ERROR);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  // (the URL parser reads `https:///x` as host `x`: the host must follow the `//`)
  if (/\s/.test(url) || !parsed || parsed.hostname === '' || !/^https?:\/\/[^/?#]/.test(url)) {
    throw usageError(`Error: Server URL is not a valid URL: '${url}' (expected e.g. https://bbb1.example.com${API_PATH})`);
  }
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#')) {
    throw usageError(`Error: Server URL must not have a query or fragment: '${url}' (expected e.g. ${parsed.protocol}//${parsed.host}${API_PATH})`);
  }
  if (!parsed.pathname.replace(/\/+$/, '').endsWith(API_PATH)) {
    return `WARNING: Server URL ${url} does not end in ${API_PATH}, where BigBlueButton serves its API (e.g. ${parsed.protocol}//${parsed.host}${API_PATH})`;
  }
  return undefined;
}

/** Ruby's String#to_d: the leading decimal number of the text, 0 when there is none. */
export function rubyDecimal(text: string): number {
  const match = /^\s*[+-]?(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(text);
  return match ? Number(match[0].trim().replace(/_/g, '')) : 0;
}

/** Scalelite's `tag.presence`: blank (empty or whitespace only) → no tag. */
export const presentTag = (tag: string | undefined): string | undefined => (tag === undefined || tag.trim() === '' ? undefined : tag);

/** A new server's id (the shared rule), with the CLI's error sentence. */
export function newServerId(url: string, idIsHostname: boolean): string {
  try {
    return sharedNewServerId(url, idIsHostname);
  } catch (e) {
    throw new CliError(`Error: ${(e as Error).message}`);
  }
}

/**
 * `--capacity N` (max users): a whole number ≥ 0, 0 removing it (null). Anything else — negative,
 * fractional, not a number, empty — is a usage error (exit 64), before anything is printed or changed.
 */
export function parseCapacity(text: string): number | null {
  const n = /^\s*\+?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw usageError(`Error: Capacity must be a whole number of users, 0 or more (0 removes it), not '${text}'`);
  return n === 0 ? null : n;
}
