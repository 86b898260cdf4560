import { Duration } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { RETENTION_JOB, type RetentionJobEvent } from '../shared/app/recording-retention.js';

/** Once a day, at a quiet hour (UTC): recordings expire by the day (RECORDING_RETENTION_DAYS). */
export const RETENTION_SCHEDULE = Schedule.cron({ minute: '17', hour: '3' });
/** The event the rule sends to the importer. */
export const RETENTION_EVENT: RetentionJobEvent = { job: RETENTION_JOB };

/**
 * The recording retention job: a daily EventBridge rule invoking the importer with RETENTION_EVENT
 * (the importer deletes expired recordings: RECORDING_RETENTION_DAYS, a tenant's
 * `lb_recording_retention_days`). EventBridge does not retry a failed delivery: the next day's run
 * deletes what this one left.
 */
export function scheduleRetention(scope: Construct, importer: IFunction): Rule {
  return new Rule(scope, 'RecordingRetentionSchedule', {
    description: 'Runs the recording retention job in the importer once a day (RECORDING_RETENTION_DAYS; 0 keeps recordings)',
    schedule: RETENTION_SCHEDULE,
    targets: [new LambdaFunction(importer, { event: RuleTargetInput.fromObject(RETENTION_EVENT), retryAttempts: 0, maxEventAge: Duration.hours(1) })],
  });
}
