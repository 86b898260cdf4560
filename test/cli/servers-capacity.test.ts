import { describe, expect, it } from 'vitest';
import { SPAWN_TIMEOUT, listing, useSlctlFixture } from './slctl-fixture.js';

// Issue 16 item 1: a server's capacity through slctl (the real binary, on both targets).
const t = useSlctlFixture('slctl-servers-capacity');
const { slctl, seedServer } = t;
const stored = (id: string) => t.stack.deps.store.servers.get(id);

describe('servers:update --capacity', () => {
  it('sets the capacity, changes nothing else, and --capacity 0 removes it', async () => {
    await seedServer({ id: 's1', secret: 'old', loadMultiplier: 1.5, tag: 'a' });
    const ok = { code: 0, stdout: 'Updating server s1...\nOK\n', stderr: '' };
    expect(await slctl(['servers:update', 's1', '--capacity', '300'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ capacity: 300, secret: 'old', loadMultiplier: 1.5, tag: 'a' });
    // with the positionals too: both change
    expect(await slctl(['servers:update', 's1', 'new', '--capacity=250'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ capacity: 250, secret: 'new' });
    // an update without --capacity leaves it
    expect(await slctl(['servers:update', 's1', '', '2'])).toEqual(ok);
    expect(await stored('s1')).toMatchObject({ capacity: 250, loadMultiplier: 2 });
    expect(await slctl(['servers:update', 's1', '--capacity', '0'])).toEqual(ok);
    expect((await stored('s1'))?.capacity).toBeUndefined();
  }, SPAWN_TIMEOUT * 4);

  it('refuses negative, fractional and non-numeric capacities before anything is printed or changed (exit 64)', async () => {
    await seedServer({ id: 's1', capacity: 100 });
    for (const bad of ['-5', '2.5', 'abc', '']) {
      const r = await slctl(['servers:update', 's1', `--capacity=${bad}`]);
      expect(r, bad).toEqual({ code: 64, stdout: '', stderr: `Error: Capacity must be a whole number of users, 0 or more (0 removes it), not '${bad}'\n` });
    }
    expect((await stored('s1'))?.capacity).toBe(100);
  }, SPAWN_TIMEOUT * 4);
});

describe('capacity in the listings', () => {
  it('servers: a capacity line only for a server that has one; --json always has the field', async () => {
    await seedServer({ id: 'capped', capacity: 120, loadMultiplier: 1 });
    await seedServer({ id: 'open', loadMultiplier: 1 });
    const list = await slctl(['servers']);
    expect(list.code).toBe(0);
    const block = (id: string) => list.stdout.split(/^(?=id: )/m).find((b) => b.startsWith(`id: ${id}\n`))!;
    expect(block('capped')).toContain('\tload multiplier: 1.0\n\tcapacity: 120\n\tbbb version: \n');
    expect(block('open')).not.toContain('capacity');
    expect(block('open')).toContain('\tload multiplier: 1.0\n\tbbb version: \n');
    const json = JSON.parse((await slctl(['servers', '--json'])).stdout) as Array<{ id: string; capacity: number | null }>;
    expect(Object.fromEntries(json.map((s) => [s.id, s.capacity]))).toEqual({ capped: 120, open: null });
  }, SPAWN_TIMEOUT * 2);

  it('status: Scalelite\'s columns without capacities; a CAPACITY column before ID once a server has one', async () => {
    await seedServer({ id: 'b1', url: 'https://b1.example.com/bigbluebutton/api' });
    const plain = await slctl(['status']);
    expect(plain.stdout).not.toContain('CAPACITY');
    await t.stack.deps.store.servers.updateConfig('b1', { capacity: 80 });
    await seedServer({ id: 'b2', url: 'https://b2.example.com/bigbluebutton/api' });
    const withCapacity = await slctl(['status']);
    const lines = withCapacity.stdout.split('\n');
    expect(lines[1]).toMatch(/ TAG  CAPACITY  ID +$/);
    expect(lines[2]).toMatch(/^ b1\.example\.com .* {7}80  b1 $/);
    expect(lines[3]).toMatch(/^ b2\.example\.com .* {10}  b2 $/);
    const json = JSON.parse((await slctl(['status', '--json'])).stdout) as Array<{ id: string; capacity: number | null }>;
    expect(json.map((s) => s.capacity)).toEqual([80, null]);
  }, SPAWN_TIMEOUT * 3);
});

describe('capacity in servers:yaml and servers:sync', () => {
  it('servers:yaml prints capacity after the tag only where set (Scalelite\'s bytes otherwise)', async () => {
    await seedServer({ id: 'a', url: 'https://a/bigbluebutton/api', secret: 'sa', loadMultiplier: 1, capacity: 250 });
    await seedServer({ id: 'b', url: 'https://b/bigbluebutton/api', secret: 'sb', loadMultiplier: 2 });
    expect(await slctl(['servers:yaml'])).toEqual({
      code: 0,
      stderr: '',
      stdout: listing([
        '---',
        'servers:',
        '  a:',
        '    url: https://a/bigbluebutton/api',
        '    secret: sa',
        '    load_multiplier: 1.0',
        "    tag: ''",
        '    capacity: 250',
        '    enabled: false',
        '  b:',
        '    url: https://b/bigbluebutton/api',
        '    secret: sb',
        '    load_multiplier: 2.0',
        "    tag: ''",
        '    enabled: false',
      ]),
    });
  }, SPAWN_TIMEOUT);

  it('round trip: servers:yaml | servers:sync -f - restores a capacity; a changed or removed one is applied', async () => {
    await seedServer({ id: 'a', url: 'https://a/bigbluebutton/api', secret: 'sa', loadMultiplier: 1, capacity: 250, state: 'enabled' });
    await seedServer({ id: 'b', url: 'https://b/bigbluebutton/api', secret: 'sb', loadMultiplier: 1, state: 'enabled' });
    const dumped = await slctl(['servers:yaml']);
    expect(await slctl(['servers:sync', '-f', '-'], { input: dumped.stdout })).toEqual({ code: 0, stdout: '', stderr: '' }); // nothing to change
    await t.stack.deps.store.servers.remove('a');
    expect((await slctl(['servers:sync', '-f', '-', '--mode', 'keep'], { input: dumped.stdout })).code).toBe(0);
    expect(await stored('a')).toMatchObject({ capacity: 250, secret: 'sa', state: 'enabled' });

    const edited = dumped.stdout.replace('    capacity: 250\n', '').replace("  b:\n    url: https://b/bigbluebutton/api\n    secret: sb\n    load_multiplier: 1.0\n    tag: ''\n", "  b:\n    url: https://b/bigbluebutton/api\n    secret: sb\n    load_multiplier: 1.0\n    tag: ''\n    capacity: 90\n");
    expect(edited).toContain('capacity: 90');
    const applied = await slctl(['servers:sync', '-f', '-'], { input: edited });
    expect(applied.code).toBe(0);
    expect((await stored('a'))?.capacity).toBeUndefined();
    expect((await stored('b'))?.capacity).toBe(90);
  }, SPAWN_TIMEOUT * 4);

  it('servers:sync refuses an invalid capacity before changing anything (exit 1)', async () => {
    await seedServer({ id: 'a', secret: 'sa' });
    for (const bad of ['-1', '2.5', 'lots']) {
      const r = await slctl(['servers:sync', '-f', '-'], { input: `servers:\n  a:\n    secret: new\n    capacity: ${bad}\n` });
      expect(r, bad).toEqual({ code: 1, stdout: '', stderr: `ERROR: Server id=a has invalid capacity=${bad}\n` });
    }
    expect((await stored('a'))?.secret).toBe('sa');
  }, SPAWN_TIMEOUT * 3);
});
