import { App, type AppProps, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.js';
import { ScaleliteStack } from './scalelite-stack.js';

/**
 * The CDK app: the configuration read from context, one stack, and the cdk-nag AwsSolutions rules
 * (next to the CloudFormation validator that aws-cdk-lib runs by itself). Used by `infra/app.ts`
 * (cdk synth/deploy) and by the template tests. The environment is the CLI's account and region (the
 * profile's), so the synth can check the ARNs that must be in the stack's region.
 */
export function buildApp(props: AppProps = {}, env: Environment = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }) {
  const app = new App(props);
  const config = readConfig(app.node.getAllContext());
  const stack = new ScaleliteStack(app, config.stackName, { config, env });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
