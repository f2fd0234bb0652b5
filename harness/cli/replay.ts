import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSchedule, type Schedule } from '../faults/schedule.js';
import { checkScenario } from '../scenario.js';
import { systemClock } from '../../core/clock.js';
import { buildReport } from '../report/build.js';
import { executePlan } from '../runner/execute.js';
import { stopOnSignals } from '../runner/interrupt.js';
import { clockName, warpDescription } from '../time/warp.js';
import { EXIT } from '../report/exit-code.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { parseFlags, UsageError, type Command } from './command.js';
import { defaultSetting, ensureVersions, finishReport, readSuite, replayFlags, SUITE_FLAGS, SUITE_HELP, outDirFor } from './suite.js';

const log = (line: string) => process.stderr.write(line + '\n');

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-run one schedule: SCENARIO:SEED from a report, SCENARIO:SEED:PATH from a shrunk failure, or a schedule file',
  help: `Usage: baileys-chaos replay SCENARIO:SEED [options]            the run a report's replay line names
       baileys-chaos replay SCENARIO:SEED:PATH [options]       fast-check's shrunk counterexample
       baileys-chaos replay schedule.json --scenario NAME [options]

Re-runs exactly one schedule and prints its timeline, verdict and invariants; writes the report
(default reports/out/replay). A schedule file's times are real-world ms (as report.json gives
them), on the run's clock like every other duration.
${SUITE_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, SUITE_FLAGS, true);
    if (positionals.length !== 1) throw new UsageError('replay needs one argument: SCENARIO:SEED, SCENARIO:SEED:PATH or a schedule.json file.');
    const target = positionals[0]!;
    const m = /^([\w-]+):(\d+)(?::([\d:]+))?$/.exec(target);
    let scenarioName: string;
    let seed: number;
    let schedule: Schedule | undefined;
    if (m) {
      scenarioName = m[1]!;
      seed = Number(m[2]);
      if (values.scenario?.length) throw new UsageError('replay SCENARIO:SEED names the scenario already; drop --scenario.');
    } else {
      if (!values.scenario?.length) throw new UsageError(`replay ${target}: a schedule file needs --scenario NAME (its clients, store and invariants).`);
      scenarioName = values.scenario[0]!;
      schedule = await readScheduleFile(target);
      seed = 0;
    }
    const scenario = SCENARIOS[scenarioName];
    if (!scenario) throw new UsageError(`unknown scenario "${scenarioName}". Known: ${Object.keys(SCENARIOS).join(', ')}.`);
    const suite = await readSuite({ ...values, scenario: [scenarioName], seed: String(seed) });
    if (suite.versions.length !== 1) throw new UsageError('replay runs one version: pass one --baileys V.');
    await ensureVersions(suite.versions, log);
    const setting = defaultSetting(suite);
    const version = suite.versions[0]!;
    if (m?.[3]) {
      // fast-check's path: replay the shrunk counterexample through the property itself.
      const result = await checkScenario(scenario, { version, seed, path: m[3], numRuns: 1, scale: suite.scale, clock: systemClock, config: setting.config, bot: suite.bot, allowUnknown: suite.allowUnknown, ...(suite.recoverySloMs !== undefined ? { recoverySloMs: suite.recoverySloMs } : {}), ...(suite.stormLimit !== undefined ? { stormLimit: suite.stormLimit } : {}), ...(suite.messages ? { messages: suite.messages } : {}) });
      process.stdout.write(JSON.stringify({ failed: result.failed, schedule: result.counterexample, failures: result.failures }, null, 2) + '\n');
      return result.failed ? 1 : 0;
    }
    log(`replaying ${scenarioName} seed ${seed} on Baileys ${version}, ${clockName(suite.speed)}`);
    const planned = { scenario: scenarioName, version, setting, runIndex: 0, seed, ...(schedule ? { schedule } : {}) };
    const interruption = stopOnSignals(log);
    const runs = await executePlan([planned], { scenarios: SCENARIOS, scale: suite.scale, clock: systemClock, bot: suite.bot, ...(suite.recoverySloMs !== undefined ? { recoverySloMs: suite.recoverySloMs } : {}), ...(suite.stormLimit !== undefined ? { stormLimit: suite.stormLimit } : {}), ...(suite.messages ? { messages: suite.messages } : {}), replayFlags: () => replayFlags(suite, setting), signal: interruption.signal }).finally(() => interruption.dispose());
    const run = runs[0];
    if (!run) {
      log(`replay stopped by ${String(interruption.signal.reason)}: the run was released before it finished (exit ${EXIT.interrupted}).`);
      return EXIT.interrupted;
    }
    process.stdout.write(`schedule (real-world ms): ${JSON.stringify(run.schedule)}\n`);
    for (const p of run.timeline.filter((p) => p.source !== 'server')) {
      process.stdout.write(`  ${(p.t / 1000).toFixed(2).padStart(9)} s  ${p.source.padEnd(6)} ${p.client !== undefined ? `c${p.client} ` : ''}${p.type}${p.code !== undefined ? ` ${p.code}` : ''}${p.detail ? ` (${p.detail})` : ''}\n`);
    }
    for (const i of run.invariants) process.stdout.write(`${i.verdict.padEnd(8)} c${i.client} ${i.invariant}: ${i.message}\n`);
    if (run.error) process.stdout.write(`error: ${run.error}\n`);
    const report = buildReport({ kind: 'run', seed, timeScale: suite.scale, bot: suite.bot.label, versions: [version], scenarios: [scenarioName], settings: [setting], ...(suite.speed ? { speed: warpDescription(suite.speed, run.toxiproxy, [version]) } : {}) }, runs, new Date());
    return finishReport(report, outDirFor(suite, 'replay'), log, suite.allowUnknown);
  },
};

async function readScheduleFile(path: string): Promise<Schedule> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`Failed to read the schedule ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}.`);
  }
  // A report's run entry or a bare array both work.
  const entries = Array.isArray(json) ? json : (json as { schedule?: unknown }).schedule;
  try {
    return parseSchedule(entries);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
