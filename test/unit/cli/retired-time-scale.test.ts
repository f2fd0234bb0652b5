import { describe, expect, test } from 'vitest';
import { aliasTimeScale } from '../../../harness/cli/retired-time-scale.js';

describe('--time-scale F, retired, runs as --speed 1/F', () => {
  test.each([
    [['--time-scale', '0.04', '--runs', '2'], ['--speed', '25', '--runs', '2']],
    [['--scenario', 'conflict', '--time-scale=0.1'], ['--scenario', 'conflict', '--speed', '10']],
    [['--time-scale', '0.3'], ['--speed', '3.33']],
    [['--time-scale', '1'], ['--speed', '1']],
  ])('%j → %j, with a note naming both', (argv, expected) => {
    const alias = aliasTimeScale(argv);
    expect(alias.argv).toEqual(expected);
    expect(alias.note).toMatch(new RegExp(`runs as --speed ${expected[expected.indexOf('--speed') + 1]!.replace('.', '\\.')}: --time-scale is retired`));
  });

  test('a command line without it is left as it is, with no note', () => {
    expect(aliasTimeScale(['--runs', '2'])).toEqual({ argv: ['--runs', '2'] });
  });

  test.each([
    [['--time-scale', '0'], /must be above 0 and at most 1, got "0"/],
    [['--time-scale', '2'], /must be above 0 and at most 1, got "2"/],
    [['--time-scale'], /must be above 0 and at most 1, got ""/],
    [['--time-scale', '0.01'], /would run at --speed 100, above the fastest \(50\)/],
    [['--time-scale', '0.1', '--speed', '10'], /--speed and --time-scale are two ways to run faster: give one/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => aliasTimeScale(argv)).toThrow(message);
  });
});
