import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.ts';

const base = ['--target', 'http://127.0.0.1:8787', '--key', 'k1', '--rate', '50', '--duration', '10'];

describe('parseArgs', () => {
  it('reads the required flags and applies defaults', () => {
    expect(parseArgs(base)).toEqual({
      kind: 'run',
      options: {
        target: 'http://127.0.0.1:8787',
        key: 'k1',
        rate: 50,
        duration: 10,
        seed: 1,
        batch: 100,
        unit: null,
        desk: null,
      },
    });
    const parsed = parseArgs([...base, '--seed=9', '--batch', '250', '--unit', '00004', '--desk', 'Q01']);
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { seed: 9, batch: 250, unit: '00004', desk: 'Q01' },
    });
  });

  it('asks for help', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs([...base, '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--target', 'http://x', '--key', 'k', '--rate', '5'], '--duration is required'],
    [[...base, '--rate', '5'], '--rate given twice'],
    [
      [...base.slice(0, 4), '--rate', 'fast', '--duration', '1'],
      '--rate: expected a positive number, got "fast"',
    ],
    [[...base.slice(0, 6), '--duration', '0'], '--duration: expected a positive number of seconds, got "0"'],
    [[...base, '--batch', '1001'], '--batch: expected an integer from 1 to 1000, got "1001"'],
    [[...base, '--seed', '1.5'], '--seed: expected an integer, got "1.5"'],
    [[...base, '--unit', '4'], '--unit: expected a 5-digit unit code, got "4"'],
    [[...base, '--desk', 'Q01'], '--desk needs --unit'],
    [[...base, '--speed', '3'], 'unknown argument --speed'],
    [[...base, '--unit'], '--unit needs a value'],
    [['--target', 'ftp://x', ...base.slice(2)], '--target: expected an http(s) URL, got "ftp://x"'],
  ])('names the bad argument: %j', (argv, message) => {
    expect(parseArgs(argv)).toEqual({ kind: 'error', message });
  });
});
