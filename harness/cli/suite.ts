/**
 * What run, compare, tune, check and replay share: the flags that choose scenarios, versions,
 * settings, seed and speed; the checks that turn bad input into one clear line; and the loop
 * that executes a plan with progress and writes the report files.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ensureBaileysVersion } from '../baileys/install.js';
import { defaultBaileysVersion, describeBaileysSource, loadBaileys, NO_BAILEYS_FOUND } from '../baileys/versions.js';
import { systemClock } from '../../core/clock.js';
import { connectUrl } from '../faults/toxiproxy/backend.js';
import { seedFrom } from '../../core/random.js';
import { buildReport, type ReportHeader } from '../report/build.js';
import { timeBasis } from '../report/format.js';
import type { Report, RunReport, Setting } from '../report/schema.js';
import { writeReportFiles } from '../report/write.js';
import { executePlan, scheduleForSeed, type ExecuteOptions } from '../runner/execute.js';
import { childPool, isRunChild, serveRuns } from '../runner/run-in-child.js';
import { AUTO_JOBS_BUSY_TARGET, AUTO_JOBS_PER_CORE, AUTO_JOBS_WINDOW_MS, cpuHeadroomGate } from '../runner/cpu-headroom.js';
import { parseShard, planRuns, shardOf, type PlannedRun, type Shard } from '../runner/plan.js';
import { Progress } from '../runner/progress.js';
import { makeSetting, parseAssignment } from '../runner/settings.js';
import { readConfigDocument } from '../supervisor/config.js';
import { chooseBot, type Bot } from '../bots/index.js';
import { EXIT, exitCodeFor } from '../report/exit-code.js';
import { RunStream } from '../report/run-stream.js';
import { stopOnSignals } from '../runner/interrupt.js';
import { OPENCLAW_DEFAULT_SPEED } from '../bots/openclaw.js';
import { clockName, currentSpeed, DEFAULT_SPEED, FAKETIME_MISSING, isRealTime, machineTimeOnClock, MAX_SPEED, speedFlag, warpDescription } from '../time/warp.js';
import { refuseUnreachable, RunInterruptedError, type Scenario } from '../scenario.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { UsageError } from './command.js';
import type { MessageTraffic } from '../messages/traffic.js';

/** Flags every suite command accepts (node:util parseArgs options). */
export const SUITE_FLAGS = {
  scenario: { type: 'string', multiple: true },
  baileys: { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  runs: { type: 'string' },
  seed: { type: 'string' },
  'time-scale': { type: 'string' }, // retired: main.ts turns it into --speed 1/F (check refuses it)
  speed: { type: 'string' },
  out: { type: 'string' },
  supervisor: { type: 'string' },
  bot: { type: 'string' },
  'bot-cmd': { type: 'string' },
  restart: { type: 'string' },
  'auth-dir': { type: 'string' },
  node: { type: 'string' },
  'recovery-slo': { type: 'string' },
  'storm-limit': { type: 'string' },
  'allow-unknown': { type: 'boolean' },
  toxiproxy: { type: 'string' },
  shard: { type: 'string' },
  jobs: { type: 'string' },
  quiet: { type: 'boolean' },
  messages: { type: 'string' },
  answers: { type: 'boolean' },
  'deaf-after': { type: 'string' },
} as const;

export const SUITE_HELP = `  --scenario NAME[,NAME]  scenarios to run (repeatable; default: all). Known: ${Object.keys(SCENARIOS).join(', ')}
  --baileys V[,V]         Baileys versions (default: your project's installed Baileys); others are installed on demand into the cache
  --config FILE           the bot's openclaw.json (either schema); default: the troubleshooting page's settings
  --set KEY=N             override one setting (repeatable), e.g. --set reconnect.baseDelay=500
  --runs N                generated schedules per scenario (default 3)
  --seed S                base seed (printed; default: random). The same seed gives the same schedules
  --speed K               virtual time (the default, K = ${DEFAULT_SPEED}; ${OPENCLAW_DEFAULT_SPEED} for --bot openclaw): real-world settings, everything
                          (harness, server, Baileys, your bot's processes) on one clock K times faster (1-${MAX_SPEED}; above 1 it
                          needs libfaketime: apt-get install faketime libfaketime). --speed 1 runs in real time
  --time-scale F          retired (it shrank the settings, which hid what Baileys' fixed timers and a bot's own cause): now
                          the same as --speed 1/F, at most the default speed, with a note saying so
  --out DIR               where report.json, report.md, report.html, junit.xml go
  The bot under test (default: the reference supervisor); one of:
  --bot ./my-bot.js       a module whose connect(ctx) runs your own Baileys code ({baileys, version, wsUrl, authDir, index, report})
  --bot-cmd 'node bot.js' any command, one unmodified process per client: told BAILEYS_CHAOS_WS_URL and BAILEYS_CHAOS_AUTH_DIR,
                          Node bots get the redirect preload (your import of Baileys loads the version under test)
    --restart P           how a process manager restarts it: always (default), on-failure, never
    --auth-dir DIR        where the bot keeps its session, relative to its directory (default auth_info_baileys)
  --bot openclaw          the real "openclaw gateway" (needs Node >= 24.16: --node PATH, and "npm run setup:openclaw")
  --supervisor MODULE     a Supervisor subclass (in-process scenarios only)
  --recovery-slo SECONDS  recovery bound for bots with no declared policy (default 60, real-world)
  --storm-limit N         most attempts a client may make in a real-world minute (default 30)
  --allow-unknown         let undecided runs pass (default: an unknown verdict fails)
  --toxiproxy URL         use this Toxiproxy server (default: a local toxiproxy-server, else the embedded one)
  --shard i/n             run every n-th planned run only (CI matrices); combine with "merge"
  --jobs N|auto           runs at once, each in a process of its own (default in virtual time: one per core, OpenClaw
                          one; in real time (--speed 1): 1, one at a time in this process). In virtual time a run is mostly
                          idle: several fit on the cores. Keep the machine's CPU well under its cores: CPU work is
                          what virtual time cannot speed up. auto: start each run only while the machine's cores are
                          under 70 % busy (measured, every process counted), up to 8 a core
  --messages N            inbound messages per real-world minute to each bot device through every run (contacts and
                          gaps from the seed); adds the message checks: none lost (receipted), not deaf after a reconnect
  --answers               the bot answers each text (an echo bot): its answers are checked too (none lost, none twice)
  --deaf-after SECONDS    how long an open connection may leave a message unhandled before it is deaf (default 15,
                          real-world; at least 3 s of machine time)
  --quiet                 no progress output`;

type Values = { [K in keyof typeof SUITE_FLAGS]?: (typeof SUITE_FLAGS)[K] extends { multiple: true } ? string[] : (typeof SUITE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export interface Suite {
  scenarios: string[];
  versions: string[];
  runs: number;
  seed: number;
  /** The library's settings scale: always 1 from the CLI (--time-scale is retired: harness/cli/retired-time-scale.ts). */
  scale: 1;
  /** Virtual time: the speed the whole command runs at under libfaketime (--speed); undefined: real time. */
  speed?: number;
  document: unknown;
  configPath?: string;
  /** Fixed --set overrides, applied to every setting. */
  fixed: Record<string, number>;
  /** The bot under test. */
  bot: Bot;
  recoverySloMs?: number;
  stormLimit?: number;
  allowUnknown: boolean;
  shard?: Shard;
  /** Runs at once (--jobs); with `autoJobs`, the most at once. */
  jobs: number;
  /** --jobs auto: start each run only while the machine's cores have room (harness/runner/cpu-headroom.ts). */
  autoJobs: boolean;
  out?: string;
  quiet: boolean;
  /** Message traffic through every run (--messages N, --answers). */
  messages?: Partial<MessageTraffic>;
}

const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  return n;
}

/**
 * Runs at once when --jobs is not given: in virtual time a run is mostly idle (a stream-errors run
 * at x10 kept 0.12 of a core busy), so one per core, or fewer where the bot says so; in real time,
 * one at a time in this process.
 */
function defaultJobs(bot: Bot, speed: number | undefined): number {
  return speed !== undefined && !isRealTime(speed) ? withinBotCap(bot, availableParallelism()) : 1;
}

/** `n` runs at once, or fewer where the bot says so (OpenClaw: one), and at least one. */
const withinBotCap = (bot: Bot, n: number) => Math.max(1, Math.min(bot.defaultJobs ?? Infinity, n));

function jobsNote(suite: Suite): string {
  if (suite.autoJobs) return `, up to ${suite.jobs} at once while the machine's cores are under ${AUTO_JOBS_BUSY_TARGET * 100} % busy (--jobs auto), each in its own process`;
  return suite.jobs > 1 ? `, ${suite.jobs} at once, each in its own process` : '';
}

/** --jobs N, or --jobs auto: up to AUTO_JOBS_PER_CORE a core (fewer where the bot says so), each started while the cores have room. */
function jobsFlag(value: string | undefined, bot: Bot, speed: number | undefined): { jobs: number; autoJobs: boolean } {
  if (value !== 'auto') return { jobs: positive(value, '--jobs', defaultJobs(bot, speed), true), autoJobs: false };
  return { jobs: withinBotCap(bot, AUTO_JOBS_PER_CORE * availableParallelism()), autoJobs: true };
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
  const speed = values.speed !== undefined ? speedFlag(['--speed', values.speed]) : undefined;
  if (speed !== undefined && !isRealTime(speed) && currentSpeed() !== speed) throw new UsageError(FAKETIME_MISSING);
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
  let bot: Bot;
  try {
    bot = await chooseBot({ supervisor: values.supervisor, bot: values.bot, botCmd: values['bot-cmd'], restart: values.restart, authDir: values['auth-dir'], node: values.node });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // A scenario this bot cannot be put through (kills for an in-process bot, clock faults for a
  // process): named and refused when asked for, left out of the default list.
  const fits = (name: string) => unreachableWhy(SCENARIOS[name]!, bot) === undefined;
  for (const s of scenarios) {
    const why = unreachableWhy(SCENARIOS[s]!, bot);
    if (why) throw new UsageError(why);
  }
  const chosen = scenarios.length ? scenarios : (defaults.scenarios ?? Object.keys(SCENARIOS)).filter(fits);
  return {
    scenarios: chosen,
    versions: list(values.baileys).length ? list(values.baileys) : (defaults.versions ?? [defaultVersion()]),
    runs: positive(values.runs, '--runs', defaults.runs ?? 3, true),
    seed,
    scale: 1,
    ...(speed !== undefined ? { speed } : {}),
    document,
    fixed,
    quiet: !!values.quiet,
    ...(values.config ? { configPath: values.config } : {}),
    bot,
    allowUnknown: !!values['allow-unknown'],
    ...(values['recovery-slo'] ? { recoverySloMs: positive(values['recovery-slo'], '--recovery-slo', 60, false) * 1000 } : {}),
    ...(values['storm-limit'] ? { stormLimit: positive(values['storm-limit'], '--storm-limit', 30, true) } : {}),
    ...(values.shard ? { shard: wrapUsage(() => parseShard(values.shard!)) } : {}),
    ...jobsFlag(values.jobs, bot, speed),
    ...(values.out ? { out: values.out } : {}),
    ...messagesFlags(values),
  };
}

/** --messages N (a positive rate), --answers (the bot's declaration) and --deaf-after S; also over a scenario's own traffic. */
function messagesFlags(values: Values): { messages?: Partial<MessageTraffic> } {
  const perMinute = values.messages !== undefined ? positive(values.messages, '--messages', 0, false) : undefined;
  const deafAfterMs = values['deaf-after'] !== undefined ? positive(values['deaf-after'], '--deaf-after', 0, false) * 1000 : undefined;
  if (perMinute === undefined && !values.answers && deafAfterMs === undefined) return {};
  return { messages: { ...(perMinute !== undefined ? { perMinute } : {}), ...(values.answers ? { answers: true } : {}), ...(deafAfterMs !== undefined ? { deafAfterMs } : {}) } };
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

/** Why a scenario cannot run with this bot (its schedules need what the bot cannot take), or undefined. */
export function unreachableWhy(scenario: Scenario, bot: Bot): string | undefined {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    try {
      refuseUnreachable(scenario, scheduleForSeed(scenario, seed), bot);
    } catch (err) {
      return `${(err as Error).message.replace(/\.$/, '')}. Leave it out of --scenario.`;
    }
  }
  return undefined;
}

function defaultVersion(): string {
  const version = defaultBaileysVersion();
  if (!version) throw new UsageError(NO_BAILEYS_FOUND);
  return version;
}

/** Installs versions not yet present (printing what it does and where each comes from); an unknown version is an error. */
export async function ensureVersions(versions: string[], log: (line: string) => void): Promise<void> {
  for (const v of versions) {
    await ensureBaileysVersion(v, { log });
    log(`Baileys ${v}: ${describeBaileysSource(v)}`);
  }
}

/** The flags a replay line must repeat so it re-runs the same thing. */
export function replayFlags(suite: Suite, setting: Setting): string[] {
  const values = { ...suite.fixed, ...setting.values };
  return [
    ...(suite.speed ? [`--speed ${suite.speed}`] : []),
    ...(suite.configPath ? [`--config ${suite.configPath}`] : []),
    ...Object.entries(values).map(([k, v]) => `--set ${k}=${v}`),
    ...suite.bot.flags,
    ...(suite.recoverySloMs !== undefined ? [`--recovery-slo ${suite.recoverySloMs / 1000}`] : []),
    ...(suite.stormLimit !== undefined ? [`--storm-limit ${suite.stormLimit}`] : []),
    ...(suite.messages?.perMinute !== undefined ? [`--messages ${suite.messages.perMinute}`] : []),
    ...(suite.messages?.answers ? ['--answers'] : []),
    ...(suite.messages?.deafAfterMs !== undefined ? [`--deaf-after ${suite.messages.deafAfterMs / 1000}`] : []),
  ];
}

export interface ExecuteSuiteInput {
  suite: Suite;
  kind: Report['kind'];
  settings: Setting[];
  tune?: ReportHeader['tune'];
  log: (line: string) => void;
}

/** Where a command writes its report files (and streams its finished runs): --out, else reports/out/<kind>. */
export const outDirFor = (suite: { out?: string | undefined }, kind: string): string => suite.out ?? join('reports', 'out', kind);

/**
 * Plans, executes with progress, and builds the report (not yet written). Each finished run is
 * streamed to runs.jsonl in the output directory as it finishes; SIGINT or SIGTERM stops the plan
 * and the report holds the finished runs, marked `interrupted`.
 */
export async function executeSuite({ suite, kind, settings, tune, log }: ExecuteSuiteInput): Promise<Report> {
  const interruption = stopOnSignals(log);
  const common: ExecuteOptions = {
    scenarios: SCENARIOS,
    scale: suite.scale,
    clock: systemClock,
    bot: suite.bot,
    ...(suite.recoverySloMs !== undefined ? { recoverySloMs: suite.recoverySloMs } : {}),
    ...(suite.stormLimit !== undefined ? { stormLimit: suite.stormLimit } : {}),
    ...(suite.messages ? { messages: suite.messages } : {}),
    replayFlags: (p) => replayFlags(suite, p.setting),
    signal: interruption.signal,
  };
  if (isRunChild()) {
    // A child of a --jobs parent: carry out the runs it sends, answer each, and end (no files).
    // Baileys for clients in this process is loaded first, so its load does not fall inside a run's window.
    if (suite.bot.where !== 'process') await Promise.all(suite.versions.map((v) => loadBaileys(v)));
    await serveRuns(async (planned, schedule) => {
      const [report] = await executePlan([{ ...planned, schedule }], common);
      if (!report) throw new RunInterruptedError(String(interruption.signal.reason));
      return report;
    });
    process.exit(EXIT.ok);
  }
  const whole = planRuns({ scenarios: suite.scenarios, versions: suite.versions, settings, runs: suite.runs, seed: suite.seed });
  const plan = shardOf(whole, suite.shard);
  if (plan.length === 0 && suite.shard) throw new UsageError(`Failed to plan shard ${suite.shard.index}/${suite.shard.count}: the plan has only ${whole.length} run(s), so this shard has none. Use at most ${whole.length} shard(s), or more --runs.`);
  await ensureVersions(suite.versions, log);
  log(
    `${kind}: ${plan.length} runs — ${suite.scenarios.length} scenario(s) × ${suite.versions.join(', ')} × ${settings.length} setting(s) × ${suite.runs} run(s)` +
      `${suite.shard ? ` (shard ${suite.shard.index}/${suite.shard.count})` : ''}, seed ${suite.seed}, ${clockName(suite.speed)} (real-world settings)${jobsNote(suite)}`,
  );
  const progress = suite.quiet ? undefined : new Progress(plan.length, systemClock);
  const label = (p: PlannedRun) => `${p.scenario} ${p.version}${p.setting.label === 'default' ? '' : ` [${p.setting.label}]`} #${p.runIndex}`;
  const stream = new RunStream(outDirFor(suite, kind));
  // Several at once: each in a process of its own (one process runs on one core, and a clock fault replaces its Date).
  // check takes its seed from the baseline (and refuses --seed): its children read the same baseline.
  const children = suite.jobs > 1 ? childPool(process.argv.slice(2), kind === 'check' ? undefined : suite.seed) : undefined;
  const runs: RunReport[] = await executePlan(plan, {
    ...common,
    onRunStart: (p) => progress?.start(label(p)),
    onRunEnd: (p, r) => {
      stream.append(r);
      progress?.finish(label(p), r.verdict, r.wallMs, r.error);
    },
    jobs: suite.jobs,
    ...(children ? { runElsewhere: children.run } : {}),
    ...(suite.autoJobs ? { gate: cpuHeadroomGate({ waitWindow: () => new Promise((resolve) => setTimeout(resolve, machineTimeOnClock(AUTO_JOBS_WINDOW_MS))) }) } : {}),
  }).finally(async () => {
    await children?.close();
    interruption.dispose();
  });
  progress?.end();
  const stopped = interruption.signal.aborted ? { signal: String(interruption.signal.reason), plannedRuns: plan.length, finishedRuns: runs.length } : undefined;
  if (stopped) log(`${kind}: stopped by ${stopped.signal} after ${stopped.finishedRuns} of ${stopped.plannedRuns} runs; the run in progress was released and is not in the report.`);
  return buildReport(
    {
      kind,
      seed: suite.seed,
      timeScale: suite.scale,
      bot: suite.bot.label,
      versions: suite.versions,
      scenarios: suite.scenarios,
      settings,
      ...(suite.shard ? { shard: suite.shard } : {}),
      ...(stopped ? { interrupted: stopped } : {}),
      ...(suite.speed ? { speed: warpDescription(suite.speed, runs.find((r) => r.toxiproxy)?.toxiproxy, suite.versions) } : {}),
      ...(tune ? { tune } : {}),
    },
    runs,
    new Date(),
  );
}

/** Writes the files and prints where they are and the verdict line; returns the exit code. */
export async function finishReport(report: Report, outDir: string, log: (line: string) => void, allowUnknown = false): Promise<number> {
  const files = await writeReportFiles(report, outDir, { allowUnknown });
  const count = (v: string) => report.runs.filter((r) => r.verdict === v).length;
  log(`${report.runs.length} runs: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown, ${count('error')} error (bot: ${report.bot}; seed ${report.seed}, ${timeBasis(report)})`);
  for (const r of report.runs.filter((r) => r.verdict === 'invalid' || r.verdict === 'unknown')) log(`  ${r.verdict} ${r.id}: ${r.invariants.filter((i) => i.verdict === r.verdict).map((i) => `${i.invariant} (client ${i.client}: ${i.message})`).join('; ')}\n    replay: ${r.replay}`);
  for (const r of report.runs.filter((r) => r.verdict === 'error')) log(`  error ${r.id}: ${r.error?.split('\n')[0]}`);
  log(`report: ${files.join(', ')}`);
  if (report.interrupted) {
    log(`interrupted (${report.interrupted.signal}): ${report.interrupted.finishedRuns} of ${report.interrupted.plannedRuns} planned runs finished and are in the report (exit ${EXIT.interrupted}).`);
    return EXIT.interrupted;
  }
  return exitCodeFor(report.runs.map((r) => r.verdict), { allowUnknown });
}

/** The default setting of a suite: the config plus any --set values. */
export function defaultSetting(suite: Suite): Setting {
  return makeSetting(suite.document, suite.fixed, suite.configPath ?? 'the settings');
}
