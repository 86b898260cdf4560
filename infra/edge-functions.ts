import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDING_NOT_FOUND_HTML } from '../shared/domain/recording-not-found.js';
import { PLAYER_PATH } from '../shared/storage/storage-keys.js';
import { REPO_ROOT } from './bundling.js';

/**
 * The code of the distribution's CloudFront Functions (runtime cloudfront-js-2.0): plain JavaScript
 * files under `infra/edge/`, with the constants they use prepended here, so the page and the paths come
 * from the shared modules the API uses. CloudFront Functions take at most 10 KB of code.
 */
export const EDGE_FUNCTION_MAX_BYTES = 10 * 1024;

const source = (file: string) => readFileSync(join(REPO_ROOT, 'infra', 'edge', file), 'utf8');
const constants = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([name, value]) => `var ${name} = ${JSON.stringify(value)};\n`)
    .join('');

/** `/<format>/<id>/…` → `recordings/<id>/<format>/…`, path checks, the player's files unchanged (infra/edge/recording-files.js). */
export function recordingFilesFunctionCode(): string {
  return constants({ NOT_FOUND_HTML: RECORDING_NOT_FOUND_HTML, PLAYER_PATH }) + source('recording-files.js');
}

/** The viewer's Host as X-Forwarded-Host, for the API behind the distribution's own name (infra/edge/forwarded-host.js). */
export function forwardedHostFunctionCode(): string {
  return source('forwarded-host.js');
}
