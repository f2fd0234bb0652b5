import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseFlags, type Command } from './command.js';
import { defaultSetting, executeSuite, finishReport, readSuite, SUITE_FLAGS, SUITE_HELP, outDirFor } from './suite.js';

export const DEFAULT_BASELINE = join('reports', 'baseline.json');
const log = (line: string) => process.stderr.write(line + '\n');

export const runCommand: Command = {
  name: 'run',
  summary: 'run scenarios against real Baileys and write the report',
  help: `Usage: baileys-chaos run [options]

Runs generated fault schedules of each scenario against each Baileys version, judges every run
with the scenario's invariants, and writes report.json, report.md, report.html and junit.xml.
${SUITE_HELP}
  --update-baseline       also write report.json as the CI baseline, to --baseline FILE (default ${DEFAULT_BASELINE})

Exit codes: 0 every run valid · 1 a run was invalid (an invariant failed) · 2 bad usage ·
3 no run invalid but some undecided (the observation window ended first).`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...SUITE_FLAGS, 'update-baseline': { type: 'boolean' }, baseline: { type: 'string' } });
    const suite = await readSuite(values);
    const report = await executeSuite({ suite, kind: 'run', settings: [defaultSetting(suite)], log });
    const out = outDirFor(suite, 'run');
    const code = await finishReport(report, out, log, suite.allowUnknown);
    if (values['update-baseline']) {
      const target = values.baseline ?? DEFAULT_BASELINE;
      // A baseline is what later runs are held to: one with a run the harness could not run, or
      // with runs missing, would hold them to a harness failure.
      const unfit = report.interrupted ? `the plan was interrupted (${report.interrupted.finishedRuns} of ${report.interrupted.plannedRuns} runs finished)` : report.runs.filter((r) => r.verdict === 'error').map((r) => `${r.id} ended in error`).join(', ');
      if (unfit) {
        log(`baseline not written: ${unfit}; ${target} is unchanged. Fix the cause and run again.`);
        return code;
      }
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(out, 'report.json'), target);
      log(`baseline written: ${target}${code === 0 ? '' : ' (warning: this run was not all valid)'}`);
    }
    return code;
  },
};
