import { join } from 'node:path';
import { defaultTolerance, gate, type Tolerance } from '../report/baseline.js';
import { formatMs } from '../report/format.js';
import type { Report } from '../report/schema.js';
import { readReportFile } from '../report/write.js';
import { makeSetting } from '../runner/settings.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { executeSuite, finishReport, readSuite, SUITE_FLAGS } from './suite.js';
import { DEFAULT_BASELINE } from './run.js';

const log = (line: string) => process.stderr.write(line + '\n');

export const checkCommand: Command = {
  name: 'check',
  summary: 'the CI gate: run the baseline\'s scenarios again and fail on invariant failures or slower recovery',
  help: `Usage: baileys-chaos check [--baseline ${DEFAULT_BASELINE}] [--tolerance R] [--slack-ms MS] [options]

Re-runs exactly what the baseline ran (scenarios, versions, settings, seeds, time scale) with the
supervisor and config given now, then fails (exit 1) on any invalid run, or when a recovery
percentile (p50, p95, p99) is worse than the baseline's by more than base·(1 + R) + slack.
Prints what regressed and by how much. Make a baseline with "baileys-chaos run --update-baseline".
  --baseline FILE     the baseline report (default ${DEFAULT_BASELINE})
  --report FILE       judge this report.json instead of running (e.g. one merged from shards)
  --shard i/n         run every n-th planned run only; fails on invalid runs, percentiles are gated
                      after "baileys-chaos merge" with --report
  --tolerance R       allowed relative growth of a percentile (default 0.5 = 50 %)
  --slack-ms MS       allowed absolute growth, real-world ms (default 250 ms of machine time ÷ the time scale)
  --config FILE, --set KEY=N, --supervisor MODULE, --toxiproxy URL, --out DIR, --quiet: as for run

Exit codes: 0 passed · 1 failed (invalid runs or regressions) · 2 bad usage.`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...SUITE_FLAGS, baseline: { type: 'string' }, report: { type: 'string' }, tolerance: { type: 'string' }, 'slack-ms': { type: 'string' } });
    for (const flag of ['scenario', 'baileys', 'runs', 'seed', 'time-scale'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`check runs what the baseline ran: --${flag} is taken from the baseline. Make a new baseline to change it.`);
    }
    const baseline = await readReportFile(values.baseline ?? DEFAULT_BASELINE);
    const tol = tolerance(values.tolerance, values['slack-ms'], baseline.timeScale);
    let current: Report;
    if (values.report) current = await readReportFile(values.report);
    else {
      const runs = Math.max(...baseline.runs.map((r) => r.runIndex)) + 1;
      if (values.shard && values.report) throw new UsageError('--shard runs part of the baseline; --report judges a finished report. Use one of them.');
      const suite = await readSuite({ ...values, scenario: baseline.scenarios, baileys: baseline.versions.join(','), runs: String(runs), seed: String(baseline.seed), 'time-scale': String(baseline.timeScale) });
      // Same setting labels as the baseline, so rows line up; their configs come from what is given now.
      const settings = baseline.settings.map((s) => (suite.configPath || Object.keys(suite.fixed).length ? { ...makeSetting(suite.document, { ...suite.fixed, ...s.values }, suite.configPath ?? 'the settings'), label: s.label } : s));
      current = await executeSuite({ suite, kind: 'check', settings, log });
      await finishReport(current, suite.out ?? join('reports', 'out', 'check'), log);
    }
    if (current.shard) {
      // Percentiles of a part are not the whole's: a shard fails only on invalid runs.
      const invalid = current.runs.filter((r) => r.verdict === 'invalid');
      log(`shard ${current.shard.index}/${current.shard.count}: ${invalid.length} invalid run(s). Recovery percentiles are gated after "merge": check --report merged/report.json.`);
      return invalid.length ? 1 : 0;
    }
    const result = gate(baseline, current, tol);
    log(`\ncheck against ${values.baseline ?? DEFAULT_BASELINE} (tolerance +${(tol.ratio * 100).toFixed(0)} % + ${formatMs(tol.slackMs)}):`);
    for (const c of result.compared) {
      if (c.metric !== 'p95') continue;
      log(`  ${c.row}: recovery p95 ${formatMs(c.current)} (baseline ${formatMs(c.baseline)}, limit ${formatMs(c.limit)})`);
    }
    for (const f of result.findings) log(`  ${f.kind === 'unknown' ? 'undecided' : 'FAIL'} [${f.kind}] ${f.row}: ${f.message}`);
    log(result.passed ? 'check passed' : `check FAILED: ${result.findings.filter((f) => f.kind !== 'unknown').length} problem(s)`);
    return result.passed ? 0 : 1;
  },
};

function tolerance(ratio: string | undefined, slack: string | undefined, scale: number): Tolerance {
  const d = defaultTolerance(scale);
  const num = (v: string | undefined, flag: string, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v.replace(/%$/, '')) / (v.endsWith('%') ? 100 : 1);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number ≥ 0, got "${v}"`);
    return n;
  };
  return { ratio: num(ratio, '--tolerance', d.ratio), slackMs: num(slack, '--slack-ms', d.slackMs) };
}
