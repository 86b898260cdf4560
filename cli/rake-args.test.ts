import { describe, expect, it } from 'vitest';
import { expandRakeForm, parseRakeArgs, unprotectArgv } from './rake-args.js';

/** What a command finally sees: the expanded argv with the markers taken off. */
const seen = (argv: string[]) => {
  const parsed: Record<string, unknown> = { _: expandRakeForm(argv) };
  unprotectArgv(parsed);
  return parsed._;
};

describe("parseRakeArgs (rake's parse_task_string)", () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    [' a , b ', ['a', 'b']],
    ['a,,b', ['a', '', 'b']],
    ['a,', ['a', '']],
    ['a,,', ['a', '', '']],
    [',a', ['', 'a']],
    ['a\\,b,c', ['a,b', 'c']],
    ['https://bbb/bigbluebutton/api,s3cr3t,2.5,tag', ['https://bbb/bigbluebutton/api', 's3cr3t', '2.5', 'tag']],
  ])('%j → %j', (text, args) => expect(parseRakeArgs(text)).toEqual(args));
});

describe('expandRakeForm', () => {
  it('leaves the plain form alone', () => {
    expect(expandRakeForm(['servers:add', 'URL', 'SECRET', '--endpoint', 'x'])).toEqual(['servers:add', 'URL', 'SECRET', '--endpoint', 'x']);
    expect(expandRakeForm([])).toEqual([]);
    expect(expandRakeForm(['--help'])).toEqual(['--help']);
  });

  it('expands the rake form and keeps the flags that follow', () => {
    expect(seen(['servers:add[URL,SECRET,2,tag]', '--table', 't'])).toEqual(['servers:add', 'URL', 'SECRET', '2', 'tag', '--table', 't']);
    expect(seen(['servers:update[id,,,]'])).toEqual(['servers:update', 'id', '', '', '']);
    expect(seen(['servers'])).toEqual(['servers']);
    expect(seen(['status[]'])).toEqual(['status']);
    expect(seen(['--table', 't', '--json', 'servers:tag[a,b]'])).toEqual(['--table', 't', '--json', 'servers:tag', 'a', 'b']);
    expect(seen(['--table', 'x[1]', 'servers'])).toEqual(['--table', 'x[1]', 'servers']);
  });

  it('never lets a rake argument that starts with a dash look like a flag to yargs', () => {
    const argv = expandRakeForm(['servers:add[URL,-s3cr3t,--2]']);
    expect(argv.slice(2).every((a) => !a.startsWith('-'))).toBe(true);
    expect(seen(['servers:add[URL,-s3cr3t,--2]'])).toEqual(['servers:add', 'URL', '-s3cr3t', '--2']);
  });

  it('turns operands after -- into positionals, and protects a lone - (stdin)', () => {
    const argv = expandRakeForm(['servers:add', 'URL', '--', '-s3cr3t', '--json']);
    expect(argv).not.toContain('--');
    expect(argv.slice(2).every((a) => !a.startsWith('-'))).toBe(true);
    expect(seen(['servers:add', 'URL', '--', '-s3cr3t', '--json'])).toEqual(['servers:add', 'URL', '-s3cr3t', '--json']);
    expect(expandRakeForm(['servers:sync', '-f', '-'])[2]).not.toBe('-');
    expect(seen(['servers:sync', '-f', '-'])).toEqual(['servers:sync', '-f', '-']);
  });

  it('unprotects every parsed value (options, positionals, arrays)', () => {
    const [, marked] = expandRakeForm(['t[-x]']);
    const argv: Record<string, unknown> = { _: ['t'], ID: marked, list: [marked, 'y'], n: 3, flag: true };
    unprotectArgv(argv);
    expect(argv).toEqual({ _: ['t'], ID: '-x', list: ['-x', 'y'], n: 3, flag: true });
  });
});
