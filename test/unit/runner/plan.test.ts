import { expect, test } from 'vitest';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';
import { parseShard, planRuns, runSeed, shardOf } from '../../../harness/runner/plan.js';
import type { Setting } from '../../../harness/report/schema.js';
import { peakInWindow } from '../../../harness/runner/execute.js';

const settings: Setting[] = [
  { label: 'a', values: {}, config: DEFAULT_SUPERVISOR_CONFIG },
  { label: 'b', values: { x: 1 }, config: DEFAULT_SUPERVISOR_CONFIG },
];
const plan = planRuns({ scenarios: ['s1', 's2'], versions: ['6.7.21', '7.0.0-rc14'], settings, runs: 3, seed: 42 });

test('every version and setting faces the same schedule seeds; scenarios and run indexes differ', () => {
  expect(plan).toHaveLength(2 * 2 * 2 * 3);
  const seedsOf = (f: (p: (typeof plan)[number]) => boolean) => plan.filter(f).map((p) => p.seed);
  expect(seedsOf((p) => p.version === '6.7.21' && p.setting.label === 'a')).toEqual(seedsOf((p) => p.version === '7.0.0-rc14' && p.setting.label === 'b'));
  expect(new Set(plan.map((p) => p.seed)).size).toBe(6);
  expect(runSeed(42, 's1', 0)).toBe(runSeed(42, 's1', 0));
  expect(runSeed(42, 's1', 0)).not.toBe(runSeed(43, 's1', 0));
});

test('shards are disjoint, balanced, and together the whole plan', () => {
  const shards = [1, 2, 3, 4, 5].map((i) => shardOf(plan, parseShard(`${i}/5`)));
  expect(shards.flat()).toHaveLength(plan.length);
  expect(new Set(shards.flat()).size).toBe(plan.length);
  expect(Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length))).toBeLessThanOrEqual(1);
  expect(() => parseShard('0/3')).toThrow(/1 ≤ i ≤ n/);
  expect(() => parseShard('4/3')).toThrow(/i\/n/);
  expect(() => parseShard('two')).toThrow(/e\.g\. 2\/4/);
});

test('the storm peak is the most events inside any one window', () => {
  expect(peakInWindow([], 1000)).toBe(0);
  expect(peakInWindow([0, 100, 999, 1000, 5000], 1000)).toBe(3);
  expect(peakInWindow([0, 1000, 2000], 1000)).toBe(1);
});
