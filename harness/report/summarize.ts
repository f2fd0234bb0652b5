/**
 * Derived tables, computed from the runs alone so a merged report summarises exactly as a
 * single run would: per scenario × version × setting, and the tune trade-off with its Pareto front.
 */
import type { Verdict } from '../invariants.js';
import type { ClientMetrics } from '../recorder/metrics.js';
import type { MessageSummary, Percentiles, RunReport, SummaryRow, TunePoint } from './schema.js';

/** Nearest-rank percentile (null for no data). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function percentiles(values: number[]): Percentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: percentile(values, 100) };
}

/**
 * Recovery percentiles over clients' recoverMs (null: not open again by the end of the window),
 * never hiding the clients that did not recover. With k of n not recovered, the percentiles are
 * taken over the recovered ones, except: p99 and max are null (∞) when k > 0; p95 when k/n ≥ 5 %;
 * p50 when k/n ≥ 50 %. Documented on SummaryRow.recoveryMs.
 */
export function recoveryPercentiles(recoverMs: (number | null)[]): { recoveryMs: Percentiles; clients: number; notRecovered: number } {
  const recovered = recoverMs.filter((v): v is number => v !== null);
  const clients = recoverMs.length;
  const notRecovered = clients - recovered.length;
  const share = clients ? notRecovered / clients : 0;
  const p = percentiles(recovered);
  return {
    clients,
    notRecovered,
    recoveryMs: {
      p50: share >= 0.5 ? null : p.p50,
      p95: share >= 0.05 ? null : p.p95,
      p99: notRecovered > 0 ? null : p.p99,
      max: notRecovered > 0 ? null : p.max,
    },
  };
}

/**
 * A recovered client's last login, as the server saw it: from the connection attempt that led to
 * its last open to that open, counted from the last fault cleared at the earliest (report ms).
 * null when it did not recover, rode the fault out (recoverMs 0), or the timeline has no attempt.
 * In virtual time this is CPU work (the handshake and login of Baileys and the server), read K
 * times longer on the clock, and a busy machine stretches it further: not the bot's decision.
 */
export function lastLoginMs(run: Pick<RunReport, 'timeline'>, m: Pick<ClientMetrics, 'client' | 'recoverMs'>): number | null {
  if (m.recoverMs === null || m.recoverMs === 0) return null;
  const own = run.timeline.filter((p) => p.source === 'server' && p.client === m.client);
  const open = own.filter((p) => p.type === 'open').at(-1);
  const attempt = open && own.filter((p) => p.type === 'attempt' && p.t <= open.t).at(-1);
  return open && attempt ? Math.min(m.recoverMs, open.t - attempt.t) : null;
}

/** Recovery less its last login (lastLoginMs, read once by the caller): the last fault cleared → the attempt that logged in for good (the bot's own timing). */
export function reconnectMs(m: Pick<ClientMetrics, 'recoverMs'>, loginMs: number | null): number | null {
  return m.recoverMs === null ? null : m.recoverMs - (loginMs ?? 0);
}

