import { configDefaults, defineConfig } from 'vitest/config';

/** What both projects share (inline projects do not extend the root: its globalSetup then runs once). */
const common = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
} as const;

/** The CLI suite: run a second time with every task sent to the local stack's admin function (issue 12). */
const CLI_SUITE = ['test/cli/**/*.test.ts', 'test/tenancy/cli-tenants.test.ts', 'test/tenancy/tenant-limits-cli.test.ts'];
/**
 * Not run a second time: the tests of the targets themselves (they name their target on each call) and
 * those that spawn no task (the packed slctl, serve's start-up).
 */
const TARGET_INDEPENDENT = ['test/cli/targets*.test.ts', 'test/cli/contexts.test.ts', 'test/cli/packaging.test.ts', 'test/cli/serve-startup.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { test: { ...common, name: 'default', include: ['{shared,functions,cli,infra,test}/**/*.test.ts'] } },
      // SLCTL_TEST_TARGET=lambda: test/cli/slctl-fixture.ts runs slctl with --via lambda (same expectations)
      { test: { ...common, name: 'cli-lambda', include: CLI_SUITE, exclude: [...configDefaults.exclude, ...TARGET_INDEPENDENT], env: { ...common.env, SLCTL_TEST_TARGET: 'lambda' } } },
    ],
  },
});
