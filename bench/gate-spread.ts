/**
 * Bench section `gate-spread`: how much the numbers the CI gate compares move from one run of the
 * baseline's suite to the next, with nothing changed, and the gate tolerance derived from that.
 *
 * It runs `baileys-chaos check --baseline reports/baseline.json` R times (each a fresh process
 * that re-runs exactly what the baseline ran: scenarios, versions, settings, seeds, speed,
 * the reference bot) and reads each repetition's report.json. Per gated metric — per baseline row,
 * the recovery p50, p95, p99 and the attempts per minute, as `gate` compares them — it takes the
 * R values and their spread; from the worst spreads it derives the tolerance (deriveTolerance,
 * the rule in TOLERANCE_RULE). It also gates every repetition against the committed baseline with
 * the derived tolerance and with the defaults in force, so the JSON says whether the committed
 * baseline passes on this machine.
 *
 * The derivation (spreadOf, deriveTolerance, gatedSamples) is pure: test/unit/gate-spread.test.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gate, GATE_TOLERANCE, gatedRecovery, machineMsPerReportMs, rowKey, type GatedMetric } from '../harness/report/baseline.js';
import type { Report } from '../harness/report/schema.js';
import { summarize } from '../harness/report/summarize.js';
import { readReportFile } from '../harness/report/write.js';

/** Each tolerance term covers this many times the worst growth seen between two runs. */
export const SAFETY_FACTOR = 2;
/** Derived values are rounded up to these steps (and are at least one step). */
export const TOLERANCE_STEPS = { ratio: 0.05, slackMachineMs: 10, attemptsSlackPerMinute: 0.1 } as const;

export const TOLERANCE_RULE =
  `Per gated metric, its growth: from the lowest of the R runs to the highest (as if the lowest were the baseline and the highest the check); ` +
  `the gate's limit, base·(1 + ratio) + slack, must clear ${SAFETY_FACTOR} × every growth seen (base: the metric's lowest run). ` +
  `The ratio is for large values, the slack for small ones (where a machine stall of tens of ms is a large share): ` +
  `ratio = ${SAFETY_FACTOR} × the worst relative growth (max/min − 1) among the recovery percentiles at or above the typical gated value ` +
  `(the median over the recovery percentiles of their median), rounded up to ${TOLERANCE_STEPS.ratio}; ` +
  `slackMachineMs = the least slack that, with that ratio, clears ${SAFETY_FACTOR} × the growth of every recovery percentile, in machine ms (report ms ÷ the speed), rounded up to ${TOLERANCE_STEPS.slackMachineMs} ms; ` +
  `attemptsSlackPerMinute likewise for the attempt rates, rounded up to ${TOLERANCE_STEPS.attemptsSlackPerMinute}. Each term is at least one step. ` +
  `A metric with a value in some runs and none (∞) in others is listed as unstable: no tolerance covers it.`;

/** The R values of one gated metric of one baseline row (recovery: real-world ms; null: none / ∞). */
export interface MetricSamples {
  row: string;
  metric: GatedMetric;
  values: (number | null)[];
}

export type ValueSpread =
  /** Null in every run: the gate compares nothing (a row whose recovery is not measured). */
  | { kind: 'none' }
  /** A value in some runs, null (∞, or no data) in others: the gate would fail on it. */
  | { kind: 'unstable'; measured: number; of: number }
  | {
      kind: 'measured';
      min: number;
      median: number;
      max: number;
      /** max/min − 1: the growth a check run would show over a baseline run; null when min is 0. */
      relative: number | null;
      /** max − min, in the values' unit. */
      absolute: number;
    };

export function spreadOf(values: (number | null)[]): ValueSpread {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { kind: 'none' };
  if (xs.length < values.length) return { kind: 'unstable', measured: xs.length, of: values.length };
  const min = xs[0]!;
  const max = xs.at(-1)!;
  const median = (xs[Math.floor((xs.length - 1) / 2)]! + xs[Math.ceil((xs.length - 1) / 2)]!) / 2;
  return { kind: 'measured', min, median, max, relative: min > 0 ? max / min - 1 : max === 0 ? 0 : null, absolute: max - min };
}

