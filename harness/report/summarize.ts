/**
 * Derived tables, computed from the runs alone so a merged report summarises exactly as a
 * single run would: per scenario × version × setting, and the tune trade-off with its Pareto front.
 */
import type { Verdict } from '../invariants.js';
import type { Percentiles, RunReport, SummaryRow, TunePoint } from './schema.js';

/** Nearest-rank percentile (null for no data). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function percentiles(values: number[]): Percentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100) };
}

export function combineVerdicts(verdicts: Verdict[]): Verdict {
  return verdicts.includes('invalid') ? 'invalid' : verdicts.includes('unknown') ? 'unknown' : 'valid';
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function summarize(runs: RunReport[]): SummaryRow[] {
  const groups = new Map<string, RunReport[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.scenario, r.version, r.setting]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const { scenario, version, setting } = group[0]!;
    const clients = group.flatMap((r) => r.metrics);
    const names = [...new Set(group.flatMap((r) => r.invariants.map((i) => i.invariant)))];
    const count = (v: Verdict) => group.filter((r) => r.verdict === v).length;
    return {
      scenario,
      version,
      setting,
      runs: group.length,
      valid: count('valid'),
      invalid: count('invalid'),
      unknown: count('unknown'),
      verdict: combineVerdicts(group.map((r) => r.verdict)),
      recoveryMs: percentiles(clients.flatMap((m) => (m.recoverMs === null ? [] : [m.recoverMs]))),
      detectMs: percentiles(clients.flatMap((m) => m.detectMs)),
      attemptsPerRun: mean(group.map((r) => r.metrics.reduce((a, m) => a + m.attempts, 0))),
      attemptsPerMinute: mean(group.map((r) => r.attemptsPerMinute)),
      stormPeakPerSecond: Math.max(0, ...group.map((r) => r.stormPeakPerSecond)),
      qrRePairs: clients.reduce((a, m) => a + m.qrRePairs, 0),
      sessionsLost: clients.reduce((a, m) => a + m.sessionsLost, 0),
      availability: mean(clients.map((m) => m.availability)),
      invariants: names.map((name) => {
        const checks = group.flatMap((r) => r.invariants.filter((i) => i.invariant === name));
        return { name, valid: checks.filter((c) => c.verdict === 'valid').length, invalid: checks.filter((c) => c.verdict === 'invalid').length, unknown: checks.filter((c) => c.verdict === 'unknown').length };
      }),
    };
  });
}

/**
 * One point per setting over all its runs; Pareto on (recovery p95, attempts per minute), both
 * lower-better. A setting with no recovery measured (null p95) never dominates and is never on
 * the front.
 */
export function tunePoints(runs: RunReport[], settings: { label: string; values: Record<string, number> }[]): TunePoint[] {
  const points = settings.map((s) => {
    const own = runs.filter((r) => r.setting === s.label);
    const recoveries = own.flatMap((r) => r.metrics.flatMap((m) => (m.recoverMs === null ? [] : [m.recoverMs])));
    return {
      setting: s.label,
      values: s.values,
      recoveryP95Ms: percentile(recoveries, 95),
      attemptsPerMinute: mean(own.map((r) => r.attemptsPerMinute)),
      stormPeakPerSecond: Math.max(0, ...own.map((r) => r.stormPeakPerSecond)),
      invalid: own.filter((r) => r.verdict === 'invalid').length,
      pareto: false,
    };
  });
  const dominates = (a: TunePoint, b: TunePoint) =>
    a.recoveryP95Ms !== null &&
    b.recoveryP95Ms !== null &&
    a.recoveryP95Ms <= b.recoveryP95Ms &&
    a.attemptsPerMinute <= b.attemptsPerMinute &&
    (a.recoveryP95Ms < b.recoveryP95Ms || a.attemptsPerMinute < b.attemptsPerMinute);
  for (const p of points) p.pareto = p.recoveryP95Ms !== null && p.invalid === 0 && !points.some((q) => q.invalid === 0 && dominates(q, p));
  return points;
}

/**
 * The recommendation: among Pareto points with no invalid run, the one closest to the ideal
 * corner after normalising both axes to [0, 1] (equal weight to recovery and pressure).
 */
export function recommend(points: TunePoint[]): TunePoint | undefined {
  const front = points.filter((p) => p.pareto);
  if (front.length === 0) return undefined;
  const rec = front.map((p) => p.recoveryP95Ms!);
  const apm = front.map((p) => p.attemptsPerMinute);
  const norm = (v: number, xs: number[]) => (Math.max(...xs) === Math.min(...xs) ? 0 : (v - Math.min(...xs)) / (Math.max(...xs) - Math.min(...xs)));
  return front.reduce((best, p) => (Math.hypot(norm(p.recoveryP95Ms!, rec), norm(p.attemptsPerMinute, apm)) < Math.hypot(norm(best.recoveryP95Ms!, rec), norm(best.attemptsPerMinute, apm)) ? p : best));
}
