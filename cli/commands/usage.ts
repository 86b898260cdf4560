import type { Argv, CommandModule } from 'yargs';
import { AdminError } from '../../shared/app/admin-error.js';
import { usageReport, type UsageReport } from '../../shared/app/usage-report.js';
import { usageCsv, usageJson, usageTable } from '../../shared/domain/usage-report.js';
import { CliError, usageError } from '../cli-error.js';
import { print, say } from '../stdio.js';
import { cliDeps, type TargetFlags } from '../target.js';

type UsageArgs = TargetFlags & { tenant?: unknown; from?: unknown; to?: unknown; json?: boolean; csv?: boolean };

/** A flag that takes one value: given twice (yargs' array) or as a bare flag is a usage error. */
function oneValue(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw usageError(`Error: --${name} takes one value`);
  return value;
}

/**
 * `slctl usage [--tenant ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json|--csv]`: the usage ledger per
 * tenant and UTC day (docs/OPERATIONS.md "Usage ledger"): a table with a totals line, or JSON / CSV for a
 * billing system (the same rows, the JSON keys as the CSV header).
 */
export const usageCommand: CommandModule<object, UsageArgs> = {
  command: 'usage',
  describe: 'Usage per tenant and UTC day (meetings started, meeting and participant minutes, peak participants, recordings) for billing',
  builder: (y) =>
    y
      .option('tenant', { type: 'string', describe: 'Only this tenant id (`_`: meetings of no tenant)' })
      .option('from', { type: 'string', describe: 'First day, YYYY-MM-DD (default: the first of the month of --to)' })
      .option('to', { type: 'string', describe: 'Last day, YYYY-MM-DD (default: today, UTC)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print a JSON array (numbers as numbers)' })
      .option('csv', { type: 'boolean', default: false, describe: 'Print CSV (RFC 4180; header = the JSON keys)' })
      .example('$0 usage --from 2026-01-01 --to 2026-01-31 --csv > january.csv', 'a month of every tenant, for billing') as Argv<UsageArgs>,
  handler: async (argv) => {
    if (argv.json && argv.csv) throw usageError('Error: --json and --csv cannot be used together');
    const query = { tenant: oneValue('tenant', argv.tenant), from: oneValue('from', argv.from), to: oneValue('to', argv.to) };
    const deps = await cliDeps(process.env, argv);
    let report: UsageReport;
    try {
      report = await usageReport(deps, query);
    } catch (e) {
      if (!(e instanceof AdminError)) throw e;
      throw e.kind === 'invalid' ? usageError(`Error: ${e.message}`) : new CliError(`Error: ${e.message}`, 1);
    }
    if (argv.json) return print(`${usageJson(report.rows)}\n`);
    if (argv.csv) return print(usageCsv(report.rows));
    say(`Usage from ${report.from} to ${report.to} (UTC days; minutes at the poll interval's resolution)`);
    for (const line of usageTable(report.rows)) say(line);
  },
};