/** Rounds up to a multiple of step (at least one step), without floating-point dust. */
export function roundUp(x: number, step: number): number {
  const steps = Math.max(1, Math.ceil(x / step - 1e-9));
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number((steps * step).toFixed(decimals));
}

export interface Worst {
  row: string;
  metric: GatedMetric;
  value: number;
}

export interface DerivedTolerance {
  ratio: number;
  slackMachineMs: number;
  attemptsSlackPerMinute: number;
  /** The typical gated value, machine ms: the ratio is taken from the recovery percentiles at or above it. */
  typicalMachineMs: number;
  /**
   * What set each term (undefined: nothing measured of that kind, the term is one step): the
   * relative growth behind the ratio, and the slack each slack term had to be (before rounding).
   */
  setBy: { ratio?: Worst; slackMachineMs?: Worst; attemptsSlackPerMinute?: Worst };
  /** The largest growths seen (relative: max/min − 1 of any metric; absolute: recovery in machine ms; the attempt rate's). */
  worst: { relative?: Worst; absoluteMachineMs?: Worst; attemptsPerMinute?: Worst };
  /** Metrics with a value in some runs and ∞ in others (the gate would fail on them whatever the tolerance). */
  unstable: { row: string; metric: GatedMetric; measured: number; of: number }[];
}

/**
 * The tolerance from the samples (TOLERANCE_RULE). machinePerReportMs (machineMsPerReportMs of the
 * baseline) turns recovery (report ms) into machine ms, the unit of GATE_TOLERANCE.slackMachineMs.
 */
export function deriveTolerance(samples: MetricSamples[], machinePerReportMs: number, safety = SAFETY_FACTOR): DerivedTolerance {
  const worst: DerivedTolerance['worst'] = {};
  const setBy: DerivedTolerance['setBy'] = {};
  const unstable: DerivedTolerance['unstable'] = [];
  const raise = <K extends string>(into: Partial<Record<K, Worst>>, key: K, s: MetricSamples, value: number) => {
    if (!into[key] || value > into[key]!.value) into[key] = { row: s.row, metric: s.metric, value };
  };
  // In the slacks' units: machine ms for recovery, attempts per minute for the attempt rate.
  const measured: { s: MetricSamples; min: number; median: number; growth: number; relative: number | null; recovery: boolean }[] = [];
  for (const s of samples) {
    const sp = spreadOf(s.values);
    if (sp.kind === 'unstable') unstable.push({ row: s.row, metric: s.metric, measured: sp.measured, of: sp.of });
    if (sp.kind !== 'measured') continue;
    const recovery = s.metric !== 'attemptsPerMinute';
    const unit = recovery ? machinePerReportMs : 1;
    measured.push({ s, min: sp.min * unit, median: sp.median * unit, growth: sp.absolute * unit, relative: sp.relative, recovery });
    if (sp.relative !== null) raise(worst, 'relative', s, sp.relative);
    raise(worst, recovery ? 'absoluteMachineMs' : 'attemptsPerMinute', s, sp.absolute * unit);
  }
  const recoveries = measured.filter((m) => m.recovery);
  const medians = spreadOf(recoveries.map((m) => m.median));
  const typical = medians.kind === 'measured' ? medians.median : 0;
  for (const m of recoveries) if (m.median >= typical && m.relative !== null) raise(setBy, 'ratio', m.s, m.relative);
  const ratio = roundUp(safety * (setBy.ratio?.value ?? 0), TOLERANCE_STEPS.ratio);
  for (const m of measured) raise(setBy, m.recovery ? 'slackMachineMs' : 'attemptsSlackPerMinute', m.s, safety * m.growth - ratio * m.min);
  return {
    ratio,
    slackMachineMs: roundUp(Math.max(0, setBy.slackMachineMs?.value ?? 0), TOLERANCE_STEPS.slackMachineMs),
    attemptsSlackPerMinute: roundUp(Math.max(0, setBy.attemptsSlackPerMinute?.value ?? 0), TOLERANCE_STEPS.attemptsSlackPerMinute),
    typicalMachineMs: typical,
    setBy,
    worst,
    unstable,
  };
}

