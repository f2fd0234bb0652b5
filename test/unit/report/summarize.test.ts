import { expect, test } from 'vitest';
import { gate } from '../../../harness/report/baseline.js';
import { buildReport, mergeReports, parseReport } from '../../../harness/report/build.js';
import { percentile, recommend, recoveryPercentiles, summarize, tunePoints } from '../../../harness/report/summarize.js';
import { header, run } from './fixtures.js';

test('nearest-rank percentiles; none for no data', () => {
  expect(percentile([], 50)).toBeNull();
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
  expect(percentile([5], 99)).toBe(5);
});

test('a summary row per scenario × version × setting; one invalid run makes the row invalid; unrecovered clients are counted, not timed', () => {
  const rows = summarize([run({ runIndex: 0, recover: [1000, null] }), run({ runIndex: 1, verdict: 'invalid', recover: [3000] }), run({ version: 'w', verdict: 'unknown' })]);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toMatchObject({ runs: 2, valid: 1, invalid: 1, error: 0, verdict: 'invalid', clients: 3, notRecovered: 1, recoveryMs: { p50: 1000, p95: null, p99: null, max: null }, attemptsPerRun: 3 });
  expect(rows[1]).toMatchObject({ version: 'w', verdict: 'unknown', clients: 1, notRecovered: 0 });
});

test('not recovered: p99 and max are ∞ (null) with any, p95 from 5 %, p50 from 50 %; all recovered: plain percentiles', () => {
  const ok = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(recoveryPercentiles(ok)).toEqual({ clients: 100, notRecovered: 0, recoveryMs: { p50: 50, p95: 95, p99: 99, max: 100 } });
  // 1 of 100 (1 %): p95 still over the recovered ones, p99 not.
  expect(recoveryPercentiles([...ok.slice(0, 99), null])).toEqual({ clients: 100, notRecovered: 1, recoveryMs: { p50: 50, p95: 95, p99: null, max: null } });
  // 5 of 100: p95 is among the unrecovered.
  expect(recoveryPercentiles([...ok.slice(0, 95), null, null, null, null, null]).recoveryMs).toEqual({ p50: 48, p95: null, p99: null, max: null });
  expect(recoveryPercentiles([1000, null]).recoveryMs).toEqual({ p50: null, p95: null, p99: null, max: null });
  expect(recoveryPercentiles([])).toEqual({ clients: 0, notRecovered: 0, recoveryMs: { p50: null, p95: null, p99: null, max: null } });
});

test('an error run counts as error, not unknown, and its observations stay out of the metrics; error outranks unknown', () => {
  const rows = summarize([run({ recover: [1000], attemptsPerMinute: 4 }), run({ runIndex: 1, verdict: 'unknown', recover: [2000], attemptsPerMinute: 4 }), run({ runIndex: 2, verdict: 'error', error: 'Toxiproxy refused the proxy', recover: [null], attemptsPerMinute: 0 })]);
  expect(rows[0]).toMatchObject({ runs: 3, valid: 1, unknown: 1, error: 1, verdict: 'error', clients: 2, notRecovered: 0, attemptsPerMinute: 4 });
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
  expect(r.findings.find((f) => f.kind === 'regression')?.message).toMatch(/reconnect p50 4\.0 s vs baseline 1\.0 s \(\+3\.0 s, 300 %; limit 1\.6 s; login p50 —, baseline —: not gated\)/);
  const invalid = buildReport(header, [run({ verdict: 'invalid', invariants: [{ invariant: 'stops after 401', client: 0, verdict: 'invalid', message: 'looped' }] })], new Date(0));
  const g = gate(baseline, invalid, { ratio: 10, slackMs: 1e9 });
  expect(g.passed).toBe(false);
  expect(g.findings[0]).toMatchObject({ kind: 'invalid', message: expect.stringContaining('stops after 401: looped — replay: baileys-chaos replay s:1') });
  const unknownOnly = buildReport(header, [run({ verdict: 'unknown', invariants: [{ invariant: 'does not give up', client: 0, verdict: 'unknown', message: 'only 2 s observed' }] })], new Date(0));
  expect(gate(baseline, unknownOnly, { ratio: 10, slackMs: 1e9 })).toMatchObject({ passed: false, exitCode: 3, findings: [{ kind: 'unknown', fails: true, message: expect.stringContaining('does not give up: only 2 s observed') }] });
  expect(gate(baseline, unknownOnly, { ratio: 10, slackMs: 1e9 }, { allowUnknown: true })).toMatchObject({ passed: true, exitCode: 0 });
  const dropped = buildReport({ ...header, versions: ['w'] }, [run({ version: 'w' })], new Date(0));
  expect(gate(baseline, dropped, { ratio: 10, slackMs: 1e9 }).findings[0]).toMatchObject({ kind: 'missing' });
});

/** A run whose client recovered `recover` ms after the fault cleared at 10 s, its last login taking `login` ms (server-side attempt → open). */
function recoveredWithLogin(recover: number, login: number, runIndex = 0) {
  const open = 10_000 + recover;
  return run({
    runIndex,
    recover: [recover],
    timeline: [
      { t: 10_000, source: 'fault', type: 'fault-cleared' },
      { t: open - login - 3_000, source: 'server', client: 0, type: 'attempt' },
      { t: open - login, source: 'server', client: 0, type: 'attempt' },
      { t: open, source: 'server', client: 0, type: 'open' },
    ],
  });
}

