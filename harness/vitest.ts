/**
 * Scenarios as ordinary vitest tests, for a bot's own suite:
 *
 *   import { scenarioSuite } from 'baileys-chaos/vitest';
 *   import { SCENARIOS } from 'baileys-chaos';
 *   scenarioSuite([SCENARIOS['stream-errors'], myScenario], { supervisor: MySupervisor });
 *
 * One `describe` per Baileys version, one `test` per scenario. A test fails on an invariant
 * failure (printing the smallest schedule and its paste-ready replay) and on undecided runs
 * (unknown is never a pass). Runs use real-world settings in virtual time (x10 by default): under
 * `npx baileys-chaos warp -- npx vitest run` in this process, on the warped clock; under a plain
 * `npx vitest run` each test runs again in a vitest under the warp (time/warped-vitest.ts), since a
 * process cannot warp its own clock.
 */
import { beforeAll, describe, expect, test, type ExpectStatic } from 'vitest';
import { ensureBaileysVersion } from './baileys/install.js';
import { NO_BAILEYS_FOUND, versionsUnderTest } from './baileys/versions.js';
import { systemClock } from '../core/clock.js';
import { seedFrom } from '../core/random.js';
import { checkScenario, type CheckResult, type RunOptions, type Scenario } from './scenario.js';
import { suiteTime, timeTitle } from './time/suite-time.js';
import { FAKETIME_INSTALL, faketimeLibrary, machineTimeOnClock } from './time/warp.js';
import { runWarpedTest } from './time/warped-vitest.js';
import { abandonedWorker } from './runner/interrupt.js';

export interface ScenarioSuiteOptions {
  /** Baileys versions (default: BAILEYS_VERSIONS from the environment, else your project's installed Baileys); others are installed on demand. */
  versions?: string[];
  /** Base seed (default: SCENARIO_SEED from the environment, else 7); printed in each describe. */
  seed?: number;
  /** Virtual time: real-world settings on a clock K times faster (default 10, or the bot's own default: 5 for OpenClaw; under a warp, the warp's speed; 1: real time, slow). Needs libfaketime. */
  speed?: number;
  /** The older time-scaled mode instead, to be retired: the scenario's and the reference supervisor's durations times F (0.04: a 25 s keep-alive runs as 1 s), in this process, real time. Baileys' fixed timers and your bot's own do not shrink, so what they cause can vanish. */
  scale?: number;
  /** Generated schedules per scenario and version (default 2). */
  numRuns?: number;
  /** Per-test budget, real ms (default 240 000; in virtual time read on the fast clock, plus a minute to start the warped vitest). */
  timeoutMs?: number;
  /** The supervisor settings, real-world scale (default: the troubleshooting page's). */
  config?: RunOptions['config'];
  /** Your supervisor, a subclass of the reference one (default: the reference one). */
  supervisor?: RunOptions['supervisor'];
  /** Your bot: `moduleBot('./my-bot.js')`, `shellCommandBot({command: 'node bot.js'})`, ... (default: the reference supervisor). */
  bot?: RunOptions['bot'];
  /** Recovery SLO for a bot with no declared policy, real-world ms (default 60 000). */
  recoverySloMs?: number;
  /** Let undecided runs pass (default: an unknown verdict fails the test). */
  allowUnknown?: boolean;
  /** Message traffic through every run, e.g. `{ perMinute: 10, answers: true }` for an echo bot (README "Message traffic"). */
  messages?: RunOptions['messages'];
}

/** What a failing check prints: the smallest failing schedule, why, and how to replay it. */
export function describeFailure(scenario: Scenario, version: string, result: CheckResult): string {
  if (result.error) return `${scenario.name} on Baileys ${version} could not be run (a harness error, not a verdict on the bot): ${result.error}`;
  if (!result.counterexample && result.undecided) {
    return `${scenario.name} on Baileys ${version}: ${result.unknown} run(s) ended undecided (the window closed first): not a pass\n${result.undecided.map((f) => `  client ${f.client}: ${f.invariant}: ${f.message}`).join('\n')}`;
  }
  const why = (result.failures ?? []).map((f) => `  client ${f.client}: ${f.invariant}: ${f.message}`).join('\n');
  return `${scenario.name} on Baileys ${version} failed on schedule ${JSON.stringify(result.counterexample)}\n${why}\nreplay: ${JSON.stringify(result.replay)} (checkScenario(scenario, { ...options, seed, path, numRuns: 1 }))`;
}

/** What a test that needs libfaketime says where it is missing. */
const FAKETIME_MISSING_FOR_SUITE = (speed: number) =>
  `Failed to run scenarioSuite in virtual time x${speed} (real-world settings on a fast clock, the default): libfaketime is not installed. ${FAKETIME_INSTALL}, or give scenarioSuite { speed: 1 } to run in real time (slow), or { scale: 0.04 } for the older time-scaled mode.`;

/** A warped vitest needs this long beyond the test's own budget to start and collect the file. */
const WARPED_VITEST_START_MS = 60_000;

/**
 * The running test again, in a vitest under the warp at `speed` (time/warped-vitest.ts): its
 * outcome becomes this test's. `name` is its full name (describe titles and its own, by spaces).
 */
