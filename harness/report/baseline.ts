/**
 * The CI gate: a report against a baseline. It fails on any invalid run, and on any recovery
 * percentile worse than the baseline's beyond the tolerance: worse than base·(1 + ratio) + slack.
 * The slack is in real-world ms; its default is a quarter second of machine time ÷ the time scale,
 * because at a scale of 0.04 a 100 ms hiccup of a loaded CI machine reads as 2.5 s real-world.
 * Unknown verdicts are listed but do not fail the gate: they are undecided, not regressions.
 */
import { formatMs } from './format.js';
import type { Percentiles, Report, SummaryRow } from './schema.js';

export interface Tolerance {
  /** Allowed relative growth of a percentile (0.5 = 50 %). */
  ratio: number;
  /** Allowed absolute growth, real-world ms. */
  slackMs: number;
}

export function defaultTolerance(timeScale: number): Tolerance {
  return { ratio: 0.5, slackMs: 250 / timeScale };
}

export interface GateFinding {
  kind: 'invalid' | 'regression' | 'missing' | 'unknown';
  row: string;
  message: string;
}

export interface GateResult {
  passed: boolean;
  findings: GateFinding[];
  /** Rows compared, with their percentiles side by side. */
  compared: { row: string; metric: keyof Percentiles; baseline: number | null; current: number | null; limit: number | null }[];
}

const rowKey = (r: Pick<SummaryRow, 'scenario' | 'version' | 'setting'>) => `${r.scenario} on ${r.version}${r.setting === 'default' ? '' : ` [${r.setting}]`}`;
const GATED: (keyof Percentiles)[] = ['p50', 'p95', 'p99'];

export function gate(baseline: Report, current: Report, tol: Tolerance): GateResult {
  const findings: GateFinding[] = [];
  const compared: GateResult['compared'] = [];
  for (const run of current.runs.filter((r) => r.verdict === 'invalid')) {
    const failed = run.invariants.filter((i) => i.verdict === 'invalid').map((i) => `${i.invariant}: ${i.message}`);
    findings.push({ kind: 'invalid', row: run.id, message: `${failed.join('; ') || run.error || 'invalid'} — replay: ${run.replay}` });
  }
  for (const run of current.runs.filter((r) => r.verdict === 'unknown')) findings.push({ kind: 'unknown', row: run.id, message: run.error ? `could not run: ${run.error.split('\n')[0]}` : 'the observation window ended before a verdict' });
  for (const base of baseline.summary) {
    const row = rowKey(base);
    const now = current.summary.find((r) => rowKey(r) === row);
    if (!now) {
      findings.push({ kind: 'missing', row, message: 'in the baseline but not in this run (a scenario, version or setting was dropped)' });
      continue;
    }
    for (const metric of GATED) {
      const b = base.recoveryMs[metric];
      const c = now.recoveryMs[metric];
      const limit = b === null ? null : b * (1 + tol.ratio) + tol.slackMs;
      compared.push({ row, metric, baseline: b, current: c, limit });
      if (limit !== null && c !== null && c > limit) {
        findings.push({ kind: 'regression', row, message: `recovery ${metric} ${formatMs(c)} vs baseline ${formatMs(b!)} (+${formatMs(c - b!)}, ${b! > 0 ? `${((c / b! - 1) * 100).toFixed(0)} %` : 'from 0'}; limit ${formatMs(limit)})` });
      }
      if (b !== null && c === null) findings.push({ kind: 'regression', row, message: `recovery ${metric}: baseline ${formatMs(b)}, now no client recovered` });
    }
  }
  return { passed: !findings.some((f) => f.kind !== 'unknown'), findings, compared };
}