const GATED_PERCENTILES = ['p50', 'p95', 'p99'] as const;

/**
 * What the gate compares, per row of the baseline, from each report: the reconnect percentiles
 * (recovery less its last login, real-world ms; gatedRecovery) and, for rows with runs the harness carried out, the attempts per minute.
 */
export function gatedSamples(baseline: Report, reports: Report[]): MetricSamples[] {
  const rows = reports.map((r) => new Map(summarize(r.runs).map((s) => [rowKey(s), s])));
  const samples: MetricSamples[] = [];
  for (const base of summarize(baseline.runs)) {
    const row = rowKey(base);
    const now = rows.map((m) => m.get(row));
    for (const metric of GATED_PERCENTILES) samples.push({ row, metric, values: now.map((s) => (s ? gatedRecovery(s)[metric] : null)) });
    if (base.runs > base.error) samples.push({ row, metric: 'attemptsPerMinute', values: now.map((s) => (s && s.runs > s.error ? s.attemptsPerMinute : null)) });
  }
  return samples;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** One `check` against the baseline, its progress lines passed on; its report.json read back. */
async function checkOnce(baselinePath: string, out: string, label: string): Promise<{ report: Report; exitCode: number | null; wallSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/baileys-chaos.js', 'check', '--baseline', baselinePath, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`bench: gate-spread ${label} │ ${line}\n`));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { report: await readReportFile(join(out, 'report.json')), exitCode, wallSeconds: (performance.now() - started) / 1000 };
}

export interface GateSpreadOptions {
  repetitions: number;
  baselinePath?: string;
  note?: string;
}

/** The section: R checks against the baseline, the spread of every gated metric, the derived tolerance. */
export async function benchGateSpread({ repetitions, baselinePath = join('reports', 'baseline.json'), note }: GateSpreadOptions) {
  if (!Number.isInteger(repetitions) || repetitions < 2) throw new Error(`Failed to measure the gate spread: --gate-repetitions must be a whole number ≥ 2, got ${repetitions}`);
  const baseline = await readReportFile(baselinePath);
  const date = new Date().toISOString();
  const commit = git(['rev-parse', 'HEAD']);
  const uncommittedChanges = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const loadBefore = loadavg().map((x) => round(x, 2));
  const work = await mkdtemp(join(tmpdir(), 'bc-bench-gate-'));
  const reps: { index: number; wallSeconds: number; checkExitCode: number | null; verdicts: Record<string, number> }[] = [];
  const reports: Report[] = [];
  const started = performance.now();
  try {
    for (let i = 1; i <= repetitions; i++) {
      process.stderr.write(`bench: gate-spread: repetition ${i}/${repetitions} of the baseline's suite (${baseline.runs.length} runs: ${baseline.scenarios.join(', ')} × ${baseline.versions.join(', ')}, seed ${baseline.seed}, ${baseline.speed ? `virtual time x${baseline.speed.k}` : `time scale ${baseline.timeScale}`}; elapsed ${((performance.now() - started) / 60_000).toFixed(1)} min)…\n`);
      const { report, exitCode, wallSeconds } = await checkOnce(baselinePath, join(work, `rep-${i}`), `${i}/${repetitions}`);
      const verdicts: Record<string, number> = {};
      for (const r of report.runs) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
      reps.push({ index: i, wallSeconds: round(wallSeconds, 1), checkExitCode: exitCode, verdicts });
      reports.push(report);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const samples = gatedSamples(baseline, reports);
  const unit = machineMsPerReportMs(baseline);
  const derived = deriveTolerance(samples, unit);
  const baseRows = new Map(summarize(baseline.runs).map((s) => [rowKey(s), s]));
  const metrics = samples.map((s) => {
    const sp = spreadOf(s.values);
    const recovery = s.metric !== 'attemptsPerMinute';
    const base = baseRows.get(s.row);
    const baselineValue = recovery ? (base ? gatedRecovery(base)[s.metric as 'p50'] : null) : (base?.attemptsPerMinute ?? null);
    const digits = recovery ? 1 : 3;
    return {
      row: s.row,
      metric: s.metric,
      unit: recovery ? 'real-world ms' : 'attempts per real-world minute',
      values: s.values.map((v) => (v === null ? null : round(v, digits))),
      committedBaseline: baselineValue === null ? null : round(baselineValue, digits),
      spread: sp.kind,
      ...(sp.kind === 'measured'
        ? {
            min: round(sp.min, digits),
            median: round(sp.median, digits),
            max: round(sp.max, digits),
            maxOverMin: sp.min > 0 ? round(sp.max / sp.min, 3) : null,
            relativeGrowth: sp.relative === null ? null : round(sp.relative, 3),
            absoluteGrowth: round(sp.absolute, digits),
            ...(recovery ? { absoluteGrowthMachineMs: round(sp.absolute * unit, 1) } : {}),
          }
        : {}),
    };
  });
  const tolerance = { ratio: derived.ratio, slackMachineMs: derived.slackMachineMs, attemptsSlackPerMinute: derived.attemptsSlackPerMinute };
  const against = (tol: typeof tolerance) =>
    reports.map((r, i) => {
      const g = gate(baseline, r, { ratio: tol.ratio, slackMs: tol.slackMachineMs / unit, attemptsSlackPerMinute: tol.attemptsSlackPerMinute });
      return { repetition: i + 1, passed: g.passed, failures: g.findings.filter((f) => f.fails).map((f) => `${f.kind} ${f.row}: ${f.message}`) };
    });
  const loadAfter = loadavg().map((x) => round(x, 2));
  return {
    date,
    commit,
    uncommittedChanges,
    replay: `npm run bench -- --only gate-spread --gate-repetitions ${repetitions}`,
    suite: { baseline: baselinePath, bot: baseline.bot, scenarios: baseline.scenarios, versions: baseline.versions, seed: baseline.seed, ...(baseline.speed ? { speed: baseline.speed.k } : { timeScale: baseline.timeScale }), runsPerRepetition: baseline.runs.length },
    repetitions,
    machine: { cpus: cpus().length, loadAverage1m5m15mBefore: loadBefore, loadAverage1m5m15mAfter: loadAfter },
    wallMinutes: round((performance.now() - started) / 60_000, 1),
    ...(note ? { note } : {}),
    rule: TOLERANCE_RULE,
    safetyFactor: SAFETY_FACTOR,
    worst: {
      relativeGrowth: derived.worst.relative ? { ...derived.worst.relative, value: round(derived.worst.relative.value, 3) } : null,
      absoluteGrowthMachineMs: derived.worst.absoluteMachineMs ? { ...derived.worst.absoluteMachineMs, value: round(derived.worst.absoluteMachineMs.value, 1) } : null,
      attemptsPerMinuteGrowth: derived.worst.attemptsPerMinute ? { ...derived.worst.attemptsPerMinute, value: round(derived.worst.attemptsPerMinute.value, 3) } : null,
    },
    derivation: {
      typicalGatedValueMachineMs: round(derived.typicalMachineMs, 1),
      ratioFromRelativeGrowth: derived.setBy.ratio ? { ...derived.setBy.ratio, value: round(derived.setBy.ratio.value, 3) } : null,
      slackMachineMsNeeded: derived.setBy.slackMachineMs ? { ...derived.setBy.slackMachineMs, value: round(derived.setBy.slackMachineMs.value, 1) } : null,
      attemptsSlackNeeded: derived.setBy.attemptsSlackPerMinute ? { ...derived.setBy.attemptsSlackPerMinute, value: round(derived.setBy.attemptsSlackPerMinute.value, 3) } : null,
    },
    unstable: derived.unstable,
    tolerance,
    defaultsWhenMeasured: { ...GATE_TOLERANCE },
    repetitionRuns: reps,
    againstCommittedBaseline: { withDerivedTolerance: against(tolerance), withDefaultsWhenMeasured: against({ ...GATE_TOLERANCE }) },
    metrics,
  };
}
