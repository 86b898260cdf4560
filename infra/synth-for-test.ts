import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationValidatePlugin, type Environment, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from './build-app.js';
import { REPO_ROOT } from './bundling.js';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context;

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: unknown[];
    suppressedViolations?: { ruleName: string; reason?: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * What the CloudFormation validator of aws-cdk-lib answered, recorded: `validation-report.json` lists
 * only plugins with something to report, and a test must see that the validator ran.
 */
const cfnValidations: PolicyValidationPluginReport[] = [];
const validate = CloudFormationValidatePlugin.prototype.validate;
CloudFormationValidatePlugin.prototype.validate = function (this: CloudFormationValidatePlugin, context) {
  const report = validate.call(this, context);
  cfnValidations.push(report);
  return report;
};

/**
 * Synthesizes the app as `cdk synth` does (bundling with esbuild, the CloudFormation validator and
 * cdk-nag) with extra context; `app.synth()` throws when a validation fails. Environment-agnostic unless
 * `env` says otherwise (whatever CDK_DEFAULT_* the shell running the tests has).
 */
export function synthesize(context: Record<string, unknown> = {}, env: Environment = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'scalelite-cdk-'));
  const { app, stack, config } = buildApp({ outdir, context: { ...CDK_JSON_CONTEXT, ...context } }, env);
  const before = cfnValidations.length;
  const assembly = app.synth();
  const cfnValidation = cfnValidations.slice(before);
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { app, stack, config, assembly, outdir, report, cfnValidation, template: Template.fromStack(stack) };
}

/**
 * The stack's template without bundling the Lambdas (their code is a placeholder) and without the
 * validations: a second or so, for checks of how a context option shapes the template. The three full
 * synths (`synthesize`) remain the proof that what is deployed bundles and validates.
 */
export function templateWithoutBundling(context: Record<string, unknown> = {}, env: Environment = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'scalelite-cdk-'));
  const { stack, config } = buildApp({ outdir, context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] } }, env);
  return { stack, config, template: Template.fromStack(stack) };
}
