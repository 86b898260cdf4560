import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { MIN_LAMBDA_TIMEOUT_SECONDS, SCHEDULE_PERIOD_MS } from '../shared/app/poller-schedule.js';
import { ScaleliteAlarms } from './alarms.js';
import { lambdaSettings, type ScaleliteConfig } from './config.js';
import { ScaleliteFunction } from './functions.js';
import { ScaleliteHttpApi } from './http-api.js';
import { lambdaEnvironment } from './lambda-environment.js';
import { acknowledgeFindings } from './nag-acknowledgments.js';
import { type SecretSources, secretSources } from './secret-sources.js';
import { createTable } from './table.js';

export interface ScaleliteStackProps extends StackProps {
  config: ScaleliteConfig;
}

/** The API function answers within API Gateway's 29 s (a BBB create: connect 5 s + response 10 s by default). */
export const API_TIMEOUT = Duration.seconds(29);
/**
 * The poller's timing is the shared schedule contract (`shared/app/poller-schedule.ts`): started once per
 * schedule period, it owns the cycle slots up to the next start minus a margin, so runs never
 * overlap, and it needs a timeout covering the whole period.
 */
export const POLLER_SCHEDULE = Duration.millis(SCHEDULE_PERIOD_MS);
export const POLLER_TIMEOUT = Duration.seconds(MIN_LAMBDA_TIMEOUT_SECONDS);

/**
 * The whole system: the table, the API function behind an HTTP API (v2) with the custom domains,
 * the poller on an EventBridge schedule, log groups, alarms — and least-privilege grants between them.
 */
export class ScaleliteStack extends Stack {
  readonly table: Table;
  readonly api: ScaleliteFunction;
  readonly poller: ScaleliteFunction;
  readonly httpApi: ScaleliteHttpApi;
  readonly secrets: SecretSources;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: ScaleliteStackProps) {
    super(scope, id, {
      description: 'Serverless Scalelite: BigBlueButton load balancer (HTTP API + Lambda + DynamoDB)',
      ...props,
    });
    const config = props.config;
    this.table = createTable(this, { tableName: config.tableName });
    this.secrets = secretSources(this, config);
    const settings = lambdaSettings(config, this.table.tableName);

    this.api = new ScaleliteFunction(this, 'ApiFunction', {
      entry: 'api',
      description: 'Scalelite BBB API (HTTP API v2 to Hono)',
      memorySize: 512,
      timeout: API_TIMEOUT,
      environment: lambdaEnvironment(settings, this.secrets.arns),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
    });
    this.table.grantReadWriteData(this.api.fn);
    this.secrets.grantRead(this.api.fn);

    this.poller = new ScaleliteFunction(this, 'PollerFunction', {
      entry: 'poller',
      description: 'Scalelite poller (BBB server health, load, ended meetings)',
      // CPU scales with memory: at 1,000 servers a cycle is ~1.5 ms of CPU per server (bench/poller-cycle.ts)
      memorySize: 1024,
      timeout: POLLER_TIMEOUT,
      // the poller checks no BBB API call: it reads no secret of ours (server secrets are in the table)
      environment: lambdaEnvironment(settings),
      logRetentionDays: config.logRetentionDays,
      bundleAwsSdk: config.bundleAwsSdk,
      reservedConcurrentExecutions: config.pollerReservedConcurrency,
    });
    this.table.grantReadWriteData(this.poller.fn);
    // a failed or late run is not retried: the next scheduled run polls afresh
    this.poller.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });

    this.schedule = new Rule(this, 'PollerSchedule', {
      description: `Starts the poller (rate: ${POLLER_SCHEDULE.toHumanString()}); it polls every POLL_INTERVAL (${config.pollInterval} s), start to start`,
      schedule: Schedule.rate(POLLER_SCHEDULE),
      targets: [new LambdaFunction(this.poller.fn, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
    });

    this.httpApi = new ScaleliteHttpApi(this, 'HttpApi', { handler: this.api.fn, domain: config.domain, logRetentionDays: config.logRetentionDays });

    new ScaleliteAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      apiFunction: this.api.fn,
      poller: this.poller.fn,
      pollerTimeout: POLLER_TIMEOUT,
      pollerSchedule: POLLER_SCHEDULE,
      alarmTopicArn: config.alarmTopicArn,
    });

    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.api.apiEndpoint, description: 'The own endpoint of the HTTP API' });
    if (config.domain) {
      new CfnOutput(this, 'BbbApiUrl', { value: `https://${config.domain.name}/bigbluebutton/api`, description: 'What front-ends use as the BBB server URL' });
      const [apex, wildcard] = this.httpApi.domainNames;
      new CfnOutput(this, 'DnsTargetApex', { value: apex.regionalDomainName, description: `${config.domain.name}: alias/CNAME target (when DNS is not in Route 53)` });
      new CfnOutput(this, 'DnsTargetWildcard', { value: wildcard.regionalDomainName, description: `*.${config.domain.name}: alias/CNAME target` });
    } else {
      new CfnOutput(this, 'BbbApiUrl', { value: `${this.httpApi.api.apiEndpoint}/bigbluebutton/api`, description: 'What front-ends use as the BBB server URL' });
    }
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DYNAMODB_TABLE for slctl' });

    acknowledgeFindings(this);
  }
}
