import { join } from 'node:path';
import { applyValues, gridValues, makeSetting, parseRange } from '../runner/settings.js';
import { formatMs } from '../report/format.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { executeSuite, finishReport, readSuite, SUITE_FLAGS, SUITE_HELP, outDirFor } from './suite.js';

const log = (line: string) => process.stderr.write(line + '\n');
export const TUNE_DEFAULT_SCENARIOS = ['outage-herd'];

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'sweep backoff settings and show the recovery-time vs reconnect-pressure trade-off',
  help: `Usage: baileys-chaos tune --vary KEY=LO..HI [--vary ...] [--points N] [options]

Runs the same fault schedules under a grid of settings (at least --points of them, default 12)
and reports, per setting, recovery p95 (how fast clients come back) against reconnect pressure
(attempts per minute, and the storm peak: the most attempts within one second when many clients
share an outage). Marks the Pareto front and prints the recommended block for openclaw.json.
Keys are openclaw.json paths; "reconnect.baseDelay" means channels.whatsapp.reconnect.baseDelay,
"web.reconnect.initialMs" is taken as is.
  --vary KEY=LO..HI       a setting to sweep (repeatable), e.g. --vary reconnect.baseDelay=500..5000
  --points N              at least this many settings (default 12)
Default scenarios: ${TUNE_DEFAULT_SCENARIOS.join(', ')}; default runs per scenario: 1.
${SUITE_HELP}`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...SUITE_FLAGS, vary: { type: 'string', multiple: true }, points: { type: 'string' } });
    if (!values.vary?.length) throw new UsageError('tune needs at least one --vary KEY=LO..HI (e.g. --vary reconnect.baseDelay=500..5000).');
    const points = values.points === undefined ? 12 : Number(values.points);
    if (!Number.isInteger(points) || points < 2) throw new UsageError(`--points must be an integer ≥ 2, got "${values.points}"`);
    const suite = await readSuite(values, { scenarios: TUNE_DEFAULT_SCENARIOS, runs: 1 });
    const ranges = values.vary.map((v) => {
      try {
        return parseRange(v);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    });
    const document = applyValues(suite.document, suite.fixed);
    const settings = gridValues(ranges, points).map((v) => {
      try {
        return makeSetting(document, v, suite.configPath ?? 'the settings');
      } catch (err) {
        throw new UsageError(`the sweep reaches an invalid setting: ${(err as Error).message}`);
      }
    });
    const report = await executeSuite({ suite, kind: 'tune', settings, tune: { parameters: ranges.map((r) => r.key), document }, log });
    const code = await finishReport(report, outDirFor(suite, 'tune'), log, suite.allowUnknown);
    const tune = report.tune!;
    for (const p of [...tune.points].sort((a, b) => (a.recoveryP95Ms ?? Infinity) - (b.recoveryP95Ms ?? Infinity))) {
      log(`${p.pareto ? '★' : ' '} ${p.setting.padEnd(40)} recovery p95 ${formatMs(p.recoveryP95Ms)}  ${p.attemptsPerMinute.toFixed(1)} attempts/min  storm peak ${p.stormPeakPerSecond}/s${p.invalid ? `  ${p.invalid} invalid` : ''}`);
    }
    log(`recommended: ${tune.recommended.setting}`);
    process.stdout.write(JSON.stringify(tune.recommended.openclawBlock, null, 2) + '\n');
    // The sweep's purpose is the trade-off: invalid runs are reported, they do not fail a tune.
    return code === 1 ? 0 : code;
  },
};
