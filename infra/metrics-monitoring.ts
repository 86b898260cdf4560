import { Aws, Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  SearchExpression,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { emfDimensions, METRIC_SERVICE } from '../functions/emf-layout.js';
import type { MetricName } from '../shared/app/metrics.js';
import { ENV } from '../shared/config/env-names.js';
import { parseConfig } from '../shared/config/parse-config.js';
import { lambdaSettings, type ScaleliteConfig } from './config.js';

/**
 * The operator's view of the metrics the functions emit (CloudWatch EMF, namespace METRICS_NAMESPACE;
 * functions/emf-layout.ts): one dashboard, and the alarms built on those metrics. Every alarm treats
 * missing data as not breaching — these metrics have data only once the system runs — so a fresh
 * deployment starts OK, like the other alarms (alarms.ts).
 */
export interface MetricsMonitoringProps {
  /** METRICS_NAMESPACE as the functions get it */
  namespace: string;
  /** POLL_INTERVAL, seconds */
  pollInterval: number;
  /** METRICS_PER_SERVER / METRICS_PER_TENANT as the functions get them: without them, no such widgets */
  perServer: boolean;
  perTenant: boolean;
  /** the importer and the retention job exist (-c recordings=true) */
  recordings: boolean;
  /** the dashboard's name; account-wide, so the stack's name and region */
  dashboardName: string;
  alarmTopicArn?: string;
}

/** Top entries shown by the per-server and per-tenant widgets (Metrics Insights: any number of servers). */
export const TOP_N = 20;
/** ServersOffline: an alarm when a server is offline (and not disabled) for this long. */
export const SERVERS_OFFLINE_MINUTES = 5;
/** PollCycleDuration: an alarm when cycles take this share of POLL_INTERVAL (the next would start late). */
export const POLL_CYCLE_SHARE = 0.8;
/** BbbCallFailureRate: timeouts and errors among the API's calls to BBB servers, per cent, with at least MIN_CALLS calls. */
export const BBB_FAILURE_PERCENT = 10;
export const BBB_FAILURE_MIN_CALLS = 10;

/** A CloudWatch dynamic label: the series' values of these dimensions. */
const dynamicLabel = (dims: string[]) => dims.map((d) => `\${PROP('Dim.${d}')}`).join(' ');
/** The series' `call` dimension, then `what`. */
const CALL_LABEL = (what: string) => `${dynamicLabel(['call'])} ${what}`;
const FIVE_MINUTES = Duration.minutes(5);

export class MetricsMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly ns: string;

  constructor(scope: Construct, id: string, props: MetricsMonitoringProps) {
    super(scope, id);
    this.ns = props.namespace;
    /** The poller's own period: a minute, or POLL_INTERVAL rounded up to whole minutes when longer. */
    const pollPeriod = Duration.minutes(Math.max(1, Math.ceil(props.pollInterval / 60)));
    this.dashboard = this.createDashboard(props, pollPeriod);
    this.createAlarms(props, pollPeriod);
  }

  /** A catalog metric of one service; `dims` the catalog's other dimensions. */
  metric(name: MetricName, service: string, statistic: string, period: Duration, dims: Record<string, string> = {}, label?: string): Metric {
    return new Metric({ namespace: this.ns, metricName: name, dimensionsMap: { service, ...dims }, statistic, period, label: label ?? name });
  }

  /** Every metric of `name` with these dimensions (a SEARCH expression: one line per dimension value), optionally filtered. */
  search(name: MetricName, dims: string[], statistic: string, period: Duration, filter = '', label?: string): SearchExpression {
    const schema = [`"${this.ns}"`, ...dims].join(',');
    return new SearchExpression({
      expression: `SEARCH('{${schema}} MetricName="${name}"${filter ? ` ${filter}` : ''}', '${statistic}', ${period.toSeconds()})`,
      period,
      // each series by its own dimension values (a dynamic label), not by the expression
      label: label ?? dynamicLabel(dims.filter((d) => d !== 'service')),
    });
  }

  /** The TOP_N dimension values of `name` by `fn` (a Metrics Insights query). */
  top(name: MetricName, by: string, fn: 'MAX' | 'SUM', service: string, period: Duration): MathExpression {
    const query = `SELECT ${fn}(${name}) FROM SCHEMA("${this.ns}", ${emfDimensions(name).join(', ')}) WHERE service = '${service}' GROUP BY ${by} ORDER BY ${fn}() DESC LIMIT ${TOP_N}`;
    return new MathExpression({ expression: query, period, label: dynamicLabel([by]) });
  }

  private createDashboard(props: MetricsMonitoringProps, pollPeriod: Duration): Dashboard {
    const { api, poller, importer } = METRIC_SERVICE;
    const graph = (title: string, left: IMetric[], opts: { right?: IMetric[]; width?: number; leftLabel?: string; annotation?: { value: number; label: string } } = {}) =>
      new GraphWidget({
        title,
        left,
        right: opts.right,
        width: opts.width ?? 8,
        height: 6,
        leftYAxis: { min: 0, label: opts.leftLabel, showUnits: false },
        leftAnnotations: opts.annotation ? [{ value: opts.annotation.value, label: opts.annotation.label }] : undefined,
      });
    const pollMs = props.pollInterval * 1000;
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `## Scalelite\nMetrics of the functions (namespace \`${this.ns}\`, docs/OPERATIONS.md "Metrics"). Per-server and per-tenant graphs show the top ${TOP_N}.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph('BBB API requests by call and outcome', [this.search('Requests', ['service', 'call', 'outcome'], 'Sum', FIVE_MINUTES, `service="${api}"`)]),
      graph('BBB API errors by call (outcome other than success)', [this.search('Requests', ['service', 'call', 'outcome'], 'Sum', FIVE_MINUTES, `service="${api}" NOT outcome="success"`)]),
      graph('BBB API latency by call, p50 and p99 (ms)', [
        this.search('RequestLatency', ['service', 'call'], 'p50', FIVE_MINUTES, `service="${api}"`, CALL_LABEL('p50')),
        this.search('RequestLatency', ['service', 'call'], 'p99', FIVE_MINUTES, `service="${api}"`, CALL_LABEL('p99')),
      ]),
    );
    dashboard.addWidgets(
      graph('Calls to BBB servers by outcome', [this.search('BbbCalls', ['service', 'outcome'], 'Sum', FIVE_MINUTES)]),
      graph('BBB call latency by call, p50 and p99 (ms)', [
        this.search('BbbCallLatency', ['service', 'call'], 'p50', FIVE_MINUTES, '', CALL_LABEL('p50')),
        this.search('BbbCallLatency', ['service', 'call'], 'p99', FIVE_MINUTES, '', CALL_LABEL('p99')),
      ]),
      graph('BBB call failures by call (failed, timeout, error)', [this.search('BbbCalls', ['service', 'call', 'outcome'], 'Sum', FIVE_MINUTES, 'NOT outcome="ok"')]),
    );
    dashboard.addWidgets(
      graph('Servers', [
        this.metric('ServersOnline', poller, 'Maximum', pollPeriod, {}, 'online'),
        this.metric('ServersOffline', poller, 'Maximum', pollPeriod, {}, 'offline'),
        this.metric('ServersCordoned', poller, 'Maximum', pollPeriod, {}, 'cordoned'),
        this.metric('ServersDisabled', poller, 'Maximum', pollPeriod, {}, 'disabled'),
      ]),
      graph(
        'Poll cycle duration (ms)',
        [this.metric('PollCycleDuration', poller, 'Maximum', pollPeriod, {}, 'max'), this.metric('PollCycleDuration', poller, 'p50', pollPeriod, {}, 'p50')],
        { annotation: { value: pollMs, label: `POLL_INTERVAL ${props.pollInterval} s` } },
      ),
      graph('Servers skipped and failed per period', [
        this.metric('PollSkippedServers', poller, 'Sum', pollPeriod, {}, 'skipped (deadline)'),
        this.metric('PollFailedServers', poller, 'Sum', pollPeriod, {}, 'failed getMeetings'),
      ]),
    );
    if (props.perServer) {
      dashboard.addWidgets(
        graph(`Participants per server (top ${TOP_N})`, [this.top('ServerParticipants', 'server', 'MAX', poller, FIVE_MINUTES)]),
        graph(`Load per server (top ${TOP_N})`, [this.top('ServerLoad', 'server', 'MAX', poller, FIVE_MINUTES)]),
        graph(`Meetings per server (top ${TOP_N})`, [this.top('ServerMeetings', 'server', 'MAX', poller, FIVE_MINUTES)]),
      );
    }
    dashboard.addWidgets(
      ...(props.perTenant
        ? [
            graph(`Meetings per tenant (top ${TOP_N})`, [this.top('TenantMeetings', 'tenant', 'MAX', poller, FIVE_MINUTES)]),
            graph(`Participants per tenant (top ${TOP_N})`, [this.top('TenantParticipants', 'tenant', 'MAX', poller, FIVE_MINUTES)]),
          ]
        : []),
      graph(`Meetings placed per server (top ${TOP_N})`, [this.top('Placements', 'server', 'SUM', api, FIVE_MINUTES)]),
    );
    if (props.recordings) {
      const hour = Duration.hours(1);
      const day = Duration.days(1);
      dashboard.addWidgets(
        graph('Recording imports per hour', [
          this.metric('RecordingsImported', importer, 'Sum', hour, {}, 'imported'),
          this.metric('RecordingImportFailures', importer, 'Sum', hour, {}, 'failed attempts'),
        ]),
        graph('Recording retention per day', [
          this.metric('RecordingsExpired', importer, 'Sum', day, {}, 'expired'),
          this.metric('RecordingsPurged', importer, 'Sum', day, {}, 'purged'),
          this.metric('RecordingsPurgeFailed', importer, 'Sum', day, {}, 'purge failed'),
        ]),
      );
    }
    return dashboard;
  }

  private createAlarms(props: MetricsMonitoringProps, pollPeriod: Duration): void {
    const { api, poller, importer } = METRIC_SERVICE;
    const action: IAlarmAction | undefined = props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn)) : undefined;
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, periods: number, datapoints = periods) => {
      const a = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        datapointsToAlarm: datapoints,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // data only once the system runs (and, for most, only when something happens): no data is good news
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (action) {
        a.addAlarmAction(action);
        a.addOkAction(action);
      }
      this.alarms.push(a);
      return a;
    };
    /** Periods of the poller's period covering `minutes`. */
    const pollPeriods = (minutes: number) => Math.max(1, Math.ceil((minutes * 60) / pollPeriod.toSeconds()));

    const offlinePeriods = pollPeriods(SERVERS_OFFLINE_MINUTES);
    alarm(
      'ServersOffline',
      `A BBB server (enabled or cordoned) has been offline for about ${offlinePeriods * pollPeriod.toMinutes()} minutes: its meetings are re-placed, new ones avoid it. Check it (slctl status shows why its polls fail), or disable it.`,
      this.metric('ServersOffline', poller, 'Minimum', pollPeriod),
      1,
      offlinePeriods,
      // a period may lack its value (the poller writes its metrics when its run ends, near a minute's edge)
      offlinePeriods > 2 ? offlinePeriods - 1 : offlinePeriods,
    );
    const nearInterval = Math.round(props.pollInterval * 1000 * POLL_CYCLE_SHARE);
    alarm(
      'PollCycleNearInterval',
      `Poll cycles took over ${nearInterval} ms (${POLL_CYCLE_SHARE * 100} % of POLL_INTERVAL ${props.pollInterval} s) in 3 of the last 5 periods: the pool outgrows the poller (raise POLLER_CONCURRENCY or POLL_INTERVAL) or servers time out.`,
      this.metric('PollCycleDuration', poller, 'Maximum', pollPeriod),
      nearInterval,
      5,
      3,
    );
    alarm(
      'PollSkippedServers',
      'Poll cycles skipped servers (their deadline came first) in 3 of the last 4 periods: those servers’ health and load go stale.',
      this.metric('PollSkippedServers', poller, 'Sum', pollPeriod),
      1,
      4,
      3,
    );
    // the API's calls only: the poller's failures are ServersOffline's business; BBB's FAILED answers
    // (notFound, …) are answers, not failures of the server
    const outcome = (o: string) => this.metric('BbbCalls', api, 'Sum', FIVE_MINUTES, { outcome: o });
    const total = 'FILL(nok, 0) + FILL(nfailed, 0) + FILL(ntimeout, 0) + FILL(nerror, 0)';
    alarm(
      'BbbCallFailureRate',
      `Over ${BBB_FAILURE_PERCENT} % of the API's calls to BBB servers timed out or failed on the way (refused, reset, not BBB) in two 5-minute periods in a row (at least ${BBB_FAILURE_MIN_CALLS} calls each): creates and joins fail for users. The dashboard shows which call; slctl status which server.`,
      new MathExpression({
        expression: `IF((${total}) >= ${BBB_FAILURE_MIN_CALLS}, 100 * (FILL(ntimeout, 0) + FILL(nerror, 0)) / (${total}), 0)`,
        usingMetrics: { nok: outcome('ok'), nfailed: outcome('failed'), ntimeout: outcome('timeout'), nerror: outcome('error') },
        period: FIVE_MINUTES,
        label: 'BBB call failure rate (%)',
      }),
      BBB_FAILURE_PERCENT,
      2,
    );
    if (props.recordings) {
      alarm(
        'RecordingsPurgeFailed',
        'The daily retention job could not delete some expired recordings (its log line `recording retention` in the importer’s log names them); the next run tries again.',
        this.metric('RecordingsPurgeFailed', importer, 'Sum', Duration.days(1)),
        1,
        1,
      );
    }
  }
}

/**
 * The props of the stack's monitoring: the metric settings the functions get (their own parse of the
 * environment, so the dashboard shows what they emit), the poll interval, the recordings switch.
 */
export function metricsMonitoringProps(config: ScaleliteConfig): MetricsMonitoringProps {
  const runtime = parseConfig(lambdaSettings(config, { tableName: ENV.DYNAMODB_TABLE.default, bucketName: ENV.S3_BUCKET_NAME.default }));
  return {
    namespace: runtime.metricsNamespace,
    pollInterval: runtime.pollInterval,
    perServer: runtime.metricsPerServer,
    perTenant: runtime.metricsPerTenant,
    recordings: config.recordings,
    // dashboards are per account, not per region
    dashboardName: `${config.stackName}-${Aws.REGION}`,
    alarmTopicArn: config.alarmTopicArn,
  };
}
