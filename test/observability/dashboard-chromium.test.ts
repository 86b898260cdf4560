import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOverview } from '../../shared/app/cluster-overview.js';
import { rawRequest, startTestStack, type TestStack } from '../helpers/test-stack.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'cli/bin/slctl.js');
const ARTIFACTS = join(REPO, 'test-artifacts');

interface RunningDashboard {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Ctrl-C: resolves to the exit code (or the signal that ended it) */
  stop(): Promise<number | string | null>;
}

/** Starts the real `slctl dashboard` and waits (bounded) for the URL it prints. */
function startDashboardProcess(args: string[], env: Record<string, string>): Promise<RunningDashboard> {
  const isolation = join(tmpdir(), `slctl-dashboard-test-${process.pid}-absent`);
  const child = spawn(process.execPath, [BIN, 'dashboard', '--no-open', ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SLCTL_CONFIG: join(isolation, 'config.yml'), DATA_DIR: isolation, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slctl dashboard printed no URL within 20 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`slctl dashboard exited (${code}) before printing its URL\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      check();
    });
    child.stderr!.on('data', () => check());
    /** ready: the URL on stdout, and on stderr the line that follows it */
    const check = () => {
      const url = /^slctl dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout)?.[1];
      if (!url || !stderr.includes('Ctrl-C stops it')) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    };
  });
}

describe('slctl dashboard (headless Chromium)', () => {
  let t: TestStack;
  let browser: Browser;
  // the stack's clock moves only when told, one poll interval at a time: every poll below is a cycle of its own
  const base = Date.now();
  let offset = 0;

  beforeAll(async () => {
    t = await startTestStack({ servers: 2, clock: () => base + offset, env: { MULTITENANCY_ENABLED: 'false' } });
    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the servers of the stack and updates by itself when one goes offline', async () => {
    // a meeting of three on bbb-1 (older than LOAD_JOIN_BUFFER_TIME: its load is its participants), seen by the next cycle
    t.fakes[0].addMeeting({ meetingID: 'dash-room', createTime: Date.now() - 3_600_000 });
    for (const fullName of ['Ann', 'Bob', 'Cy']) t.fakes[0].addAttendee('dash-room', { fullName });
    offset += t.stack.config.pollInterval * 1000;
    await t.poll();
    const dash = await startDashboardProcess(['--refresh', '1'], { DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint, DYNAMODB_TABLE: t.stack.config.dynamodbTable });
    try {
      expect(dash.stderr()).toContain(`data from table ${t.stack.config.dynamodbTable} at ${t.stack.dynamoEndpoint}, refreshed every 1 s; Ctrl-C stops it`);
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      const scriptErrors: string[] = [];
      page.on('pageerror', (e) => scriptErrors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') scriptErrors.push(m.text());
      });
      await page.goto(dash.url, { waitUntil: 'load' });

      const rows = () =>
        page.$$eval('#servers tbody tr', (trs) =>
          trs.map((tr) => ({
            id: tr.querySelector('th')?.firstChild?.textContent ?? '',
            state: tr.children[1].textContent,
            status: tr.children[2].textContent,
            meter: tr.querySelector('td.load meter') !== null,
            load: tr.querySelector('td.load')?.textContent?.trim(),
          })),
        );
      expect(await rows()).toEqual([
        { id: 'bbb-1', state: 'enabled', status: 'online', meter: true, load: '3' },
        { id: 'bbb-2', state: 'enabled', status: 'online', meter: true, load: '0' },
      ]);
      expect(await page.$$eval('#servers td.load meter', (ms) => ms.map((m) => [(m as unknown as { value: number }).value, (m as unknown as { max: number }).max]))).toEqual([
        [3, 3],
        [0, 3],
      ]);
      expect(await page.$$eval('#servers tbody tr', (trs) => trs.map((tr) => [tr.children[3].textContent, tr.children[4].textContent]))).toEqual([
        ['1', '3'],
        ['0', '0'],
      ]);
      expect(await page.$$eval('#tenants tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)))).toEqual([['_', '1', '3']]);
      expect(await page.$eval('#summary', (p) => p.textContent)).toBe('2 servers: 2 online, 0 offline, 0 cordoned, 0 disabled.');
      expect(await page.$$eval('#servers thead th', (ths) => ths.map((th) => `${th.getAttribute('scope')}:${th.textContent}`))).toEqual([
        'col:Server',
        'col:State',
        'col:Status',
        'col:Meetings',
        'col:Users',
        'col:Load',
        'col:Capacity (users)',
        'col:BBB version',
        'col:Tag',
        'col:Last poll problem',
      ]);
      const cyclesBefore = await page.$$eval('#cycles tbody tr', (trs) => trs.length);
      expect(cyclesBefore).toBe(2);

      // one server fails its polls until it is offline: each poll a cycle of its own
      t.fakes[1].setDown(true);
      for (let i = 0; i < t.stack.config.serverUnhealthyThreshold; i++) {
        offset += t.stack.config.pollInterval * 1000;
        await t.poll();
      }
      expect((await t.stack.deps.store.servers.get('bbb-2'))?.online).toBe(false);

      // the page notices by itself (no reload): bounded wait for the DOM change
      await page.waitForFunction(`document.querySelector('#servers tr[data-server="bbb-2"]')?.dataset.status === 'offline'`, { timeout: 15_000, polling: 100 });
      expect(await rows()).toEqual([
        { id: 'bbb-1', state: 'enabled', status: 'online', meter: true, load: '3' },
        { id: 'bbb-2', state: 'enabled', status: 'offline', meter: false, load: 'unavailable' },
      ]);
      expect(await page.$eval('#summary', (p) => p.textContent)).toBe('2 servers: 1 online, 1 offline, 0 cordoned, 0 disabled.');
      expect(await page.$eval('#servers tr[data-server="bbb-2"] td:last-child', (td) => td.textContent)).toMatch(/^reset: /); // the fake resets every connection while down
      const cycles = await page.$$eval('#cycles tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      expect(cycles).toHaveLength(2 + t.stack.config.serverUnhealthyThreshold);
      expect(cycles[0].slice(2, 10)).toEqual(['2', '1', '1', '0', '1', '1', '1', '3']); // servers, polled, failed, skipped, online, offline, meetings, participants
      expect(cycles[0][10]).toBe('offline: bbb-2');
      expect(await page.$eval('#client-status', (p) => p.textContent)).toBe('');
      expect(scriptErrors).toEqual([]);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') as `${string}.png`, fullPage: true });
      expect(readFileSync(join(ARTIFACTS, 'dashboard.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      await page.close();
    } finally {
      t.fakes[1].setDown(false);
      expect(await dash.stop()).toBe(0);
    }
  }, 90_000);

  it('reads through the admin function with --via lambda, and answers only requests addressed to its loopback name', async () => {
    const dash = await startDashboardProcess(['--via', 'lambda', '--endpoint-url', t.url], {});
    try {
      expect(dash.stderr()).toContain(`data from admin function scalelite-admin at ${t.url}`);
      const res = await rawRequest(dash.url, '/data.json');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const data = JSON.parse(res.body) as { error: string | null; html: string; overview: ClusterOverview };
      expect(data.error).toBeNull();
      expect(data.overview.servers.map((s) => s.id)).toEqual(['bbb-1', 'bbb-2']);
      expect(data.html).toContain('<table id="servers">');

      const page = await rawRequest(dash.url, '/');
      expect(page.status).toBe(200);
      expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'/);

      const port = new URL(dash.url).port;
      const rebound = await rawRequest(dash.url, '/data.json', { headers: { Host: `attacker.example:${port}` } });
      expect(rebound.status).toBe(421);
      expect(rebound.body).not.toContain('bbb-1');
    } finally {
      expect(await dash.stop()).toBe(0);
    }
  }, 60_000);
});
