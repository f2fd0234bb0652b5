/**
 * A hand-written schedule through the CLI (`replay schedule.json --scenario NAME`), in virtual
 * time at the bot's default speed with real-world settings: how a test puts a bot through a fixed
 * schedule without the retired time scale. Returns the run's report and the CLI's stderr.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Schedule } from '../../harness/faults/schedule.js';
import type { RunReport } from '../../harness/report/schema.js';
import { readReportFile } from '../../harness/report/write.js';
import { tempDir } from '../helpers.js';
import { runCli } from './cli.js';

export interface ReplayOptions {
  scenario: string;
  version: string;
  /** The bot flags: ['--bot', 'module.mjs'] or ['--bot-cmd', 'node bot.js']. */
  bot: string[];
  /** More flags: message traffic (--messages N --answers) and the like. */
  flags?: string[];
  seed?: number;
  timeoutMs?: number;
}

export async function replaySchedule(schedule: Schedule, opts: ReplayOptions): Promise<{ run: RunReport; stderr: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, 'schedule.json'), JSON.stringify(schedule));
  const args = ['replay', join(dir, 'schedule.json'), '--scenario', opts.scenario, '--baileys', opts.version, '--seed', String(opts.seed ?? 7), ...opts.bot, ...(opts.flags ?? []), '--quiet', '--out', join(dir, 'out')];
  const r = await runCli(args, { timeoutMs: opts.timeoutMs ?? 240_000 });
  const report = await readReportFile(join(dir, 'out', 'report.json'));
  expect(report.runs, r.stderr).toHaveLength(1);
  return { run: report.runs[0]!, stderr: r.stderr };
}
