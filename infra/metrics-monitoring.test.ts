/**
 * The metrics dashboard and the alarms on the functions' own metrics (infra/metrics-monitoring.ts), in the
 * synthesized template (without bundling: the code is no part of it). cfn-lint sees them in the full synths
 * of scalelite-stack.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, type MetricName } from '../shared/app/metrics.js';
import { BBB_FAILURE_MIN_CALLS, BBB_FAILURE_PERCENT, POLL_CYCLE_SHARE, TOP_N } from './metrics-monitoring.js';
import { templateWithoutBundling } from './synth-for-test.js';

const TOPIC_ARN = 'arn:aws:sns:eu-central-1:123456789012:scalelite-ops';
type Template = ReturnType<typeof templateWithoutBundling>['template'];
type Resource = { Type: string; Properties: Record<string, any> };

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][]; annotations?: { horizontal?: { value: number; label: string }[] } };
}

/** The dashboard's body as CloudWatch gets it (the region reference resolved). */
function dashboardOf(template: Template): { name: unknown; widgets: Widget[]; text: string } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  expect(dashboards).toHaveLength(1);
  const { DashboardBody, DashboardName } = dashboards[0].Properties;
  const parts = DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Region"}' ? 'eu-central-1' : 'UNRESOLVED')).join('');
  expect(text).not.toContain('UNRESOLVED');
  return { name: DashboardName, widgets: (JSON.parse(text) as { widgets: Widget[] }).widgets, text };
}

const metricAlarms = (template: Template) =>
  Object.fromEntries(
    Object.entries(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)
      .filter(([id]) => id.startsWith('Metrics'))
      .map(([id, a]) => [id.replace(/^Metrics/, '').replace(/[0-9A-F]{8}$/, ''), a.Properties]),
  );

/** The metric an alarm reads (its one MetricStat). */
const statOf = (alarm: Record<string, any>) => (alarm.Metrics as { MetricStat?: Record<string, any> }[]).find((m) => m.MetricStat)!.MetricStat!;

let full: Template;
let lean: Template;
let apiOnly: Template;
beforeAll(() => {
  full = templateWithoutBundling({ pollInterval: '10', alarmTopicArn: TOPIC_ARN, multitenancy: 'false' }).template;
  lean = templateWithoutBundling({ 'env.METRICS_PER_SERVER': 'false', 'env.METRICS_PER_TENANT': 'false', 'env.METRICS_NAMESPACE': 'Scalelite/prod' }).template;
  apiOnly = templateWithoutBundling({ recordings: 'false' }).template;
}, 180_000);

