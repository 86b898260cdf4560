import { newServerId as sharedNewServerId } from '../shared/app/server-admin.js';
import { CliError } from './cli-error.js';

export const MULTIPLIER_WARNING = 'WARNING! Load-multiplier was not readable or 0, so it is now 1';

/**
 * Reads a load multiplier like Ruby's String#to_d: the leading decimal number of the text
 * (`"2"`, `" 1.5x"` → 1.5, `"abc"` → 0). Unreadable or 0 → 1 with `warned`; omitted → 1.
 */
export function parseLoadMultiplier(text: string | undefined): { value: number; warned: boolean } {
  if (text === undefined) return { value: 1, warned: false };
  const value = rubyDecimal(text);
  if (!Number.isFinite(value) || value === 0) return { value: 1, warned: true };
  return { value, warned: false };
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
