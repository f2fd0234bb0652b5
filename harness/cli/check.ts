import { join } from 'node:path';
import { currentSpeed, DEFAULT_SPEED, reexecWarped } from '../time/warp.js';
import { defaultTolerance, describeCompared, gate, GATE_TOLERANCE, GATE_TOLERANCE_SOURCE, machineMsPerReportMs, type Tolerance } from '../report/baseline.js';
import { EXIT, exitCodeFor } from '../report/exit-code.js';
import { formatMs } from '../report/format.js';
import type { Report } from '../report/schema.js';
import { readReportFile } from '../report/write.js';
import { makeSetting } from '../runner/settings.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { executeSuite, finishReport, readSuite, SUITE_FLAGS, outDirFor } from './suite.js';
import { DEFAULT_BASELINE } from './run.js';

const log = (line: string) => process.stderr.write(line + '\n');

/** Words into lines of at most 100 characters, for --help. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'the CI gate: run the baseline\'s scenarios again and fail on invariant failures or slower recovery',
  help: `Usage: baileys-chaos check [--baseline ${DEFAULT_BASELINE}] [--tolerance R] [--slack-ms MS] [--allow-unknown] [options]

Re-runs exactly what the baseline ran (scenarios, versions, settings, seeds, speed) with the
bot and config given now, then fails on any invalid run, any unknown verdict (unless
--allow-unknown), any run the harness could not carry out (error), and per baseline row on every
metric the baseline has: a reconnect percentile (p50, p95, p99) worse than base·(1 + R) + slack or
not reached now (clients not recovered: ∞), attempts per minute above base·(1 + R) + ${GATE_TOLERANCE.attemptsSlackPerMinute}.
Reconnect is recovery less the last login: from the last fault cleared to the connection attempt
that logged in for good, which the bot's own decisions set. The login after it (attempt → open,
as the server saw it) is CPU work that a busy machine stretches, K times in virtual time: it is
printed beside, not gated. Prints what regressed and by how much. Make a baseline with "baileys-chaos run --update-baseline".
The default tolerance (R ${GATE_TOLERANCE.ratio}, slack ${GATE_TOLERANCE.slackMachineMs} ms of machine time, attempts slack ${GATE_TOLERANCE.attemptsSlackPerMinute} a minute) is
${wrap(GATE_TOLERANCE_SOURCE + '. A noisier CI runner may need more: measure there, or pass --tolerance and --slack-ms.')}
  --baseline FILE     the baseline report (default ${DEFAULT_BASELINE})
  --report FILE       judge this report.json instead of running (e.g. one merged from shards)
  --shard i/n         run every n-th planned run only; fails on its verdicts, the metrics are gated
                      after "baileys-chaos merge" with --report
  --tolerance R       allowed relative growth of a reconnect percentile or the attempt rate (default ${GATE_TOLERANCE.ratio} = ${Math.round(GATE_TOLERANCE.ratio * 100)} %)
  --slack-ms MS       allowed absolute growth of a percentile, real-world ms (default ${GATE_TOLERANCE.slackMachineMs} ms of
                      machine time × the baseline's speed: ${formatMs(GATE_TOLERANCE.slackMachineMs * DEFAULT_SPEED)} at x${DEFAULT_SPEED})
  --allow-unknown     unknown verdicts (the window ended before a check decided) are listed, not failed
  --config FILE, --set KEY=N, --bot, --bot-cmd, --supervisor, --recovery-slo, --storm-limit,
  --toxiproxy URL, --out DIR, --quiet: as for run
  --messages N, --answers, --deaf-after S  message traffic as for run (default: the baseline's, when its runs had any)

Exit codes: 0 passed · 1 failed (invalid runs, regressions, a baseline row missing) · 2 bad usage or
input (a missing baseline included) · 3 undecided (unknown verdicts without --allow-unknown) · 4 the
harness could not run some scenario as asked (error: fix the setup; the bot is not blamed).`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...SUITE_FLAGS, baseline: { type: 'string' }, report: { type: 'string' }, tolerance: { type: 'string' }, 'slack-ms': { type: 'string' } });
    const allowUnknown = values['allow-unknown'] === true;
    for (const flag of ['scenario', 'baileys', 'runs', 'seed', 'time-scale', 'speed'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`check runs what the baseline ran: --${flag} is taken from the baseline. Make a new baseline to change it.`);
    }
    const baseline = await readReportFile(values.baseline ?? DEFAULT_BASELINE);
    // Machine time in report units: × the speed (CPU work inflates by K in virtual time).
    const tol = tolerance(values.tolerance, values['slack-ms'], machineMsPerReportMs(baseline));
    if (values.shard && values.report) throw new UsageError('--shard runs part of the baseline; --report judges a finished report. Use one of them.');
    let current: Report;
    if (values.report) current = await readReportFile(values.report);
    else {
      // Its runs shrank the settings, which hid what Baileys' fixed timers cause: not to be repeated.
      if (!baseline.speed && baseline.timeScale !== 1) {
        throw new UsageError(`Failed to check against ${values.baseline ?? DEFAULT_BASELINE}: it was made at time scale ${baseline.timeScale}, a retired mode (it shrank the settings, and Baileys' fixed timers and a bot's own did not shrink, so its runs could miss what they cause). Make the baseline again in virtual time: baileys-chaos run --update-baseline --scenario ${baseline.scenarios.join(',')} --baileys ${baseline.versions.join(',')} --seed ${baseline.seed}.`);
      }
      const runs = Math.max(...baseline.runs.map((r) => r.runIndex)) + 1;
      // A baseline made in virtual time is checked at its speed: this command again, under the warp.
      const warped = currentSpeed();
      if (warped !== undefined && warped !== baseline.speed?.k) {
        const made = baseline.speed ? `in virtual time x${baseline.speed.k}` : `at time scale ${baseline.timeScale}`;
        throw new UsageError(`Failed to check against the baseline: it was made ${made}, and this command already runs in virtual time x${warped} (under "baileys-chaos warp"?); a clock's speed cannot change. Run check outside the warp${baseline.speed ? `, or warp at --speed ${baseline.speed.k}` : ''}.`);
      }
      if (baseline.speed && warped === undefined) return reexecWarped(baseline.speed.k);
      const suite = await readSuite({ ...values, ...baselineTraffic(baseline, values), scenario: baseline.scenarios, baileys: baseline.versions.join(','), runs: String(runs), seed: String(baseline.seed), speed: String(baseline.speed?.k ?? 1) });
      // Same setting labels as the baseline, so rows line up; their configs come from what is given now.
      const settings = baseline.settings.map((s) => (suite.configPath || Object.keys(suite.fixed).length ? { ...makeSetting(suite.document, { ...suite.fixed, ...s.values }, suite.configPath ?? 'the settings'), label: s.label } : s));
      current = await executeSuite({ suite, kind: 'check', settings, log });
      const code = await finishReport(current, outDirFor(suite, 'check'), log, allowUnknown);
      // A stopped check has not run what the baseline ran: no gate over part of it.
      if (current.interrupted) return code;
    }
    if (current.shard) {
      // Metrics of a part are not the whole's: a shard is gated on its verdicts only.
      const count = (v: string) => current.runs.filter((r) => r.verdict === v).length;
      log(`shard ${current.shard.index}/${current.shard.count}: ${count('invalid')} invalid, ${count('unknown')} unknown${allowUnknown ? ' (allowed)' : ''}, ${count('error')} error run(s). Recovery and attempt rate are gated after "merge": check --report merged/report.json.`);
      for (const r of current.runs.filter((r) => r.verdict === 'error')) log(`  ERROR ${r.id}: the harness could not run it (not blamed on the bot): ${(r.error ?? '').split('\n')[0]}`);
      return exitCodeFor(current.runs.map((r) => r.verdict), { allowUnknown });
    }
    const result = gate(baseline, current, tol, { allowUnknown });
    log(`\ncheck against ${values.baseline ?? DEFAULT_BASELINE} (tolerance +${(tol.ratio * 100).toFixed(0)} % + ${formatMs(tol.slackMs)}${allowUnknown ? ', unknown allowed' : ''}):`);
    for (const c of result.compared) if (c.metric === 'p95' || c.metric === 'attemptsPerMinute' || c.regressed) log(`  ${c.row}: ${describeCompared(c)}${c.regressed ? '  ← REGRESSED' : ''}`);
    const label = (f: (typeof result.findings)[number]) => (f.kind === 'error' ? 'ERROR' : f.fails ? 'FAIL' : 'allowed');
    for (const f of result.findings) log(`  ${label(f)} [${f.kind}] ${f.row}: ${f.message}`);
    const failing = result.findings.filter((f) => f.fails).length;
    log(
      result.exitCode === 0
        ? 'check passed'
        : result.exitCode === EXIT.harness
          ? `check FAILED (exit 4): the harness could not run ${failing} run(s) as asked; no regression of the bot found. Fix the setup and run again.`
          : `check FAILED: ${failing} problem(s)`,
    );
    return result.exitCode;
  },
};

/** The baseline's message traffic, unless given now: a check re-runs what the baseline ran. */
function baselineTraffic(baseline: Report, values: { messages?: string; answers?: boolean; 'deaf-after'?: string }): { messages?: string; answers?: boolean; 'deaf-after'?: string } {
  const traffic = baseline.runs.find((r) => r.messages)?.messages;
  if (values.messages !== undefined || !traffic) return {};
  const deafAfter = values['deaf-after'] ?? (traffic.deafAfterMs !== undefined ? String(traffic.deafAfterMs / 1000) : undefined);
  return { messages: String(traffic.perMinute), ...(traffic.answers || values.answers ? { answers: true } : {}), ...(deafAfter !== undefined ? { 'deaf-after': deafAfter } : {}) };
}

function tolerance(ratio: string | undefined, slack: string | undefined, scale: number): Required<Tolerance> {
  const d = defaultTolerance(scale);
  const num = (v: string | undefined, flag: string, fallback: number) => {
    if (v === undefined) return fallback;
    const n = Number(v.replace(/%$/, '')) / (v.endsWith('%') ? 100 : 1);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number ≥ 0, got "${v}"`);
    return n;
  };
  return { ...d, ratio: num(ratio, '--tolerance', d.ratio), slackMs: num(slack, '--slack-ms', d.slackMs) };
}
