/**
 * What run, compare, tune, check and replay share: the flags that choose scenarios, versions,
 * settings, seed and scale; the checks that turn bad input into one clear line; and the loop
 * that executes a plan with progress and writes the report files.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBaileysVersion } from '../baileys/install.js';
import { SUPPORTED_BAILEYS_VERSIONS } from '../baileys/versions.js';
import { systemClock } from '../clock.js';
import { connectUrl } from '../faults/toxiproxy/backend.js';
import { seedFrom } from '../random.js';
import { buildReport, type ReportHeader } from '../report/build.js';
import type { Report, RunReport, Setting } from '../report/schema.js';
import { writeReportFiles } from '../report/write.js';
import { executePlan } from '../runner/execute.js';
import { parseShard, planRuns, shardOf, type PlannedRun, type Shard } from '../runner/plan.js';
import { Progress } from '../runner/progress.js';
import { makeSetting, parseAssignment } from '../runner/settings.js';
import { readConfigDocument } from '../supervisor/config.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { UsageError } from './command.js';

export const DEFAULT_TIME_SCALE = 0.04;

/** Flags every suite command accepts (node:util parseArgs options). */
export const SUITE_FLAGS = {
  scenario: { type: 'string', multiple: true },
  baileys: { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  runs: { type: 'string' },
  seed: { type: 'string' },
  'time-scale': { type: 'string' },
  out: { type: 'string' },
  supervisor: { type: 'string' },
  toxiproxy: { type: 'string' },
  shard: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

export const SUITE_HELP = `  --scenario NAME[,NAME]  scenarios to run (repeatable; default: all). Known: ${Object.keys(SCENARIOS).join(', ')}
  --baileys V[,V]         Baileys versions (default: ${SUPPORTED_BAILEYS_VERSIONS.at(-1)}); others are installed on demand
  --config FILE           the bot's openclaw.json (either schema); default: the troubleshooting page's settings
  --set KEY=N             override one setting (repeatable), e.g. --set reconnect.baseDelay=500
  --runs N                generated schedules per scenario (default 3)
  --seed S                base seed (printed; default: random). The same seed gives the same schedules
  --time-scale F          multiply every duration by F (default ${DEFAULT_TIME_SCALE}: a 25 s keep-alive runs as 1 s)
  --out DIR               where report.json, report.md, report.html, junit.xml go
  --supervisor MODULE     a module whose default export is a Supervisor subclass to test (default: the reference one);
                          in-process scenarios only (the default list then leaves out crash-* and packet-loss)
  --toxiproxy URL         use this Toxiproxy server (default: a local toxiproxy-server, else the embedded one)
  --shard i/n             run every n-th planned run only (CI matrices); combine with "merge"
  --quiet                 no progress output`;

type Values = { [K in keyof typeof SUITE_FLAGS]?: (typeof SUITE_FLAGS)[K] extends { multiple: true } ? string[] : (typeof SUITE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export interface Suite {
  scenarios: string[];
  versions: string[];
  runs: number;
  seed: number;
  scale: number;
  document: unknown;
  configPath?: string;
  /** Fixed --set overrides, applied to every setting. */
  fixed: Record<string, number>;
  supervisorPath?: string;
  supervisor?: new (opts: SupervisorOptions) => Supervisor;
  shard?: Shard;
  out?: string;
  quiet: boolean;
}

const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  return n;
}

/** Validates the suite flags; loads what they name (config, supervisor module, Toxiproxy). */
export async function readSuite(values: Values, defaults: { scenarios?: string[]; versions?: string[]; runs?: number } = {}): Promise<Suite> {
  const scenarios = list(values.scenario);
  for (const s of scenarios) if (!SCENARIOS[s]) throw new UsageError(`unknown scenario "${s}". Known: ${Object.keys(SCENARIOS).join(', ')}.`);
  let seed: number;
  try {
    seed = seedFrom(values.seed);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const scale = positive(values['time-scale'], '--time-scale', DEFAULT_TIME_SCALE, false);
  if (scale > 1) throw new UsageError(`--time-scale must be at most 1 (1 = real-world durations), got ${scale}`);
  const fixed = Object.fromEntries((values.set ?? []).map((s) => wrapConfigError(() => parseAssignment(s))));
  const document = values.config ? await wrapConfigErrorAsync(() => readConfigDocument(values.config!)) : {};
  wrapConfigError(() => makeSetting(document, fixed, values.config ?? 'the settings')); // fail now, not after the first run
  if (values.toxiproxy) {
    try {
      await connectUrl(values.toxiproxy);
    } catch (err) {
      throw new Error(`Failed to reach Toxiproxy at ${values.toxiproxy}: ${(err as Error).message} Start it (toxiproxy-server, or "baileys-chaos toxiproxy"), or drop --toxiproxy to use a local one.`);
    }
    process.env.TOXIPROXY_URL = values.toxiproxy;
  }
  // Scenarios whose clients run in their own processes use the reference supervisor there.
  const inOwnProcess = (name: string) => SCENARIOS[name]!.driver === 'subprocess';
  if (values.supervisor && scenarios.some(inOwnProcess)) {
    throw new UsageError(`--supervisor tests your supervisor in this process, but ${scenarios.filter(inOwnProcess).join(', ')} run each client in its own process (kills, packet faults) under the reference supervisor. Leave them out of --scenario.`);
  }
  const chosen = scenarios.length ? scenarios : (defaults.scenarios ?? Object.keys(SCENARIOS)).filter((s) => !(values.supervisor && inOwnProcess(s)));
  return {
    scenarios: chosen,
    versions: list(values.baileys).length ? list(values.baileys) : (defaults.versions ?? [SUPPORTED_BAILEYS_VERSIONS.at(-1)!]),
    runs: positive(values.runs, '--runs', defaults.runs ?? 3, true),
    seed,
    scale,
    document,
    fixed,
    quiet: !!values.quiet,
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.supervisor ? { supervisorPath: values.supervisor, supervisor: await loadSupervisorModule(values.supervisor) } : {}),
    ...(values.shard ? { shard: wrapUsage(() => parseShard(values.shard!)) } : {}),
    ...(values.out ? { out: values.out } : {}),
  };
}

function wrapUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
const wrapConfigError = wrapUsage;
async function wrapConfigErrorAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A module whose default (or `Supervisor`) export subclasses the reference Supervisor. */
export async function loadSupervisorModule(path: string): Promise<new (opts: SupervisorOptions) => Supervisor> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`Failed to load the supervisor module ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const Impl = (mod.default ?? mod.Supervisor) as (new (opts: SupervisorOptions) => Supervisor) | undefined;
  if (typeof Impl !== 'function' || !(Impl === Supervisor || Impl.prototype instanceof Supervisor)) {
    throw new UsageError(`Failed to load the supervisor module ${path}: its default export must be a class extending Supervisor (import { Supervisor } from "baileys-chaos").`);
  }
  return Impl;
}

/** Installs versions not yet present (printing what it does); an unknown version is an error. */
export async function ensureVersions(versions: string[], log: (line: string) => void): Promise<void> {
  for (const v of versions) await ensureBaileysVersion(v, { log });
}

/** The flags a replay line must repeat so it re-runs the same thing. */
export function replayFlags(suite: Suite, setting: Setting): string[] {
  const values = { ...suite.fixed, ...setting.values };
  return [
    ...(suite.configPath ? [`--config ${suite.configPath}`] : []),
    ...Object.entries(values).map(([k, v]) => `--set ${k}=${v}`),
    ...(suite.supervisorPath ? [`--supervisor ${suite.supervisorPath}`] : []),
  ];
}

export interface ExecuteSuiteInput {
  suite: Suite;
  kind: Report['kind'];
  settings: Setting[];
  tune?: ReportHeader['tune'];
  log: (line: string) => void;
}

/** Plans, executes with progress, and builds the report (not yet written). */
export async function executeSuite({ suite, kind, settings, tune, log }: ExecuteSuiteInput): Promise<Report> {
  await ensureVersions(suite.versions, log);
  const plan = shardOf(planRuns({ scenarios: suite.scenarios, versions: suite.versions, settings, runs: suite.runs, seed: suite.seed }), suite.shard);
  log(
    `${kind}: ${plan.length} runs — ${suite.scenarios.length} scenario(s) × ${suite.versions.join(', ')} × ${settings.length} setting(s) × ${suite.runs} run(s)` +
      `${suite.shard ? ` (shard ${suite.shard.index}/${suite.shard.count})` : ''}, seed ${suite.seed}, time scale ${suite.scale}`,
  );
  const progress = suite.quiet ? undefined : new Progress(plan.length, systemClock);
  const label = (p: PlannedRun) => `${p.scenario} ${p.version}${p.setting.label === 'default' ? '' : ` [${p.setting.label}]`} #${p.runIndex}`;
  const runs: RunReport[] = await executePlan(plan, {
    scenarios: SCENARIOS,
    scale: suite.scale,
    clock: systemClock,
    ...(suite.supervisor ? { supervisor: suite.supervisor } : {}),
    replayFlags: (p) => replayFlags(suite, p.setting),
    onRunStart: (p) => progress?.start(label(p)),
    onRunEnd: (p, r) => progress?.finish(label(p), r.verdict, r.wallMs),
  });
  progress?.end();
  return buildReport(
    {
      kind,
      seed: suite.seed,
      timeScale: suite.scale,
      supervisor: suite.supervisorPath ?? 'reference',
      versions: suite.versions,
      scenarios: suite.scenarios,
      settings,
      ...(suite.shard ? { shard: suite.shard } : {}),
      ...(tune ? { tune } : {}),
    },
    runs,
    new Date(),
  );
}

/** Writes the files and prints where they are and the verdict line; returns the exit code. */
export async function finishReport(report: Report, outDir: string, log: (line: string) => void): Promise<number> {
  const files = await writeReportFiles(report, outDir);
  const count = (v: string) => report.runs.filter((r) => r.verdict === v).length;
  log(`${report.runs.length} runs: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown (seed ${report.seed}, time scale ${report.timeScale})`);
  for (const r of report.runs.filter((r) => r.verdict === 'invalid')) log(`  invalid ${r.id}: ${r.invariants.filter((i) => i.verdict === 'invalid').map((i) => i.invariant).join(', ')}\n    replay: ${r.replay}`);
  log(`report: ${files.join(', ')}`);
  return exitCodeFor(report.runs.map((r) => r.verdict));
}

/** 0 every run valid · 1 some run invalid · 3 none invalid but some undecided (unknown). */
export function exitCodeFor(verdicts: string[]): number {
  return verdicts.includes('invalid') ? 1 : verdicts.includes('unknown') ? 3 : 0;
}

/** The default setting of a suite: the config plus any --set values. */
export function defaultSetting(suite: Suite): Setting {
  return makeSetting(suite.document, suite.fixed, suite.configPath ?? 'the settings');
}
