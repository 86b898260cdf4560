import { Duration } from 'aws-cdk-lib';
import { Effect, Grant, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { SecretEnvName } from '../shared/config/secret-env.js';
import type { ScaleliteConfig } from './config.js';
import { ScaleliteFunction } from './functions.js';
import { type LambdaPlainEnvName, lambdaEnvironment } from './lambda-environment.js';
import { RECORDING_OBJECTS, type RecordingsBucket } from './recordings-bucket.js';
import type { SecretSources } from './secret-sources.js';
import type { ScaleliteTable } from './table.js';

/**
 * Lambda's maximum. One slctl task is one synchronous invocation: `servers:sync --mode force` or
 * `meetings:end` over many meetings, `poll:all` of a large pool, `recordings:purge` of a long backlog
 * must finish inside it (there is no continuation).
 */
export const ADMIN_TIMEOUT = Duration.minutes(15);
/** As the poller: `poll:all` and `servers:sync` talk to every BBB server, and Lambda's CPU grows with memory. */
export const ADMIN_MEMORY_MB = 1024;
/**
 * The secrets the admin function reads: the LB secrets (`api:url` signs with them; a recording-ready
 * callback a task triggers is signed with them). Not ADMIN_SECRET — IAM authenticates the caller, the
 * admin API's credential plays no part — and not the playback signing key (no task signs a cookie).
 */
export const ADMIN_SECRETS: readonly SecretEnvName[] = ['LOADBALANCER_SECRET', 'LOADBALANCER_SECRETS'];
/** The one action the operator policy allows. */
export const OPERATOR_ACTION = 'lambda:InvokeFunction';
const OPERATOR_POLICY_SUFFIX = '-slctl-operator';

/** The customer-managed policy's name: `<stack>-slctl-operator`, within IAM's 128 characters. */
export function operatorPolicyName(stackName: string): string {
  return `${stackName.slice(0, 128 - OPERATOR_POLICY_SUFFIX.length)}${OPERATOR_POLICY_SUFFIX}`;
}

export interface AdminFunctionProps {
  config: ScaleliteConfig;
  table: ScaleliteTable;
  settings: Record<LambdaPlainEnvName, string>;
  secrets: SecretSources;
  /** With recordings: `recordings:purge` deletes expired recordings' files. */
  bucket?: RecordingsBucket;
}

export interface AdminFunction {
  admin: ScaleliteFunction;
  /** `<stack>-slctl-operator`: lambda:InvokeFunction on the admin function, nothing else. */
  operatorPolicy: ManagedPolicy;
}

/**
 * The admin function (issue 12): `slctl --via lambda --function <name>` sends it one task at a time
 * (lambda:InvokeFunction, RequestResponse) and it runs the task with the deployment's own table, secrets
 * and bucket, from inside AWS — the BBB calls of `meetings:end`, `servers:panic`, `poll:all`, … leave
 * from Lambda, not from the operator's machine.
 *
 * Reached only through IAM: no function URL, no resource policy, no event source, no schedule. Whoever may
 * invoke it may run every remote task, so the operator policy is the whole of an operator's access; the
 * function's own role holds the data access (least privilege: the table and its indexes, the LB secrets,
 * and with recordings the deletion of `recordings/*` objects for `recordings:purge`).
 */
export function createAdminFunction(scope: Construct, props: AdminFunctionProps): AdminFunction {
  const { config, bucket } = props;
  const admin = new ScaleliteFunction(scope, 'AdminFunction', {
    entry: 'admin',
    description: 'Scalelite admin: runs one slctl task per invocation (slctl --via lambda)',
    memorySize: ADMIN_MEMORY_MB,
    timeout: ADMIN_TIMEOUT,
    environment: lambdaEnvironment(props.settings, props.secrets.arnsOf(ADMIN_SECRETS)),
    logRetentionDays: config.logRetentionDays,
    bundleAwsSdk: config.bundleAwsSdk,
    runtime: config.lambdaRuntime,
    reservedConcurrentExecutions: config.adminReservedConcurrency,
  });
  // servers, meetings, tenants and their settings, LRS credentials, recordings' metadata: all items of the table
  props.table.grantReadWriteData(admin.fn);
  props.secrets.grantRead(admin.fn, ADMIN_SECRETS);
  if (bucket) {
    // recordings:purge removes an expired recording's files: ListObjectsV2 of `recordings/<id>/`, then
    // DeleteObjects of what it listed. The listing is limited to the recordings area; no object is read.
    Grant.addToPrincipal({ grantee: admin.fn, actions: ['s3:DeleteObject'], resourceArns: [bucket.objectsArn(RECORDING_OBJECTS)] });
    admin.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.arn], conditions: { StringLike: { 's3:prefix': RECORDING_OBJECTS } } }),
    );
  }
  // slctl waits for the answer; an asynchronous invocation (nobody to read its output) is never retried
  admin.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });

  const operatorPolicy = new ManagedPolicy(scope, 'SlctlOperatorPolicy', {
    managedPolicyName: operatorPolicyName(config.stackName),
    description: `slctl operator of the ${config.stackName} stack: invoke its admin function, which runs every remote slctl task. Grants nothing else.`,
    statements: [
      new PolicyStatement({
        sid: 'InvokeAdminFunction',
        effect: Effect.ALLOW,
        actions: [OPERATOR_ACTION],
        // the function itself, and its versions and aliases (`--qualifier`); the stack publishes none
        resources: [admin.fn.functionArn, `${admin.fn.functionArn}:*`],
      }),
    ],
  });
  return { admin, operatorPolicy };
}
