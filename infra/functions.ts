import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaRuntimeName } from './config.js';
import { BUNDLE_ENTRY_FILE, bundleLambda, type LambdaEntry, REPO_ROOT } from './bundling.js';

export interface ScaleliteFunctionProps {
  entry: LambdaEntry;
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
 * Builds a function's bundle at synth (esbuild in this process, never Docker). Its fields are what the CDK's
 * asset cache sees of the bundling (it keys bundled assets by their options): one bundle per function and
 * SDK choice, never the API's reused for the poller.
 */
class LocalLambdaBundling implements ILocalBundling {
  constructor(
    readonly entry: LambdaEntry,
    readonly bundleAwsSdk: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleLambda(this.entry, this.bundleAwsSdk, outputDir);
    return true;
  }
}

/**
 * A function's code: our own esbuild build (infra/bundling.ts — code-split ESM, which `NodejsFunction`'s
 * single-file bundling cannot make), run locally when the stack is synthesized; the asset is its output
 * (`index.mjs` and `chunks/`), hashed by content. A stack left out of bundling (`aws:cdk:bundling-stacks`)
 * gets a placeholder, as with `NodejsFunction`.
 */
export function bundledCode(entry: LambdaEntry, bundleAwsSdk: boolean): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // never used: the local build either succeeds or fails the synth
      image: Runtime.NODEJS_22_X.bundlingImage,
      local: new LocalLambdaBundling(entry, bundleAwsSdk),
    },
  });
}

/**
 * One Lambda of the system: Node.js 22 (or 24) on arm64, bundled locally by esbuild (ESM, minified, code-split), with its
 * own log group (retention set, kept when the stack goes) and its own role that can write to that
 * log group and nothing else — the stack grants the rest (`grant*`).
 */
export class ScaleliteFunction extends Construct {
  readonly fn: LambdaFunction;
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
    this.fn = new LambdaFunction(this, 'Function', {
      code: bundledCode(props.entry, props.bundleAwsSdk),
      handler: `${BUNDLE_ENTRY_FILE.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: RUNTIMES[props.runtime],
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    });
  }
}
