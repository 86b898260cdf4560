import { buildCli } from '../cli/build-cli.mjs';

/**
 * Once per test run: builds slctl (dist/cli, ~1 s), so the tests that spawn cli/bin/slctl.js run the current
 * sources as built, the way an installed copy runs them.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