/** invalid > error > unknown > valid: the bot's failure first, then the harness's, then undecided. */
export function combineVerdicts(verdicts: Verdict[]): Verdict {
  for (const v of ['invalid', 'error', 'unknown'] as const) if (verdicts.includes(v)) return v;
  return 'valid';
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
    // A run the harness could not carry out (error) counts in `runs` and `error` only: its
    // partial observations say nothing about the bot.
    const judged = group.filter((r) => r.verdict !== 'error');
    const clients = judged.flatMap((r) => r.metrics);
    // Each client's last login read once from its run's timeline: the reconnect and the login both need it.
    const recovering = judged.flatMap((run) => run.metrics.filter((m) => !m.downByDesign).map((m) => ({ m, login: lastLoginMs(run, m) })));
    const names = [...new Set(judged.flatMap((r) => r.invariants.map((i) => i.invariant)))];
    const count = (v: Verdict) => group.filter((r) => r.verdict === v).length;
    return {
      scenario,
      version,
      setting,
      runs: group.length,
      valid: count('valid'),
      invalid: count('invalid'),
      unknown: count('unknown'),
      error: count('error'),
      verdict: combineVerdicts(group.map((r) => r.verdict)),
      ...recoveryPercentiles(recovering.map(({ m }) => m.recoverMs)),
      reconnectMs: recoveryPercentiles(recovering.map(({ m, login }) => reconnectMs(m, login))).recoveryMs,
      loginMs: percentiles(recovering.flatMap(({ login }) => login ?? [])),
      detectMs: percentiles(clients.flatMap((m) => m.detectMs)),
      attemptsPerRun: mean(judged.map((r) => r.metrics.reduce((a, m) => a + m.attempts, 0))),
      attemptsPerMinute: mean(judged.map((r) => r.attemptsPerMinute)),
      stormPeakPerSecond: Math.max(0, ...judged.map((r) => r.stormPeakPerSecond)),
      qrRePairs: clients.reduce((a, m) => a + m.qrRePairs, 0),
      sessionsLost: clients.reduce((a, m) => a + m.sessionsLost, 0),
      availability: mean(clients.map((m) => m.availability)),
      ...messageSummary(judged),
      invariants: names.map((name) => {
        const checks = judged.flatMap((r) => r.invariants.filter((i) => i.invariant === name));
        const n = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
        return { name, valid: n('valid'), invalid: n('invalid'), unknown: n('unknown'), error: n('error') };
      }),
    };
  });
}

/** The row's message counts, summed over its runs with traffic; nothing when none had any. */
function messageSummary(runs: RunReport[]): { messages?: MessageSummary } {
  const withTraffic = runs.flatMap((r) => (r.messages ? [r.messages] : []));
  if (withTraffic.length === 0) return {};
  const sum = (f: (m: NonNullable<RunReport['messages']>) => number) => withTraffic.reduce((a, m) => a + f(m), 0);
  return {
    messages: {
      runs: withTraffic.length,
      sent: sum((m) => m.sent),
      delivered: sum((m) => m.delivered),
      receipted: sum((m) => m.receipted),
      answered: sum((m) => m.answered),
      lost: sum((m) => m.lost),
      unknown: sum((m) => m.unknown),
      // Reports written before notExpected existed have none.
      notExpected: sum((m) => m.notExpected ?? 0),
      duplicated: sum((m) => m.duplicated),
      decryptFailures: sum((m) => m.decryptFailures.messages),
      decryptFailuresNotReceipted: sum((m) => m.decryptFailures.notReceipted),
      queuedWhileDown: sum((m) => m.offline?.queued ?? 0),
      queuedHandled: sum((m) => m.offline?.handled ?? 0),
      firstHandledAfterLastFaultMs: percentiles(withTraffic.flatMap((m) => (m.firstHandledAfterLastFaultMs === null ? [] : [m.firstHandledAfterLastFaultMs]))),
    },
  };
}

/**
 * One point per setting over all its runs; Pareto on (recovery p95, attempts per minute), both
 * lower-better. A setting with no recovery p95 (none measured, or ≥ 5 % of clients not recovered:
 * see recoveryPercentiles) never dominates and is never on the front.
 */
export function tunePoints(runs: RunReport[], settings: { label: string; values: Record<string, number> }[]): TunePoint[] {
  const points = settings.map((s) => {
    const own = runs.filter((r) => r.setting === s.label && r.verdict !== 'error');
    const rec = recoveryPercentiles(own.flatMap((r) => r.metrics.filter((m) => !m.downByDesign).map((m) => m.recoverMs)));
    return {
      setting: s.label,
      values: s.values,
      recoveryP95Ms: rec.recoveryMs.p95,
      clients: rec.clients,
      notRecovered: rec.notRecovered,
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
