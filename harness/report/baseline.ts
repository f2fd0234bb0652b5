/**
 * The CI gate: a report against a baseline. Both are summarised by this code (summarize), so a
 * baseline written by an older version is read with today's rules. The gate fails on
 *   - any invalid run (the bot is blamed);
 *   - any unknown run, unless unknown is allowed (--allow-unknown): undecided is not a pass;
 *   - any error run (the harness could not run the scenario as asked; not blamed on the bot: exit 4
 *     when nothing else failed, see gateExitCode);
 *   - per baseline row (scenario × version × setting), every metric the baseline has: a reconnect
 *     percentile (p50, p95, p99; SummaryRow.reconnectMs: recovery less its last login) worse than
 *     base·(1 + ratio) + slack, or null now (clients not recovered: "∞") where the baseline had a
 *     value; attempts per minute above base·(1 + ratio) + attempts slack. A baseline percentile
 *     that is null (no data, or ∞) gates nothing; the row's runs are still gated on their verdicts
 *     and its attempt rate;
 *   - a baseline row missing now.
 * The login is left out because it is CPU work, not the bot's decision: at x10 an 80 ms login reads
 * as 800 ms, and a CI machine running two checks beside other work made it 1.8 s (+128 %, a failed
 * gate in CI on 2026-11-29 with nothing changed). Not recovering still fails (∞), whatever the login.
 * The slack is in report ms: machine time × the speed, because a 100 ms hiccup of a loaded CI
 * machine reads as 1 s at x10 (÷ the retired time scale: 2.5 s at 0.04).
 */
import { exitCodeFor } from './exit-code.js';
import { formatMs, formatRecovery } from './format.js';
import type { Percentiles, Report, SummaryRow } from './schema.js';
import { summarize } from './summarize.js';

/**
 * The gate's default tolerance and slack, derived from the measured run-to-run spread of the
 * baseline's own suite. `npm run bench -- --only gate-spread --gate-repetitions 9`
 * (bench/gate-spread.ts) re-ran everything reports/baseline.json ran 9 times on this repository's
 * 2-core machine (shared with other work: noisy) and wrote, per gated metric, the values, their
 * growth from the lowest run to the highest and the tolerance derived from it into
 * bench/results/bench.json, section gateSpread (2026-11-27; the rule in full there, `rule`):
 *   ratio = 2 × the worst relative growth among the recovery percentiles at or above the typical
 *           gated value (stream-errors on 7.0.0-rc14 p95: +12.6 %), rounded up to 5 %;
 *   slack = the least that, with that ratio, clears twice the growth of every recovery percentile,
 *           in machine ms (stream-errors on 6.7.21 p50, 887 → 1480 ms real-world = 35.5 → 59.2 ms
 *           machine: 2 × 23.7 − 0.3 × 35.5 = 36.7 ms), rounded up to 10 ms;
 *   attempts slack likewise for the attempt rates (their growth ≤ 0.004 per minute): one step, 0.1.
 * Three noisier measurements of 3 runs in the hour before saw larger growths (keepalive-timeout on
 * 7.0.0-rc14 p95 +45 %): these defaults clear them too, but with less than the factor 2 (up to 85 %
 * of the allowance used); see the section's note.
 * The former hand-chosen defaults (50 %, 250 ms, 1 per minute) were looser than the spread asks,
 * the slack most: 250 ms of machine time is 6.25 s real-world at the default scale, more than a
 * typical recovery here (≈ 4 s). test/unit/gate-spread.test.ts keeps these equal to that section:
 * re-measure, then copy its `tolerance` here.
 */
export const GATE_TOLERANCE = {
  /** Allowed relative growth of a recovery percentile and of the attempt rate (0.3 = 30 %). */
  ratio: 0.3,
  /** Allowed absolute growth of a recovery percentile, ms of machine time (÷ the time scale: real-world). */
  slackMachineMs: 40,
  /** Allowed absolute growth of the attempt rate, attempts per real-world minute (all clients). */
  attemptsSlackPerMinute: 0.1,
} as const;

/** Where GATE_TOLERANCE comes from, in a sentence for --help. */
export const GATE_TOLERANCE_SOURCE =
  'derived from the run-to-run spread of the baseline\'s suite, 9 runs on this repository\'s shared 2-core machine ' +
  '("npm run bench -- --only gate-spread"; bench/results/bench.json, gateSpread, 2026-11-27, time-scaled): the limit clears twice the worst growth seen between two runs. ' +
  'In virtual time x10, gating reconnect (recovery less its last login), it passed 6 of 6 checks of this repository\'s baseline on a busy machine (gateSpreadReconnectAtSpeed10; gating recovery it had failed 2 of 6: a login read 10 times longer)';

