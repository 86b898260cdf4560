/**
 * Entry of `cdk synth` / `cdk deploy` (see cdk.json). Configuration: `-c key=value`, listed in
 * `infra/config.ts` and the README's "Deploy to AWS".
 */
import { InfraConfigError } from './config.js';
import { buildApp } from './build-app.js';

try {
  buildApp().app.synth();
} catch (e) {
  if (!(e instanceof InfraConfigError)) throw e;
  console.error(`Configuration error: ${e.message}`);
  process.exit(1);
}
