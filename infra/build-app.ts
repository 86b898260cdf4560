import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.js';
import { ScaleliteStack } from './scalelite-stack.js';

/**
 * The CDK app: the configuration read from context, one stack, and the cdk-nag AwsSolutions rules
 * (next to the CloudFormation validator that aws-cdk-lib runs by itself). Used by `infra/app.ts`
 * (cdk synth/deploy) and by the template tests.
 */
export function buildApp(props: AppProps = {}) {
  const app = new App(props);
  const config = readConfig(app.node.getAllContext());
  const stack = new ScaleliteStack(app, config.stackName, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
