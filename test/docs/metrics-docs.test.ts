import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emfDimensions, unitOf } from '../../functions/emf-layout.js';
import { METRIC, type MetricName } from '../../shared/app/metrics.js';

const read = (file: string) => readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');

describe('docs/OPERATIONS.md "Metrics (CloudWatch)"', () => {
  const section = read('OPERATIONS.md').split('## Metrics (CloudWatch)')[1]?.split('\n## ')[0] ?? '';
  /** The catalog table's rows: metric → [kind, unit, dimensions]. */
  const rows = new Map(
    section
      .split('\n')
      .map((line) => /^\| `(\w+)` \| (\w+) \| (\w+) \| ([^|]*) \|/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], [m[2], m[3], [...m[4].split('(also')[0].matchAll(/`(\w+)`/g)].map((d) => d[1])]] as const),
  );

  it('lists every metric of the catalog, with its kind, unit and dimensions, and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(METRIC).sort());
    for (const name of Object.keys(METRIC) as MetricName[]) {
      expect(rows.get(name), name).toEqual([METRIC[name].kind, unitOf(name), emfDimensions(name).slice(1)]);
    }
  });
});

describe('docs/DEPLOY.md "Metrics, dashboard and alarms"', () => {
  it('names each alarm the stack builds on the metrics', () => {
    const section = read('DEPLOY.md').split('## Metrics, dashboard and alarms')[1] ?? '';
    for (const alarm of ['ServersOffline', 'PollCycleNearInterval', 'PollSkippedServers', 'BbbCallFailureRate', 'RecordingsPurgeFailed']) expect(section).toContain(`| \`${alarm}\` |`);
  });
});
