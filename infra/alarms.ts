import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IAlarmAction, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ScaleliteAlarmsProps {
  api: HttpApi;
  apiFunction: IFunction;
  poller: IFunction;
  pollerTimeout: Duration;
  /** Time between scheduled poller runs. */
  pollerSchedule: Duration;
  /** the recording importer (none with -c recordings=false) */
  importer?: {
    fn: IFunction;
    timeout: Duration;
    /** its on-failure destination */
    failures: IQueue;
  };
  alarmTopicArn?: string;
}

const FIVE_MINUTES = Duration.minutes(5);
/** PollerThrottles: throttled in this many one-minute periods out of the last `minutes`. */
export const POLLER_THROTTLE_ALARM = { datapoints: 5, minutes: 10 } as const;

/**
 * What an operator must hear about. BBB API failures answer HTTP 200 with XML by design, so an HTTP
 * 5xx means the function itself failed (crash, timeout, throttle). The poller keeps the pool's health
 * and load current: its errors, a run close to its timeout, throttling, or no run at all. The importer
 * must never lose a recording: a failed attempt (retried by Lambda), an import close to its 15 minutes,
 * and — what needs an operator — an upload whose import failed for good (a message in the dead-letter queue).
 * Without recordings (-c recordings=false) there is no importer and none of its alarms.
 */
export class ScaleliteAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ScaleliteAlarmsProps) {
    super(scope, id);
    const action: IAlarmAction | undefined = props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn)) : undefined;
    type Options = { below?: boolean; missing?: TreatMissingData; periods?: number; datapoints?: number; notifyInsufficientData?: boolean };
    const alarm = (alarmId: string, description: string, metric: Metric, threshold: number, opts: Options = {}) => {
      const a = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: opts.periods ?? 1,
        datapointsToAlarm: opts.datapoints,
        comparisonOperator: opts.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // these metrics have data only when something happens (an error, a throttle, a message): no data is good news
        treatMissingData: opts.missing ?? TreatMissingData.NOT_BREACHING,
      });
      if (action) {
        a.addAlarmAction(action);
        a.addOkAction(action);
        if (opts.notifyInsufficientData) a.addInsufficientDataAction(action);
      }
      this.alarms.push(a);
      return a;
    };

    alarm('ApiServerErrors', 'HTTP 5xx from the BBB API endpoint: the API function crashed, timed out or was throttled.', props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
    alarm('ApiThrottles', 'The API function was throttled (account or reserved concurrency exhausted).', props.apiFunction.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
    alarm('PollerErrors', 'The poller failed (an error or its timeout): server health and load go stale.', props.poller.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 1);
    const nearTimeout = Math.round(props.pollerTimeout.toSeconds() * 0.95) * 1000;
    alarm(
      'PollerDuration',
      `A poller run took over ${Math.round(nearTimeout / 1000)} s of its ${props.pollerTimeout.toSeconds()} s timeout: poll cycles are too slow for the pool (timeouts, unreachable servers).`,
      props.poller.metricDuration({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      nearTimeout,
    );
    // A run that starts while the previous one is still finishing (a late schedule, a cold start) can be
    // throttled by the poller's reserved concurrency; Lambda retries it from its async queue, nothing is
    // lost. Only throttling minute after minute means the poller cannot run.
    alarm(
      'PollerThrottles',
      `The poller was throttled in ${POLLER_THROTTLE_ALARM.datapoints} of the last ${POLLER_THROTTLE_ALARM.minutes} minutes: poll cycles are being skipped (account concurrency exhausted, or its reserved concurrency too small). A single throttle of an overlapping run is retried and harmless.`,
      props.poller.metricThrottles({ period: Duration.minutes(1), statistic: 'Sum' }),
      1,
      { periods: POLLER_THROTTLE_ALARM.minutes, datapoints: POLLER_THROTTLE_ALARM.datapoints },
    );
    const window = Duration.minutes(Math.max(10, 2 * props.pollerSchedule.toMinutes()));
    // "Not running" is the absence of data, so it cannot treat missing data as breaching without going to
    // ALARM on every fresh deployment (no run yet). It treats it as missing: a stopped poller takes the
    // alarm to INSUFFICIENT_DATA, which notifies the topic like ALARM does; a new alarm starts there
    // without a notification and turns OK with the first run.
    alarm(
      'PollerNotRunning',
      `The poller did not run for ${window.toMinutes()} minutes (schedule disabled or broken): server health and load go stale. This alarm reports it as INSUFFICIENT_DATA (no invocations at all), notified like ALARM.`,
      props.poller.metricInvocations({ period: window, statistic: 'Sum' }),
      1,
      { below: true, missing: TreatMissingData.MISSING, notifyInsufficientData: true },
    );

    const importer = props.importer;
    if (!importer) return;
    alarm(
      'ImporterErrors',
      'A recording import (or the daily retention job) failed (Lambda retries it; an upload stays in the bucket). A failure after the retries also raises ImportFailures.',
      importer.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      1,
    );
    const importNearTimeout = Math.round(importer.timeout.toSeconds() * 0.9) * 1000;
    alarm(
      'ImporterDuration',
      `An import took over ${Math.round(importNearTimeout / 1000)} s of its ${importer.timeout.toSeconds()} s timeout: a bigger tar will not fit (import it with slctl recordings:import, docs/DEPLOY.md).`,
      importer.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      importNearTimeout,
    );
    alarm(
      'ImportFailures',
      'Recording uploads whose import failed after all retries wait in the ImportFailures queue: re-import them (docs/DEPLOY.md "Recordings"), then delete the messages. The alarm stays on while a message is there.',
      importer.failures.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
    );
  }
}
