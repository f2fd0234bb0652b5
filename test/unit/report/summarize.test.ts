import { expect, test } from 'vitest';
import { gate } from '../../../harness/report/baseline.js';
import { buildReport, mergeReports, parseReport } from '../../../harness/report/build.js';
import type { RunReport } from '../../../harness/report/schema.js';
import { percentile, recommend, summarize, tunePoints } from '../../../harness/report/summarize.js';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';

function run(over: Partial<RunReport> & { recover?: (number | null)[] }): RunReport {
  const { recover = [1000], ...rest } = over;
  return {
    id: `${over.scenario ?? 's'}/${over.version ?? 'v'}/${over.setting ?? 'default'}/${over.runIndex ?? 0}`,
    scenario: 's',
    version: 'v',
    setting: 'default',
    runIndex: 0,
    seed: 1,
    replay: 'baileys-chaos replay s:1',
    schedule: [],
    verdict: 'valid',
    invariants: [{ invariant: 'recovers', client: 0, verdict: 'valid', message: 'ok' }],
    metrics: recover.map((r, client) => ({ client, detectMs: [100], recoverMs: r, attempts: 2, delaysMs: [], availability: 0.9, qrRePairs: 0, sessionsLost: 0, maxOpenPerDevice: 1 })),
    windowMs: 60_000,
    wallMs: 1000,
    attemptsPerMinute: 2,
    stormPeakPerSecond: 1,
    timeline: [],
    ...rest,
  };
}

const header = { kind: 'run' as const, seed: 7, timeScale: 0.04, supervisor: 'reference', versions: ['v'], scenarios: ['s'], settings: [{ label: 'default', values: {}, config: DEFAULT_SUPERVISOR_CONFIG }] };

test('nearest-rank percentiles; none for no data', () => {
  expect(percentile([], 50)).toBeNull();
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
  expect(percentile([5], 99)).toBe(5);
});

test('a summary row per scenario × version × setting; one invalid run makes the row invalid; unrecovered clients are not timed', () => {
  const rows = summarize([run({ runIndex: 0, recover: [1000, null] }), run({ runIndex: 1, verdict: 'invalid', recover: [3000] }), run({ version: 'w', verdict: 'unknown' })]);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatchObject({ runs: 2, valid: 1, invalid: 1, verdict: 'invalid', recoveryMs: { p50: 1000, max: 3000 }, attemptsPerRun: 3 });
  expect(rows[1]).toMatchObject({ version: 'w', verdict: 'unknown' });
});

test('the Pareto front holds exactly the undominated settings; the recommendation is on it', () => {
  const runs = [
    run({ setting: 'fast', recover: [1000], attemptsPerMinute: 10 }),
    run({ setting: 'balanced', recover: [2000], attemptsPerMinute: 4 }),
    run({ setting: 'slow', recover: [8000], attemptsPerMinute: 1 }),
    run({ setting: 'bad', recover: [9000], attemptsPerMinute: 5 }),
    run({ setting: 'broken', recover: [500], attemptsPerMinute: 0.5, verdict: 'invalid' }),
  ];
  const points = tunePoints(runs, ['fast', 'balanced', 'slow', 'bad', 'broken'].map((label) => ({ label, values: {} })));
  expect(points.filter((p) => p.pareto).map((p) => p.setting)).toEqual(['fast', 'balanced', 'slow']);
  expect(recommend(points)?.setting).toBe('balanced');
});

test('the gate: passes on the same numbers, fails on slower recovery beyond tolerance and on invalid runs, saying by how much', () => {
  const baseline = buildReport(header, [run({ recover: [1000] }), run({ runIndex: 1, recover: [1200] })], new Date(0));
  const same = buildReport(header, [run({ recover: [1100] }), run({ runIndex: 1, recover: [1300] })], new Date(0));
  expect(gate(baseline, same, { ratio: 0.5, slackMs: 100 }).passed).toBe(true);
  const slower = buildReport(header, [run({ recover: [4000] }), run({ runIndex: 1, recover: [5000] })], new Date(0));
  const r = gate(baseline, slower, { ratio: 0.5, slackMs: 100 });
  expect(r.passed).toBe(false);
  expect(r.findings.find((f) => f.kind === 'regression')?.message).toMatch(/recovery p50 4\.0 s vs baseline 1\.0 s \(\+3\.0 s, 300 %; limit 1\.6 s\)/);
  const invalid = buildReport(header, [run({ verdict: 'invalid', invariants: [{ invariant: 'stops after 401', client: 0, verdict: 'invalid', message: 'looped' }] })], new Date(0));
  const g = gate(baseline, invalid, { ratio: 10, slackMs: 1e9 });
  expect(g.passed).toBe(false);
  expect(g.findings[0]).toMatchObject({ kind: 'invalid', message: expect.stringContaining('stops after 401: looped — replay: baileys-chaos replay s:1') });
  const unknownOnly = buildReport(header, [run({ verdict: 'unknown' })], new Date(0));
  expect(gate(baseline, unknownOnly, { ratio: 10, slackMs: 1e9 }).passed).toBe(true);
  const dropped = buildReport({ ...header, versions: ['w'] }, [run({ version: 'w' })], new Date(0));
  expect(gate(baseline, dropped, { ratio: 10, slackMs: 1e9 }).findings[0]).toMatchObject({ kind: 'missing' });
});

test('merging shards gives the unsharded summary; mismatched or overlapping shards are refused', () => {
  const runs = [0, 1, 2, 3].map((i) => run({ runIndex: i, recover: [1000 * (i + 1)] }));
  const whole = buildReport(header, runs, new Date(0));
  const a = buildReport({ ...header, shard: { index: 1, count: 2 } }, [runs[0]!, runs[2]!], new Date(0));
  const b = buildReport({ ...header, shard: { index: 2, count: 2 } }, [runs[1]!, runs[3]!], new Date(0));
  const merged = mergeReports([{ report: a, source: 'a' }, { report: b, source: 'b' }], new Date(0));
  expect(merged.summary).toEqual(whole.summary);
  expect(merged.shard).toBeUndefined();
  expect(() => mergeReports([{ report: a, source: 'a' }, { report: a, source: 'a2' }], new Date(0))).toThrow(/in both a and a2/);
  expect(() => mergeReports([{ report: a, source: 'a' }, { report: { ...b, seed: 8 }, source: 'b' }], new Date(0))).toThrow(/seed \(8\) differs/);
});

test('a report of another schema version is refused with what to do', () => {
  const r = buildReport(header, [run({})], new Date(0));
  expect(parseReport(JSON.parse(JSON.stringify(r)), 'x.json').runs).toHaveLength(1);
  expect(() => parseReport({ ...r, schemaVersion: 99 }, 'x.json')).toThrow(/schema version 99.*Re-run/);
  expect(() => parseReport({ hello: 1 }, 'x.json')).toThrow(/not a baileys-chaos report/);
});
