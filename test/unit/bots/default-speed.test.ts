/** Each bot kind's default speed, from the command line alone (the CLI picks it before its bot is built). */
import { expect, test } from 'vitest';
import { defaultSpeedOfChoice } from '../../../harness/bots/index.js';
import { OPENCLAW_DEFAULT_SPEED } from '../../../harness/bots/openclaw.js';
import { clockName, DEFAULT_SPEED, flagValue } from '../../../harness/time/warp.js';

test('OpenClaw runs at its own default (5); every other bot at the default 10', () => {
  expect(OPENCLAW_DEFAULT_SPEED).toBe(5);
  expect(DEFAULT_SPEED).toBe(10);
  expect(defaultSpeedOfChoice({ bot: 'openclaw' })).toBe(5);
  expect(defaultSpeedOfChoice({})).toBe(10);
  expect(defaultSpeedOfChoice({ bot: './my-bot.js' })).toBe(10);
  expect(defaultSpeedOfChoice({ botCmd: 'node bot.js' })).toBe(10);
  expect(defaultSpeedOfChoice({ supervisor: './mine.js' })).toBe(10);
});

test('a flag value in either spelling, from the command line', () => {
  expect(flagValue(['run', '--bot', 'openclaw'], '--bot')).toBe('openclaw');
  expect(flagValue(['run', '--bot=openclaw'], '--bot')).toBe('openclaw');
  expect(flagValue(['run', '--bot-cmd', 'node b.js'], '--bot')).toBeUndefined();
  expect(flagValue(['run'], '--bot')).toBeUndefined();
});

test('plan and replay lines name the clock', () => {
  expect(clockName(10)).toBe('virtual time x10');
  expect(clockName(1)).toBe('real time');
  expect(clockName(undefined)).toBe('real time');
});
