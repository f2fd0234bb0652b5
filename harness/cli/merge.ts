import { join } from 'node:path';
import { mergeReports } from '../report/build.js';
import { readReportFile } from '../report/write.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { finishReport } from './suite.js';

const log = (line: string) => process.stderr.write(line + '\n');

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge the reports of --shard i/n runs into one',
  help: `Usage: baileys-chaos merge SHARD.json [SHARD.json ...] [--out DIR]

Combines report.json files of one run split with --shard i/n (same seed, speed and
supervisor) into one report, summaries recomputed over all runs. A run present in two shards, or
shards of different runs, is an error.
  --out DIR   where the merged report goes (default reports/out/merged)`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { out: { type: 'string' } }, true);
    if (positionals.length === 0) throw new UsageError('merge needs the report.json files of the shards.');
    const parts = await Promise.all(positionals.map(async (source) => ({ report: await readReportFile(source), source })));
    const merged = mergeReports(parts, new Date());
    return finishReport(merged, values.out ?? join('reports', 'out', 'merged'), log);
  },
};