export interface Tolerance {
  /** Allowed relative growth of a percentile and of the attempt rate (0.5 = 50 %). */
  ratio: number;
  /** Allowed absolute growth of a recovery percentile, real-world ms. */
  slackMs: number;
  /** Allowed absolute growth of attempts per minute (default GATE_TOLERANCE.attemptsSlackPerMinute). */
  attemptsSlackPerMinute?: number;
}

/**
 * Machine ms per report ms: CPU work reads K times longer in virtual time at speed K, and the
 * retired time scale divided it by the scale. The unit of GATE_TOLERANCE.slackMachineMs.
 */
export const machineMsPerReportMs = (report: Pick<Report, 'speed' | 'timeScale'>): number => (report.speed ? 1 / report.speed.k : report.timeScale);

/** The default tolerance in report ms, for a baseline whose report ms are `machinePerReportMs` machine ms each. */
export function defaultTolerance(machinePerReportMs: number): Required<Tolerance> {
  return { ratio: GATE_TOLERANCE.ratio, slackMs: GATE_TOLERANCE.slackMachineMs / machinePerReportMs, attemptsSlackPerMinute: GATE_TOLERANCE.attemptsSlackPerMinute };
}

export interface GateOptions {
  /** --allow-unknown: unknown runs are listed, not failed. */
  allowUnknown?: boolean;
}

export interface GateFinding {
  kind: 'invalid' | 'regression' | 'missing' | 'unknown' | 'error';
  row: string;
  message: string;
  /** Does it fail the gate? (false only for unknown runs when unknown is allowed) */
  fails: boolean;
}

export type GatedMetric = keyof Percentiles | 'attemptsPerMinute';

export interface GateResult {
  passed: boolean;
  /** 0 passed · 1 an invalid run, a regression, a missing row, or unknown not allowed · 3 only errors failed (the harness, not the bot). */
  exitCode: number;
  findings: GateFinding[];
  /** Rows compared, with their metrics side by side (recovery percentiles real-world ms, attempts per minute). */
  compared: { row: string; metric: GatedMetric; baseline: number | null; current: number | null; limit: number | null; regressed: boolean; /** Clients not recovered now (reconnect rows). */ notRecovered?: number; /** The row's login p50 in the baseline and now (reconnect rows): shown, not gated. */ loginP50?: { baseline: number | null; current: number | null } }[];
}

export const rowKey = (r: Pick<SummaryRow, 'scenario' | 'version' | 'setting'>) => `${r.scenario} on ${r.version}${r.setting === 'default' ? '' : ` [${r.setting}]`}`;
const GATED: (keyof Percentiles)[] = ['p50', 'p95', 'p99'];

