/**
 * Scenarios as properties over the real stack. A failure prints a paste-ready replay
 * ({seed, path}); SCENARIO_SEED replays a run.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { systemClock } from '../../harness/clock.js';
import { checkScenario } from '../../harness/scenario.js';
import { seedFrom } from '../../harness/random.js';
import { keepaliveTimeout } from '../../scenarios/keepalive-timeout.js';
import { clockJumps } from '../../scenarios/clock-jumps.js';
import { loggedOut } from '../../scenarios/logged-out.js';
import { loginNeverCompletes } from '../../scenarios/login-never-completes.js';
import { unstableNetwork } from '../../scenarios/unstable-network.js';
import { serverRestartHerd } from '../../scenarios/server-restart-herd.js';
import { streamErrors } from '../../scenarios/stream-errors.js';
import { LoopsAfter401Supervisor, NoBackoffSupervisor } from '../support/broken-supervisors.js';

const seed = seedFrom(process.env.SCENARIO_SEED ?? '7');
const SCALE = 0.04; // 25 s keep-alive → 1 s; 3 s base delay → 120 ms (Baileys' fixed 5 s stays 5 s)

describe.each(versionsUnderTest())(`scenarios on Baileys %s (seed ${seed})`, (version) => {
  test(`${streamErrors.name}: every invariant holds for the reference supervisor`, async () => {
    const result = await checkScenario(streamErrors, { version, seed, scale: SCALE, clock: systemClock, numRuns: 4 });
    if (result.failed) console.log('replay:', JSON.stringify(result.replay), JSON.stringify(result.counterexample), JSON.stringify(result.failures));
    expect(result.failed).toBe(false);
    expect(result.runs).toBe(4);
  }, 120_000);

  test(`${keepaliveTimeout.name}: every invariant holds through blackholed-link windows (408s and recovery)`, async () => {
    const result = await checkScenario(keepaliveTimeout, { version, seed, scale: SCALE, clock: systemClock, numRuns: 2 });
    if (result.failed) console.log('replay:', JSON.stringify(result.replay), JSON.stringify(result.counterexample), JSON.stringify(result.failures));
    expect(result.failed).toBe(false);
  }, 180_000);
});

describe.each(versionsUnderTest())(`more scenarios on Baileys %s (seed ${seed})`, (version) => {
  test(`${loggedOut.name}: stops after 401 and never loops`, async () => {
    const result = await checkScenario(loggedOut, { version, seed, scale: SCALE, clock: systemClock, numRuns: 3 });
    if (result.failed) console.log('replay:', JSON.stringify(result.replay), JSON.stringify(result.counterexample), JSON.stringify(result.failures));
    expect(result.failed).toBe(false);
    expect(result.unknown).toBe(0);
  }, 120_000);

  test(`${serverRestartHerd.name}: five clients come back, each as itself, one connection per device`, async () => {
    const result = await checkScenario(serverRestartHerd, { version, seed, scale: SCALE, clock: systemClock, numRuns: 2 });
    if (result.failed) console.log('replay:', JSON.stringify(result.replay), JSON.stringify(result.counterexample), JSON.stringify(result.failures));
    expect(result.failed).toBe(false);
  }, 180_000);
});

describe(`network, login and clock scenarios on Baileys ${versionsUnderTest().at(-1)} (seed ${seed})`, () => {
  const version = versionsUnderTest().at(-1)!;
  test.each([unstableNetwork, loginNeverCompletes, clockJumps])('$name: every invariant holds', async (scenario) => {
    const result = await checkScenario(scenario, { version, seed, scale: SCALE, clock: systemClock, numRuns: 2 });
    if (result.failed) console.log('replay:', JSON.stringify(result.replay), JSON.stringify(result.counterexample), JSON.stringify(result.failures));
    expect(result.failed).toBe(false);
  }, 240_000);
});

describe('a deliberately broken supervisor is caught and shrunk', () => {
  const version = versionsUnderTest().at(-1)!;

  test('no backoff: caught by "delays follow the policy", shrunk to a schedule of at most 2 faults, replayable', async () => {
    const result = await checkScenario(streamErrors, { version, seed, scale: SCALE, clock: systemClock, numRuns: 6, supervisor: NoBackoffSupervisor });
    expect(result.failed).toBe(true);
    expect(result.failures!.map((f) => f.invariant)).toContain('delays follow the policy');
    expect(result.counterexample!.length).toBeLessThanOrEqual(2);
    console.log(`caught: ${JSON.stringify(result.counterexample)} — replay: ${JSON.stringify(result.replay)}`);
    // The printed {seed, path} replays the same smallest failure, in one run.
    const replayed = await checkScenario(streamErrors, { version, seed: result.replay!.seed, path: result.replay!.path, scale: SCALE, clock: systemClock, numRuns: 1, supervisor: NoBackoffSupervisor });
    expect(replayed.failed).toBe(true);
    expect(replayed.counterexample).toEqual(result.counterexample);
  }, 240_000);
});

describe('a supervisor that loops after 401 is caught', () => {
  test('caught by "stops after 401", shrunk to the logout alone or nearly', async () => {
    const version = versionsUnderTest().at(-1)!;
    const result = await checkScenario(loggedOut, { version, seed, scale: SCALE, clock: systemClock, numRuns: 3, supervisor: LoopsAfter401Supervisor });
    expect(result.failed).toBe(true);
    expect(result.failures!.map((f) => f.invariant)).toContain('stops after 401');
    expect(result.counterexample!.length).toBeLessThanOrEqual(2);
    console.log(`caught: ${JSON.stringify(result.counterexample)} — replay: ${JSON.stringify(result.replay)}`);
  }, 180_000);
});

test('the same seed gives the same schedules', () => {
  const sample = (s: number) => fc.sample(streamErrors.schedules(), { seed: s, numRuns: 5 });
  expect(sample(42)).toEqual(sample(42));
  expect(sample(42)).not.toEqual(sample(43));
});