describe('the metrics dashboard', () => {
  it('one dashboard per stack and region, graphing every metric of the catalog', () => {
    const { name, text, widgets } = dashboardOf(full);
    expect(name).toEqual({ 'Fn::Join': ['', ['Scalelite-', { Ref: 'AWS::Region' }]] });
    const missing = (Object.keys(METRIC) as MetricName[]).filter((n) => !text.includes(`MetricName=\\"${n}\\"`) && !text.includes(`"${n}"`) && !text.includes(`(${n})`));
    expect(missing).toEqual([]);
    expect(widgets.map((w) => w.properties.title).filter(Boolean)).toEqual([
      'BBB API requests by call and outcome',
      'BBB API errors by call (outcome other than success)',
      'BBB API latency by call, p50 and p99 (ms)',
      'Calls to BBB servers by outcome',
      'BBB call latency by call, p50 and p99 (ms)',
      'BBB call failures by call (failed, timeout, error)',
      'Servers',
      'Poll cycle duration (ms)',
      'Servers skipped and failed per period',
      `Participants per server (top ${TOP_N})`,
      `Load per server (top ${TOP_N})`,
      `Meetings per server (top ${TOP_N})`,
      `Meetings per tenant (top ${TOP_N})`,
      `Participants per tenant (top ${TOP_N})`,
      `Meetings placed per server (top ${TOP_N})`,
      'Recording imports per hour',
      'Recording retention per day',
    ]);
  });

  it('per-dimension graphs are SEARCH expressions or Metrics Insights queries (top N), labelled by their dimension values', () => {
    const { widgets } = dashboardOf(full);
    const expressions = (title: string) =>
      widgets.find((w) => w.properties.title === title)!.properties.metrics!.map((m) => m.find((x): x is { expression: string; label: string } => typeof x === 'object' && x !== null && 'expression' in x)!);
    expect(expressions('BBB call failures by call (failed, timeout, error)')).toEqual([
      { expression: `SEARCH('{"Scalelite",service,call,outcome} MetricName="BbbCalls" NOT outcome="ok"', 'Sum', 300)`, label: "${PROP('Dim.call')} ${PROP('Dim.outcome')}" },
    ]);
    expect(expressions('BBB call latency by call, p50 and p99 (ms)')).toEqual([
      { expression: `SEARCH('{"Scalelite",service,call} MetricName="BbbCallLatency"', 'p50', 300)`, label: "${PROP('Dim.call')} p50" },
      { expression: `SEARCH('{"Scalelite",service,call} MetricName="BbbCallLatency"', 'p99', 300)`, label: "${PROP('Dim.call')} p99" },
    ]);
    expect(expressions(`Participants per server (top ${TOP_N})`)).toEqual([
      {
        expression: `SELECT MAX(ServerParticipants) FROM SCHEMA("Scalelite", service, server) WHERE service = 'poller' GROUP BY server ORDER BY MAX() DESC LIMIT ${TOP_N}`,
        label: "${PROP('Dim.server')}",
      },
    ]);
    expect(expressions(`Meetings per tenant (top ${TOP_N})`)[0].expression).toContain('FROM SCHEMA("Scalelite", service, tenant)');
  });

  it('marks POLL_INTERVAL on the poll cycle graph and reads the poller’s metrics at its period', () => {
    const { widgets } = dashboardOf(full);
    const cycle = widgets.find((w) => w.properties.title === 'Poll cycle duration (ms)')!;
    expect(cycle.properties.annotations?.horizontal).toEqual([{ value: 10_000, label: 'POLL_INTERVAL 10 s', yAxis: 'left' }]);
    expect(JSON.stringify(cycle.properties.metrics)).toContain('"PollCycleDuration","service","poller"');
  });

  it('METRICS_PER_SERVER=false / METRICS_PER_TENANT=false leave their graphs out; METRICS_NAMESPACE is read everywhere', () => {
    const { text, widgets } = dashboardOf(lean);
    const titles = widgets.map((w) => w.properties.title ?? '');
    expect(titles.filter((t) => / per (server|tenant) \(top/.test(t))).toEqual([`Meetings placed per server (top ${TOP_N})`]);
    expect(text).not.toContain('"Scalelite"');
    expect(text).toContain('Scalelite/prod');
    for (const alarm of Object.values(metricAlarms(lean))) {
      for (const m of alarm.Metrics as { MetricStat?: { Metric: { Namespace: string } } }[]) if (m.MetricStat) expect(m.MetricStat.Metric.Namespace).toBe('Scalelite/prod');
    }
    // every function emits into that namespace
    const functions = Object.entries(lean.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter(([id]) => /^(Api|Poller|Importer|Admin)Function/.test(id));
    expect(functions).toHaveLength(4);
    for (const [id, f] of functions) expect(f.Properties.Environment.Variables.METRICS_NAMESPACE, id).toBe('Scalelite/prod');
  });

  it('without recordings: no recording graphs', () => {
    const titles = dashboardOf(apiOnly).widgets.map((w) => w.properties.title ?? '');
    expect(titles.filter((t) => t.startsWith('Recording'))).toEqual([]);
  });
});

describe('the alarms on the functions’ metrics', () => {
  it('servers offline, poll cycles near the interval, skipped servers, failing BBB calls, failed purges — notifying the topic', () => {
    const alarms = metricAlarms(full);
    expect(Object.keys(alarms).sort()).toEqual(['BbbCallFailureRate', 'PollCycleNearInterval', 'PollSkippedServers', 'RecordingsPurgeFailed', 'ServersOffline']);
    expect(alarms.ServersOffline).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 4, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(statOf(alarms.ServersOffline)).toEqual({ Metric: { Namespace: 'Scalelite', MetricName: 'ServersOffline', Dimensions: [{ Name: 'service', Value: 'poller' }] }, Period: 60, Stat: 'Minimum' });
    expect(alarms.PollCycleNearInterval).toMatchObject({ Threshold: 10_000 * POLL_CYCLE_SHARE, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(statOf(alarms.PollCycleNearInterval)).toMatchObject({ Metric: { MetricName: 'PollCycleDuration' }, Stat: 'Maximum' });
    expect(alarms.PollSkippedServers).toMatchObject({ Threshold: 1, EvaluationPeriods: 4, DatapointsToAlarm: 3 });
    expect(alarms.RecordingsPurgeFailed).toMatchObject({ Threshold: 1 });
    expect(statOf(alarms.RecordingsPurgeFailed)).toMatchObject({ Metric: { MetricName: 'RecordingsPurgeFailed', Dimensions: [{ Name: 'service', Value: 'importer' }] }, Period: 86_400, Stat: 'Sum' });
    for (const a of Object.values(alarms)) {
      expect(a.AlarmActions).toEqual([TOPIC_ARN]);
      expect(a.OKActions).toEqual([TOPIC_ARN]);
    }
  });

  it('the BBB call failure rate reads the API’s BbbCalls by outcome (the rollup), timeouts and errors over all calls, with a floor of calls', () => {
    const rate = metricAlarms(full).BbbCallFailureRate;
    expect(rate.Threshold).toBe(BBB_FAILURE_PERCENT);
    const metrics = rate.Metrics as { Id: string; Expression?: string; MetricStat?: Record<string, any>; ReturnData: boolean }[];
    expect(metrics.filter((m) => m.ReturnData).map((m) => m.Expression)).toEqual([
      `IF((FILL(nok, 0) + FILL(nfailed, 0) + FILL(ntimeout, 0) + FILL(nerror, 0)) >= ${BBB_FAILURE_MIN_CALLS}, 100 * (FILL(ntimeout, 0) + FILL(nerror, 0)) / (FILL(nok, 0) + FILL(nfailed, 0) + FILL(ntimeout, 0) + FILL(nerror, 0)), 0)`,
    ]);
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric.Dimensions]));
    expect(byId).toEqual({
      nok: [{ Name: 'outcome', Value: 'ok' }, { Name: 'service', Value: 'api' }],
      nfailed: [{ Name: 'outcome', Value: 'failed' }, { Name: 'service', Value: 'api' }],
      ntimeout: [{ Name: 'outcome', Value: 'timeout' }, { Name: 'service', Value: 'api' }],
      nerror: [{ Name: 'outcome', Value: 'error' }, { Name: 'service', Value: 'api' }],
    });
  });

  it('none is in ALARM on a fresh deployment (missing data is not breaching); the API-only set-up has no purge alarm; no topic, no actions', () => {
    for (const t of [full, lean, apiOnly]) for (const a of Object.values(metricAlarms(t))) expect(a.TreatMissingData).toBe('notBreaching');
    expect(Object.keys(metricAlarms(apiOnly))).not.toContain('RecordingsPurgeFailed');
    for (const a of Object.values(metricAlarms(lean))) expect(a.AlarmActions).toBeUndefined();
  });

  it('a POLL_INTERVAL over a minute: the poller’s alarms read whole multiples of it', () => {
    const alarms = metricAlarms(templateWithoutBundling({ pollInterval: '150', recordings: 'false' }).template);
    expect(statOf(alarms.ServersOffline).Period).toBe(180);
    expect(alarms.ServersOffline).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(alarms.PollCycleNearInterval.Threshold).toBe(150_000 * POLL_CYCLE_SHARE);
  }, 60_000);
});