export function gate(baseline: Report, current: Report, tol: Tolerance, opts: GateOptions = {}): GateResult {
  const findings: GateFinding[] = [];
  const compared: GateResult['compared'] = [];
  for (const run of current.runs) {
    if (run.verdict === 'invalid') {
      const failed = run.invariants.filter((i) => i.verdict === 'invalid').map((i) => `${i.invariant}: ${i.message}`);
      findings.push({ kind: 'invalid', row: run.id, message: `${failed.join('; ') || run.error || 'invalid'} — replay: ${run.replay}`, fails: true });
    } else if (run.verdict === 'unknown') {
      const undecided = run.invariants.filter((i) => i.verdict === 'unknown').map((i) => `${i.invariant}: ${i.message}`);
      findings.push({ kind: 'unknown', row: run.id, message: `undecided (the observation window ended first): ${undecided.join('; ') || 'no check decided'} — replay: ${run.replay}`, fails: !opts.allowUnknown });
    } else if (run.verdict === 'error') {
      findings.push({ kind: 'error', row: run.id, message: `the harness could not run it (not blamed on the bot): ${(run.error ?? 'no cause recorded').split('\n')[0]}`, fails: true });
    }
  }
  const now = new Map(summarize(current.runs).map((r) => [rowKey(r), r]));
  const attemptsSlack = tol.attemptsSlackPerMinute ?? GATE_TOLERANCE.attemptsSlackPerMinute;
  for (const base of summarize(baseline.runs)) {
    const row = rowKey(base);
    const cur = now.get(row);
    if (!cur) {
      findings.push({ kind: 'missing', row, message: 'in the baseline but not in this run (a scenario, version or setting was dropped)', fails: true });
      continue;
    }
    // A row the harness could not run at all (every run an error) has no recovery to compare: its
    // errors fail it (exit 4), never a regression blamed on the bot.
    const loginP50 = { baseline: base.loginMs.p50, current: cur.loginMs.p50 };
    for (const metric of cur.runs > cur.error ? GATED : []) {
      const b = gatedRecovery(base)[metric];
      const c = gatedRecovery(cur)[metric];
      const limit = b === null ? null : b * (1 + tol.ratio) + tol.slackMs;
      let regressed = false;
      if (b !== null && limit !== null && c === null) {
        regressed = true;
        const why = cur.notRecovered > 0 ? `∞: ${cur.notRecovered} of ${cur.clients} clients not open again by the end of the window` : 'no client recovered';
        findings.push({ kind: 'regression', row, message: `reconnect ${metric}: baseline ${formatMs(b)}, now ${why}`, fails: true });
      } else if (b !== null && limit !== null && c !== null && c > limit) {
        regressed = true;
        findings.push({ kind: 'regression', row, message: `reconnect ${metric} ${formatMs(c)} vs baseline ${formatMs(b)} (+${formatMs(c - b)}, ${b > 0 ? `${((c / b - 1) * 100).toFixed(0)} %` : 'from 0'}; limit ${formatMs(limit)}; ${describeLogin(loginP50)})`, fails: true });
      }
      compared.push({ row, metric, baseline: b, current: c, limit, regressed, notRecovered: cur.notRecovered, loginP50 });
    }
    // Runs the harness could not carry out have no attempt rate: a row of only errors gates its verdicts only.
    if (base.runs > base.error && cur.runs > cur.error) {
      const b = base.attemptsPerMinute;
      const c = cur.attemptsPerMinute;
      const limit = b * (1 + tol.ratio) + attemptsSlack;
      const regressed = c > limit;
      if (regressed) findings.push({ kind: 'regression', row, message: `attempts per minute ${c.toFixed(1)} vs baseline ${b.toFixed(1)} (limit ${limit.toFixed(1)}): more reconnect pressure`, fails: true });
      compared.push({ row, metric: 'attemptsPerMinute', baseline: b, current: c, limit, regressed });
    }
  }
  const exitCode = gateExitCode(findings, current, opts);
  return { passed: exitCode === 0, exitCode, findings, compared };
}

/** The recovery percentiles the gate compares: recovery less its last login (SummaryRow.reconnectMs). */
export const gatedRecovery = (row: Pick<SummaryRow, 'reconnectMs'>): Percentiles => row.reconnectMs;

/** "login p50 2.1 s, baseline 800 ms: not gated" (CPU work; the reader sees whether it moved). */
const describeLogin = (login: { baseline: number | null; current: number | null }) => `login p50 ${formatMs(login.current)}, baseline ${formatMs(login.baseline)}: not gated`;

/** A regression or a missing row → 1; else the run verdicts' code (exitCodeFor: 4 for errors, 3 for unknown). */
function gateExitCode(findings: GateFinding[], current: Report, opts: GateOptions): number {
  if (findings.some((f) => f.fails && (f.kind === 'regression' || f.kind === 'missing'))) return 1;
  return exitCodeFor(current.runs.map((r) => r.verdict), opts);
}

/** "reconnect p95 1.2 s (baseline 1.0 s, limit 1.6 s; login p50 …)", "∞ (not recovered)" where it is; "attempts/min 3.0 (baseline 2.5, limit 4.8)". */
export function describeCompared(c: GateResult['compared'][number]): string {
  if (c.metric === 'attemptsPerMinute') return `attempts/min ${c.current?.toFixed(1) ?? '—'} (baseline ${c.baseline?.toFixed(1) ?? '—'}, limit ${c.limit?.toFixed(1) ?? '—'})`;
  const login = c.loginP50 ? `; ${describeLogin(c.loginP50)}` : '';
  return `reconnect ${c.metric} ${formatRecovery(c.current, c.notRecovered)} (baseline ${formatMs(c.baseline)}, limit ${formatMs(c.limit)}${login})`;
}
