import { randomBytes } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { ClusterOverview } from '../../shared/app/cluster-overview.js';
import { renderContent, renderPage, type DashboardView } from './dashboard-html.js';

/** The dashboard listens here only: a page for the operator on this machine, never a public endpoint. */
export const DASHBOARD_HOST = '127.0.0.1';

export interface DashboardOptions {
  /** reads the cluster (the direct target's store, or the admin function's `dashboard:data`) */
  read: () => Promise<ClusterOverview>;
  /** a read failure as one line */
  describeError: (e: unknown) => string;
  /** 0: any free port */
  port: number;
  refreshSeconds: number;
  /** where the data comes from, in words */
  target: string;
  clock?: () => number;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/** Reads shared by the page and its refreshes: one read in flight, and a result reused for a second (several tabs). */
function viewSource(opts: DashboardOptions) {
  const clock = opts.clock ?? Date.now;
  let view: DashboardView = { refreshedAt: clock(), refreshSeconds: opts.refreshSeconds, target: opts.target };
  let pending: Promise<DashboardView> | undefined;
  let readAt = -Infinity;
  return async (): Promise<DashboardView> => {
    if (clock() - readAt < 1000) return view;
    pending ??= (async () => {
      try {
        view = { ...view, overview: await opts.read(), error: undefined, refreshedAt: clock() };
      } catch (e) {
        view = { ...view, error: opts.describeError(e), refreshedAt: clock() };
      }
      readAt = clock();
      return view;
    })().finally(() => (pending = undefined));
    return pending;
  };
}

/**
 * The dashboard's HTTP app: `/` the page, `/data.json` its content part (and the overview) for the
 * page's refresh. Only requests addressed to the loopback name it listens on are answered (a web page
 * elsewhere cannot read it through a DNS name rebound to 127.0.0.1), with a Content-Security-Policy that
 * allows the page's own script and style only.
 */
export function dashboardApp(opts: DashboardOptions, port: () => number): Hono {
  const current = viewSource(opts);
  const app = new Hono();
  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    const p = port();
    if (![`${DASHBOARD_HOST}:${p}`, `localhost:${p}`].includes(host.toLowerCase())) return c.text('Misdirected Request: open the dashboard by the URL slctl printed\n', 421);
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
  });
  app.get('/', async (c) => {
    const nonce = randomBytes(16).toString('base64');
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    return c.html(renderPage(await current(), nonce));
  });
  app.get('/data.json', async (c) => {
    const v = await current();
    return c.json({ refreshedAt: v.refreshedAt, error: v.error ?? null, html: renderContent(v), overview: v.overview ?? null });
  });
  app.notFound((c) => c.text('Not Found\n', 404));
  return app;
}

/** Starts the dashboard on DASHBOARD_HOST; resolves once it listens. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  let port = 0;
  const app = dashboardApp(opts, () => port);
  const server = await new Promise<HttpServer>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: DASHBOARD_HOST }, () => resolve(s as HttpServer)) as HttpServer;
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
