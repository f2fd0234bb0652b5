import { describe, expect, test } from 'vitest';
import { aliasTimeScale } from '../../../harness/cli/retired-time-scale.js';

describe('--time-scale F, retired, runs as --speed 1/F, at most the default 10', () => {
  test.each([
    [['--time-scale', '0.04', '--runs', '2'], ['--speed', '10', '--runs', '2']],
    [['--scenario', 'conflict', '--time-scale=0.1'], ['--scenario', 'conflict', '--speed', '10']],
    [['--time-scale', '0.3'], ['--speed', '3.33']],
    [['--time-scale', '1'], ['--speed', '1']],
  ])('%j → %j, with a note naming both', (argv, expected) => {
    const alias = aliasTimeScale(argv);
    expect(alias.argv).toEqual(expected);
    expect(alias.note).toMatch(new RegExp(`runs as --speed ${expected[expected.indexOf('--speed') + 1]!.replace('.', '\\.')}( \\(1/F is [\\d.]+;[^)]*\\))?: --time-scale is retired`));
  });

  test('0.04, the old default, runs at the default speed and says what 1/F would have been', () => {
    expect(aliasTimeScale(['--time-scale', '0.04']).note).toMatch(/--time-scale 0\.04 runs as --speed 10 \(1\/F is 25; above the default 10 CPU inflation moves more verdicts: pass --speed K, up to 50, to run faster\)/);
    expect(aliasTimeScale(['--time-scale', '0.2']).note).not.toMatch(/1\/F is/);
  });

  test("its cap is the command's default speed: OpenClaw's is 5", () => {
    const alias = aliasTimeScale(['--time-scale', '0.04', '--bot', 'openclaw'], 5);
    expect(alias.argv).toEqual(['--speed', '5', '--bot', 'openclaw']);
    expect(alias.note).toMatch(/runs as --speed 5 \(1\/F is 25; above the default 5 .*leave it out for x5\./);
    expect(aliasTimeScale(['--time-scale', '0.5'], 5).argv).toEqual(['--speed', '2']);
  });

  test('a command line without it is left as it is, with no note', () => {
    expect(aliasTimeScale(['--runs', '2'])).toEqual({ argv: ['--runs', '2'] });
  });

  test.each([
    [['--time-scale', '0'], /must be above 0 and at most 1, got "0"/],
    [['--time-scale', '2'], /must be above 0 and at most 1, got "2"/],
    [['--time-scale'], /must be above 0 and at most 1, got ""/],
    [['--time-scale', '0.1', '--speed', '10'], /--speed and --time-scale are two ways to run faster: give one/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => aliasTimeScale(argv)).toThrow(message);
  });
});