async function runThisTestWarped(name: string, speed: number, budget: number, faketimeMissing: string, own: ExpectStatic = expect): Promise<void> {
  if (!faketimeLibrary()) own.fail(faketimeMissing);
  const file = own.getState().testPath;
  if (!file) throw new Error('Failed to run the test in virtual time: vitest did not say which file it is in. Run it under "npx baileys-chaos warp -- npx vitest run".');
  const root = (globalThis as { __vitest_worker__?: { config?: { root?: string } } }).__vitest_worker__?.config?.root ?? process.cwd();
  const abandoned = abandonedWorker();
  const outcome = await runWarpedTest({ file, root, name, speed, timeoutMs: budget + WARPED_VITEST_START_MS / 2, signal: abandoned.signal }).finally(() => abandoned.dispose());
  if (!outcome.passed) own.fail(outcome.failure);
}

export interface VirtualTestOptions {
  /** Clock speed (default 10; under a warp, the warp's). */
  speed?: number;
  /** The body's budget, real ms (default 240 000; read on the fast clock, plus a minute to start the warped vitest). */
  timeoutMs?: number;
  /**
   * Run beside the file's other concurrent tests when each runs again in a warped vitest (a process
   * tree of its own, mostly idle in virtual time); in vitest's own process tests go one at a time,
   * since a clock fault replaces the process's Date.
   */
  concurrent?: boolean;
}

/**
 * A test whose body runs in virtual time with real-world settings, as scenarioSuite's tests do:
 * under `npx baileys-chaos warp -- npx vitest run` in this process; under a plain vitest, again in
 * a vitest under the warp, where the body runs (so it must not depend on anything but its file).
 * Its runs take `scale: 1`: the clock, not the settings, is fast. Test names must be unique in
 * their file: the warped vitest finds the test by name.
 */
export function virtualTest(title: string, body: () => Promise<void>, opts: VirtualTestOptions = {}): void {
  const time = suiteTime(opts.speed !== undefined ? { speed: opts.speed } : {});
  const budget = opts.timeoutMs ?? 240_000;
  if (time.kind === 'here') {
    test(title, body, machineTimeOnClock(budget, time.speed));
    return;
  }
  const missing = `Failed to run "${title}" in virtual time x${time.speed}: libfaketime is not installed. ${FAKETIME_INSTALL}.`;
  // vitest's name for the running test joins its describe titles and its own with " > "; -t reads them joined by spaces.
  // A concurrent test reads its own expect (the global one is shared among them).
  (opts.concurrent ? test.concurrent : test)(title, ({ expect: own }) => runThisTestWarped((own.getState().currentTestName ?? title).split(' > ').join(' '), time.speed, budget, missing, own), budget + WARPED_VITEST_START_MS);
}

export function scenarioSuite(scenarios: Scenario[], opts: ScenarioSuiteOptions = {}): void {
  const seed = opts.seed ?? seedFrom(process.env.SCENARIO_SEED ?? '7');
  const time = suiteTime({ ...opts, ...(opts.bot?.defaultSpeed ? { defaultSpeed: opts.bot.defaultSpeed } : {}) });
  const budget = opts.timeoutMs ?? 240_000;
  const numRuns = opts.numRuns ?? 2;
  const versions = opts.versions ?? versionsUnderTest();
  if (!versions.length) throw new Error(NO_BAILEYS_FOUND);
  const bot = opts.bot?.label ?? (opts.supervisor ? `supervisor ${opts.supervisor.name}` : 'reference');
  for (const version of versions) {
    // The same title in this vitest and in a warped one, which finds the test by it.
    const suiteTitle = `scenarios on Baileys ${version} (bot ${bot}, seed ${seed}, ${timeTitle(time)})`;
    // Each test again under the warp is a process tree of its own, mostly idle in virtual time: they
    // run side by side, as many as vitest's maxConcurrency (5 unless your config says otherwise).
    // In this process runs go one at a time: a clock fault replaces the process's Date.
    (time.kind === 'warped-vitest' ? describe.concurrent : describe)(suiteTitle, () => {
      // A version not installed is installed into the cache, or every test fails with npm's reason.
      beforeAll(async () => {
        await ensureBaileysVersion(version);
      }, machineTimeOnClock(10 * 60_000, time.kind === 'here' ? time.speed : undefined));
      for (const scenario of scenarios) {
        const title = `${scenario.name}: ${scenario.about}`;
        if (time.kind === 'warped-vitest') {
          test(title, () => runThisTestWarped(`${suiteTitle} ${title}`, time.speed, budget, FAKETIME_MISSING_FOR_SUITE(time.speed)), budget + WARPED_VITEST_START_MS);
          continue;
        }
        test(title, async () => {
          const abandoned = abandonedWorker();
          const result = await checkScenario(scenario, {
            signal: abandoned.signal,
            version,
            seed,
            scale: time.scale,
            clock: systemClock,
            numRuns,
            ...(opts.config ? { config: opts.config } : {}),
            ...(opts.supervisor ? { supervisor: opts.supervisor } : {}),
            ...(opts.bot ? { bot: opts.bot } : {}),
            ...(opts.recoverySloMs !== undefined ? { recoverySloMs: opts.recoverySloMs } : {}),
            ...(opts.allowUnknown ? { allowUnknown: true } : {}),
            ...(opts.messages ? { messages: opts.messages } : {}),
          }).finally(() => abandoned.dispose());
          if (result.failed) expect.fail(describeFailure(scenario, version, result));
          expect(result.runs, 'every generated schedule ran').toBe(numRuns);
        }, machineTimeOnClock(budget, time.speed));
      }
    });
  }
}
