/**
 * Scenarios as ordinary vitest tests, for a bot's own suite:
 *
 *   import { scenarioSuite } from 'baileys-chaos/vitest';
 *   import { SCENARIOS } from 'baileys-chaos';
 *   scenarioSuite([SCENARIOS['stream-errors'], myScenario], { supervisor: MySupervisor });
 *
 * One `describe` per Baileys version, one `test` per scenario. A test fails on an invariant
 * failure (printing the smallest schedule and its paste-ready replay) and on undecided runs
 * (unknown is never a pass). Under virtual time (`npx baileys-chaos warp -- npx vitest run`) the
 * runs use real-world settings (time scale 1) on the warped clock, and the timeouts fit them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBaileysVersion } from './baileys/install.js';
import { NO_BAILEYS_FOUND, versionsUnderTest } from './baileys/versions.js';
import { systemClock } from '../core/clock.js';
import { seedFrom } from '../core/random.js';
import { checkScenario, type CheckResult, type RunOptions, type Scenario } from './scenario.js';
import { currentSpeed, machineTimeOnClock } from './time/warp.js';

export interface ScenarioSuiteOptions {
  /** Baileys versions (default: BAILEYS_VERSIONS from the environment, else your project's installed Baileys); others are installed on demand. */
  versions?: string[];
  /** Base seed (default: SCENARIO_SEED from the environment, else 7); printed in each describe. */
  seed?: number;
  /** Time scale (default 0.04: a 25 s keep-alive runs as 1 s; under virtual time 1: real-world settings). */
  scale?: number;
  /** Generated schedules per scenario and version (default 2). */
  numRuns?: number;
  /** Per-test timeout, ms (default 240 000 real ms: under virtual time the same real budget in clock ms). */
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

export function scenarioSuite(scenarios: Scenario[], opts: ScenarioSuiteOptions = {}): void {
  const seed = opts.seed ?? seedFrom(process.env.SCENARIO_SEED ?? '7');
  const speed = currentSpeed();
  // Under a warp the clock runs K times faster: real-world settings take about as long as the
  // time-scaled ones did, and every timeout below is the same real budget read on that clock.
  const scale = opts.scale ?? (speed ? 1 : 0.04);
  const numRuns = opts.numRuns ?? 2;
  const versions = opts.versions ?? versionsUnderTest();
  if (!versions.length) throw new Error(NO_BAILEYS_FOUND);
  for (const version of versions) {
    describe(`scenarios on Baileys ${version} (seed ${seed}, ${speed ? `virtual time x${speed}, ` : ''}scale ${scale})`, () => {
      // A version not installed is installed into the cache, or every test fails with npm's reason.
      beforeAll(async () => {
        await ensureBaileysVersion(version);
      }, machineTimeOnClock(10 * 60_000, speed));
      for (const scenario of scenarios) {
        test(`${scenario.name}: ${scenario.about}`, async () => {
          const result = await checkScenario(scenario, {
            version,
            seed,
            scale,
            clock: systemClock,
            numRuns,
            ...(opts.config ? { config: opts.config } : {}),
            ...(opts.supervisor ? { supervisor: opts.supervisor } : {}),
            ...(opts.bot ? { bot: opts.bot } : {}),
            ...(opts.recoverySloMs !== undefined ? { recoverySloMs: opts.recoverySloMs } : {}),
            ...(opts.allowUnknown ? { allowUnknown: true } : {}),
            ...(opts.messages ? { messages: opts.messages } : {}),
          });
          if (result.failed) expect.fail(describeFailure(scenario, version, result));
          expect(result.runs, 'every generated schedule ran').toBe(numRuns);
        }, machineTimeOnClock(opts.timeoutMs ?? 240_000, speed));
      }
    });
  }
}
