import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaRuntimeName } from './config.js';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, externalModules, LAMBDA_ENTRIES, moduleAliases, REPO_ROOT } from './bundling.js';

export interface ScaleliteFunctionProps {
  entry: keyof typeof LAMBDA_ENTRIES;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  logRetentionDays: number;
  bundleAwsSdk: boolean;
  /** `lambdaRuntime`: nodejs22.x (default) or nodejs24.x. */
  runtime: LambdaRuntimeName;
  reservedConcurrentExecutions?: number;
}

const RUNTIMES: Record<LambdaRuntimeName, Runtime> = { 'nodejs22.x': Runtime.NODEJS_22_X, 'nodejs24.x': Runtime.NODEJS_24_X };

/**
 * One Lambda of the system: Node.js 22 (or 24) on arm64, bundled locally by esbuild (ESM, minified), with its
 * own log group (retention set, kept when the stack goes) and its own role that can write to that
 * log group and nothing else — the stack grants the rest (`grant*`).
 */
export class ScaleliteFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ScaleliteFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, LAMBDA_ENTRIES[props.entry]),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: RUNTIMES[props.runtime],
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      awsSdkConnectionReuse: false, // an SDK v2 setting; v3 reuses connections by itself
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: false,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: externalModules(props.bundleAwsSdk),
        bundleAwsSDK: props.bundleAwsSdk,
        esbuildArgs: { '--alias': Object.entries(moduleAliases(props.bundleAwsSdk)).map(([from, to]) => `${from}=${to}`) },
        forceDockerBundling: false,
      },
    });
  }
}
