import { join } from 'node:path';
import { mergeReports } from '../report/build.js';
import { readReportFile } from '../report/write.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { defaultSetting, executeSuite, finishReport, readSuite, SUITE_FLAGS, SUITE_HELP, outDirFor } from './suite.js';
import { projectBaileys, SUPPORTED_BAILEYS_VERSIONS } from '../baileys/versions.js';

const log = (line: string) => process.stderr.write(line + '\n');

export const compareCommand: Command = {
  name: 'compare',
  summary: 'the same scenarios and seeds on several Baileys versions, side by side',
  help: `Usage: baileys-chaos compare --baileys A,B[,C] [options]
       baileys-chaos compare REPORT.json REPORT.json [...] [--out DIR]

Runs every scenario with the same seeds on each version (default: your project's Baileys and ${SUPPORTED_BAILEYS_VERSIONS.join(', ')}) and
writes one report whose summary puts the versions side by side. A version that is not installed
is installed on demand into the cache (with the libsignal override). With report files instead,
combines them (each made with the same seed and speed, e.g. one per version in a CI matrix).
${SUITE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, SUITE_FLAGS, true);
    if (positionals.length > 0) {
      if (positionals.length < 2) throw new UsageError('compare needs two or more report files (or --baileys A,B to run).');
      const parts = await Promise.all(positionals.map(async (source) => ({ report: await readReportFile(source), source })));
      const merged = mergeReports(parts.map((p) => ({ ...p, report: { ...p.report, kind: 'compare' as const } })), new Date());
      return finishReport(merged, values.out ?? join('reports', 'out', 'compare'), log, !!values['allow-unknown']);
    }
    const project = projectBaileys()?.version;
    const suite = await readSuite(values, { versions: [...new Set([...(project ? [project] : []), ...SUPPORTED_BAILEYS_VERSIONS])] });
    if (suite.versions.length < 2) throw new UsageError(`compare needs two or more versions, got ${suite.versions.join(', ')}: pass --baileys A,B.`);
    const report = await executeSuite({ suite, kind: 'compare', settings: [defaultSetting(suite)], log });
    return finishReport(report, outDirFor(suite, 'compare'), log, suite.allowUnknown);
  },
};
