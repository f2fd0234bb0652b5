/** Real-world milliseconds as a person reads them: "850 ms", "2.4 s", "36 s"; "—" for no data. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * A recovery percentile: null with some clients not recovered is "∞ (not recovered)" (the
 * percentile lies among them: SummaryRow.recoveryMs), null otherwise "—" (no data).
 */
export function formatRecovery(ms: number | null, notRecovered: number | undefined): string {
  return ms === null && (notRecovered ?? 0) > 0 ? '∞ (not recovered)' : formatMs(ms);
}

/** What every report file is rendered with, beyond the report itself. */
export interface RenderOptions {
  /** --allow-unknown: unknown verdicts pass (JUnit: skipped) instead of failing (JUnit: failure). */
  allowUnknown?: boolean;
}

/** The report's overall verdict: invalid > error > unknown > valid (as combineVerdicts); no run judged is unknown, never a pass. */
export function overallVerdict(verdicts: string[]): 'valid' | 'invalid' | 'unknown' | 'error' {
  if (verdicts.length === 0) return 'unknown';
  for (const v of ['invalid', 'error', 'unknown'] as const) if (verdicts.includes(v)) return v;
  return 'valid';
}

/** How a report's runs kept time, in a few words: virtual time xK, real time, or (older reports) a time scale. */
export function timeBasis(report: { speed?: { k: number }; timeScale: number }): string {
  if (report.speed) return `virtual time x${report.speed.k}`;
  return report.timeScale === 1 ? 'real time' : `time scale ${report.timeScale} (the retired mode; times are real-world: measured ÷ ${report.timeScale})`;
}
