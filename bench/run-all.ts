/**
 * Runs every benchmark in sequence: DynamoDB round trips per request, consumed capacity with big
 * meetings, throughput (autocannon), placement spread, the poller cycle and slctl's start-up. Prints their figures;
 * asserts nothing about time. About 5–6 minutes with the defaults on 2 cores (BENCH_SECONDS=10 per throughput scenario; SPREAD_RUNS=5).
 *
 * Run: npm run bench   (or: npx tsx bench/run-all.ts)
 */
import { cpus, loadavg } from 'node:os';
import { main as cliStartup } from './cli-startup.js';
import { main as meetingCapacity } from './meeting-capacity.js';
import { main as placementSpread } from './placement-spread.js';
import { main as pollerCycle } from './poller-cycle.js';
import { main as roundTrips } from './round-trips.js';
import { main as throughput } from './throughput.js';

const LIMIT_MS = 8 * 60_000;

const guard = setTimeout(() => {
  console.error(`bench: still running after ${LIMIT_MS / 60_000} minutes, aborting`);
  process.exit(1);
}, LIMIT_MS);
guard.unref();

console.log(`# Benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.versions.node}, ${process.platform}/${process.arch}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

const started = performance.now();
for (const [name, run] of [
  ['round-trips', roundTrips],
  ['meeting-capacity', meetingCapacity],
  ['throughput', throughput],
  ['placement-spread', placementSpread],
  ['poller-cycle', () => pollerCycle({ concurrencies: [200] })],
  ['cli-startup', cliStartup],
] as const) {
  const t0 = performance.now();
  await run();
  console.log(`\n(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
console.log(`all benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s`);
clearTimeout(guard);
