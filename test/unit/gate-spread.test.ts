/**
 * The gate tolerance derivation (bench/gate-spread.ts): values → spread → tolerance, and the
 * defaults in force are the ones the committed bench measured.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { deriveTolerance, gatedSamples, roundUp, spreadOf, type MetricSamples } from '../../bench/gate-spread.js';
import { GATE_TOLERANCE } from '../../harness/report/baseline.js';
import { buildReport } from '../../harness/report/build.js';
import { header, run } from './report/fixtures.js';

test('the spread of one metric: min, median, max, growth max/min − 1 and max − min; none, unstable and zero cases', () => {
  expect(spreadOf([1200, 1000, 1100])).toEqual({ kind: 'measured', min: 1000, median: 1100, max: 1200, relative: expect.closeTo(0.2, 12), absolute: 200 });
  expect(spreadOf([4, 2])).toMatchObject({ median: 3, relative: 1, absolute: 2 });
  expect(spreadOf([null, null, null])).toEqual({ kind: 'none' });
  expect(spreadOf([1000, null, 1100])).toEqual({ kind: 'unstable', measured: 2, of: 3 });
  expect(spreadOf([0, 0.5])).toMatchObject({ kind: 'measured', relative: null, absolute: 0.5 });
  expect(spreadOf([0, 0])).toMatchObject({ kind: 'measured', relative: 0, absolute: 0 });
});

test('rounding up to a step, at least one step, without floating-point dust', () => {
  expect(roundUp(0.31, 0.05)).toBe(0.35);
  expect(roundUp(0.3, 0.05)).toBe(0.3);
  expect(roundUp(0.1 + 0.2, 0.1)).toBe(0.3);
  expect(roundUp(0, 0.05)).toBe(0.05);
  expect(roundUp(41, 10)).toBe(50);
  expect(roundUp(0.62, 0.1)).toBe(0.7);
});

test('the tolerance: the ratio from the relative growth of the larger values, then the least slack clearing twice every growth with it; rounded up to steps', () => {
  // Time scale 1 (real-world = machine ms) to read the numbers straight. Typical value: the median of the medians (50, 210) = 130.
  const mixed: MetricSamples[] = [
    { row: 'x on v', metric: 'p50', values: [60, 40, 50] }, // 40 → 60: +50 %, +20
    { row: 'y on v', metric: 'p95', values: [180, 240, 210] }, // 180 → 240: +33 %, +60; at or above the typical value
    { row: 'y on v', metric: 'attemptsPerMinute', values: [1.0, 1.05, 1.02] },
    { row: 'z on v', metric: 'p50', values: [null, null, null] },
  ];
  const t = deriveTolerance(mixed, 1);
  // ratio: 2 × 1/3 → 0.7; slack: x needs 2 × 20 − 0.7 × 40 = 12 → 20 (y needs 120 − 126 < 0); attempts: 0.1 − 0.7 × 1 < 0 → one step.
  expect(t).toMatchObject({ ratio: 0.7, slackMachineMs: 20, attemptsSlackPerMinute: 0.1, typicalMachineMs: 130, unstable: [] });
  expect(t.setBy.ratio).toMatchObject({ row: 'y on v', metric: 'p95', value: expect.closeTo(1 / 3, 9) });
  expect(t.setBy.slackMachineMs).toMatchObject({ row: 'x on v', metric: 'p50', value: expect.closeTo(12, 9) });
  expect(t.worst.relative).toMatchObject({ row: 'x on v', value: expect.closeTo(0.5, 9) });
  expect(t.worst.absoluteMachineMs).toMatchObject({ row: 'y on v', metric: 'p95', value: 60 });
  expect(t.worst.attemptsPerMinute).toMatchObject({ row: 'y on v', value: expect.closeTo(0.05, 9) });
  // The time scale turns real-world ms into machine ms: the same values at 0.04 are 25 × larger in real-world ms.
  expect(deriveTolerance(mixed.map((m) => ({ ...m, values: m.metric === 'attemptsPerMinute' ? m.values : m.values.map((v) => (v === null ? null : v * 25)) })), 0.04)).toMatchObject({ ratio: 0.7, slackMachineMs: 20 });
  // Growth that does not scale with the value lands in the slack; growth that does, in the ratio.
  expect(deriveTolerance([{ row: 'a', metric: 'p50', values: [40, 60] }, { row: 'b', metric: 'p50', values: [400, 420] }], 1)).toMatchObject({ ratio: 0.1, slackMachineMs: 40 });
  expect(deriveTolerance([{ row: 'a', metric: 'p50', values: [40, 50] }, { row: 'b', metric: 'p50', values: [400, 500] }], 1)).toMatchObject({ ratio: 0.5, slackMachineMs: 10 });
  // A value of 0 has no relative growth: the slack clears it.
  expect(deriveTolerance([{ row: 'a', metric: 'p50', values: [0, 10] }, { row: 'b', metric: 'p50', values: [100, 110] }], 1)).toMatchObject({ ratio: 0.2, slackMachineMs: 20 });
  // The attempt rate's slack clears its growth with the ratio: 2 × 0.114 − 0.05 × 0.114 → 0.3.
  expect(deriveTolerance([{ row: 'c', metric: 'attemptsPerMinute', values: [0.228, 0.114, 0.228] }], 0.04)).toMatchObject({ ratio: 0.05, slackMachineMs: 10, attemptsSlackPerMinute: 0.3 });
  // A safety factor of 1 is the growth itself: ratio 1/3 → 0.35; x needs 20 − 14 = 6 → 10.
  expect(deriveTolerance(mixed, 1, 1)).toMatchObject({ ratio: 0.35, slackMachineMs: 10 });
});

test('no spread at all gives one step of each; a metric ∞ in some runs only is listed as unstable, not silently covered', () => {
  const flat = deriveTolerance([{ row: 'a', metric: 'p50', values: [1000, 1000] }], 0.04);
  expect(flat).toMatchObject({ ratio: 0.05, slackMachineMs: 10, attemptsSlackPerMinute: 0.1 });
  expect(flat.worst.attemptsPerMinute).toBeUndefined();
  expect(deriveTolerance([], 0.04)).toMatchObject({ ratio: 0.05, slackMachineMs: 10, attemptsSlackPerMinute: 0.1, typicalMachineMs: 0, setBy: {} });
  const t = deriveTolerance([{ row: 'a', metric: 'p99', values: [1000, null, 1000] }], 0.04);
  expect(t.unstable).toEqual([{ row: 'a', metric: 'p99', measured: 2, of: 3 }]);
  expect(t.worst.relative).toBeUndefined();
});

test('the samples are what the gate compares: per baseline row the recovery percentiles and the attempt rate, one value per report', () => {
  const baseline = buildReport(header, [run({ recover: [1000] }), run({ version: 'w', recover: [null] })], new Date(0));
  const r1 = buildReport(header, [run({ recover: [1100], attemptsPerMinute: 2 }), run({ version: 'w', recover: [null] })], new Date(0));
  const r2 = buildReport(header, [run({ recover: [1300], attemptsPerMinute: 3 }), run({ version: 'w', recover: [null] })], new Date(0));
  const samples = gatedSamples(baseline, [r1, r2]);
  const [rowV, rowW] = [...new Set(samples.map((s) => s.row))];
  expect(samples.filter((s) => s.row === rowV).map((s) => [s.metric, s.values])).toEqual([
    ['p50', [1100, 1300]],
    ['p95', [1100, 1300]],
    ['p99', [1100, 1300]],
    ['attemptsPerMinute', [2, 3]],
  ]);
  expect(samples.filter((s) => s.row === rowW && s.metric !== 'attemptsPerMinute').every((s) => s.values.every((v) => v === null))).toBe(true);
});

test('GATE_TOLERANCE is the tolerance the committed bench derived (bench/results/bench.json, gateSpread)', () => {
  const bench = JSON.parse(readFileSync('bench/results/bench.json', 'utf8')) as { gateSpread?: { tolerance: typeof GATE_TOLERANCE } };
  expect(bench.gateSpread, 'no gateSpread section: npm run bench -- --only gate-spread').toBeDefined();
  expect({ ...GATE_TOLERANCE }, 'the measured spread changed: set GATE_TOLERANCE (harness/report/baseline.ts) from bench.json gateSpread.tolerance').toEqual(bench.gateSpread!.tolerance);
});