test('the gate compares recovery less its last login: a login stretched by a busy machine passes, a later reconnect fails', () => {
  const tol = { ratio: 0.3, slackMs: 400 };
  // stream-errors in CI, 2026-11-29: an immediate reconnect, its login 806 ms at x10, then 1.8 s under load.
  const baseline = buildReport(header, [recoveredWithLogin(850, 806), recoveredWithLogin(860, 800, 1)], new Date(0));
  expect(summarize(baseline.runs)[0]).toMatchObject({ recoveryMs: { p50: 850 }, reconnectMs: { p50: 44 }, loginMs: { p50: 800 } });
  const busy = buildReport(header, [recoveredWithLogin(1_850, 1_800), recoveredWithLogin(1_900, 1_850, 1)], new Date(0));
  const g = gate(baseline, busy, tol);
  expect(g.passed, g.findings.map((f) => f.message).join('; ')).toBe(true);
  expect(g.compared.find((c) => c.metric === 'p50')).toMatchObject({ baseline: 44, current: 50, loginP50: { baseline: 800, current: 1_800 } });
  // The bot waits 2 s longer before it reconnects: caught, with the login beside it.
  const later = buildReport(header, [recoveredWithLogin(2_850, 806), recoveredWithLogin(2_860, 800, 1)], new Date(0));
  const l = gate(baseline, later, tol);
  expect(l.passed).toBe(false);
  expect(l.findings.map((f) => f.message)).toContain('reconnect p50 2.0 s vs baseline 44 ms (+2.0 s, 4545 %; limit 457 ms; login p50 800 ms, baseline 800 ms: not gated)');
  // A login that began before the fault cleared counts from the clear: never more than the recovery.
  const early = recoveredWithLogin(300, 1_000);
  expect(summarize([early])[0]).toMatchObject({ reconnectMs: { p50: 0 }, loginMs: { p50: 300 } });
});

test('the gate on what each baseline row has: ∞ now where the baseline had a value, the attempt rate, errors (exit 4 unless a regression)', () => {
  const tol = { ratio: 0.5, slackMs: 100, attemptsSlackPerMinute: 1 };
  const baseline = buildReport(header, [run({ recover: [1000, 1000] })], new Date(0));
  const stuck = buildReport(header, [run({ recover: [1000, null] })], new Date(0));
  const g = gate(baseline, stuck, tol);
  expect(g.exitCode).toBe(1);
  expect(g.findings.map((f) => f.message)).toContain('reconnect p99: baseline 1.0 s, now ∞: 1 of 2 clients not open again by the end of the window');
  // A baseline row with no recovery (null) still gates the attempt rate.
  const baseNull = buildReport(header, [run({ recover: [null], attemptsPerMinute: 2 })], new Date(0));
  const storm = buildReport(header, [run({ recover: [null], attemptsPerMinute: 10 })], new Date(0));
  const s = gate(baseNull, storm, tol);
  expect(s.findings).toEqual([expect.objectContaining({ kind: 'regression', message: expect.stringMatching(/attempts per minute 10\.0 vs baseline 2\.0 \(limit 4\.0\)/) })]);
  expect(gate(baseNull, buildReport(header, [run({ recover: [null], attemptsPerMinute: 3 })], new Date(0)), tol).passed).toBe(true);
  // An error run: exit 4 alone, 1 beside a regression.
  const broken = run({ runIndex: 1, verdict: 'error', error: 'no network namespace\n  at x', invariants: [], metrics: [] });
  const e = gate(baseline, buildReport(header, [run({ recover: [1000, 1000] }), broken], new Date(0)), tol);
  expect(e).toMatchObject({ passed: false, exitCode: 4, findings: [{ kind: 'error', message: expect.stringContaining('no network namespace') }] });
  expect(gate(baseline, buildReport(header, [run({ recover: [1000, null] }), broken], new Date(0)), tol).exitCode).toBe(1);
  // A row of errors only (the harness ran none of it): its errors, exit 4, no recovery 'regression' on the bot.
  const none = gate(baseline, buildReport(header, [broken], new Date(0)), tol);
  expect(none).toMatchObject({ passed: false, exitCode: 4 });
  expect(none.findings.map((f) => f.kind)).toEqual(['error']);
});

test('an older report is read into today\'s fields: supervisor → bot, unknown with an error → error', () => {
  const r = JSON.parse(JSON.stringify(buildReport(header, [run({}), run({ runIndex: 1, verdict: 'error', error: 'boom' })], new Date(0))));
  delete r.bot;
  r.supervisor = 'reference';
  r.runs[1].verdict = 'unknown';
  const read = parseReport(r, 'old.json');
  expect(read.bot).toBe('reference');
  expect(read.runs[1]!.verdict).toBe('error');
  expect(read.summary[0]).toMatchObject({ error: 1, unknown: 0, verdict: 'error' });
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
