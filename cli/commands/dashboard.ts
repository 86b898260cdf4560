import type { Argv, CommandModule } from 'yargs';
import { CliError, describeFailure } from '../cli-error.js';
import { say, warn } from '../stdio.js';
import type { TargetFlags } from '../target.js';

type DashboardArgs = TargetFlags & { port: number; refresh: number; open: boolean };

/**
 * `slctl dashboard`: a live page of the cluster on this machine (127.0.0.1 only): the servers with load
 * bars, state, status, meetings, users, version and tag; meetings and participants per tenant; the last
 * poll cycles. It reads the same target as every other task — the table, or the admin function with
 * `--via lambda` — and serves a page that refreshes itself every `--refresh` seconds, until Ctrl-C.
 *
 * Registered as a targetless task (cli/task-names.ts): it always runs here (a web server is no task for
 * the admin function), and picks its data source from the target itself (cli/dashboard/dashboard-source.ts).
 */
export const dashboardCommand: CommandModule<object, DashboardArgs> = {
  command: 'dashboard',
  describe: 'Serve a live page of the cluster (servers, tenants, poll cycles) on 127.0.0.1 and open it in a browser',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, describe: 'Port on 127.0.0.1 (0: any free port)' })
      .option('refresh', { type: 'number', default: 5, describe: 'Seconds between refreshes of the page' })
      .option('open', { type: 'boolean', default: true, describe: 'Open the page in a browser (--no-open: only print its URL)' }) as Argv<DashboardArgs>,
  handler: async (argv) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new CliError(`ERROR: --port must be a port number (0 to 65535), not ${argv.port}`, 64);
    if (!Number.isFinite(argv.refresh) || argv.refresh < 1 || argv.refresh > 3600) throw new CliError(`ERROR: --refresh must be between 1 and 3600 seconds, not ${argv.refresh}`, 64);
    const { dashboardSource } = await import('../dashboard/dashboard-source.js');
    const { startDashboard } = await import('../dashboard/dashboard-server.js');
    const source = await dashboardSource(process.env, argv);
    let dashboard;
    try {
      // the first read here: a target that cannot be reached fails the task, with its exit code
      await source.read();
      dashboard = await startDashboard({
        read: () => source.read(),
        describeError: (e) => describeFailure(e).message.replace(/^ERROR: /, ''),
        port: argv.port,
        refreshSeconds: argv.refresh,
        target: source.describe,
      });
    } catch (e) {
      source.close();
      const err = e as { code?: string; syscall?: string };
      if (err.syscall === 'listen') throw new CliError(`ERROR: cannot listen on 127.0.0.1:${argv.port} (${err.code}): choose another --port, or 0 for any free one`, 1);
      throw e;
    }
    say(`slctl dashboard: ${dashboard.url}`);
    warn(`  data from ${source.describe}, refreshed every ${argv.refresh} s; Ctrl-C stops it`);
    if (argv.open) {
      const { openBrowser } = await import('../dashboard/open-browser.js');
      if (!(await openBrowser(dashboard.url))) warn('  no browser could be opened here: open the URL above yourself');
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
    source.close();
    process.exit(0);
  },
};
