/**
 * What the scenario machinery must catch: deliberately broken supervisors (Supervisor subclasses),
 * each by the right invariant — judged from the server's record, not from what the supervisor
 * reports — and shrunk to a few faults; the multi-file store losing sessions to crashes; the same
 * seed giving the same schedules. (Broken bots of every other kind: broken-bots.test.ts; the
 * passing suite: scenarios-suite.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { virtualTest } from '../../harness/vitest.js';
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { systemClock } from '../../core/clock.js';
import { checkScenario, runScenario, type Scenario } from '../../harness/scenario.js';
import type { Schedule } from '../../harness/faults/schedule.js';
import { seedFrom } from '../../core/random.js';
import { loggedOut } from '../../scenarios/logged-out.js';
import { serverOverload } from '../../scenarios/server-overload.js';
import { streamErrors } from '../../scenarios/stream-errors.js';
import { conflict } from '../../scenarios/conflict.js';
import { crashDuringWriteFileStore } from '../../scenarios/crash-during-write.js';
import { FightsConflictSupervisor, LoopsAfter401Supervisor, NoBackoffSupervisor } from '../support/broken-supervisors.js';

const seed = seedFrom(process.env.SCENARIO_SEED ?? '7');
// Real-world settings in virtual time (virtualTest): the runs take scale 1, the clock is fast.
const SCALE = 1;

// Each broken supervisor, the scenario that exposes it, and the invariant that must catch it.
const BROKEN = [
  { broken: 'no backoff', supervisor: NoBackoffSupervisor, scenario: serverOverload, numRuns: 2, invariant: 'backoff discipline (observed gaps, storm limit)' },
  { broken: 'retrying after 401', supervisor: LoopsAfter401Supervisor, scenario: loggedOut, numRuns: 3, invariant: 'stops after 401' },
  { broken: 'fighting a conflict (440)', supervisor: FightsConflictSupervisor, scenario: conflict, numRuns: 2, invariant: 'a replaced instance stands down (no 440 ping-pong)' },
];

describe(`a deliberately broken supervisor is caught and shrunk (Baileys ${versionsUnderTest().at(-1)})`, () => {
  const version = versionsUnderTest().at(-1)!;
  for (const { broken, supervisor, scenario, numRuns, invariant } of BROKEN) virtualTest(`${broken}: caught by "${invariant}" on ${scenario.name}, shrunk to at most 2 faults, replayable`, async () => {
    const result = await checkScenario(scenario, { version, seed, scale: SCALE, clock: systemClock, numRuns, supervisor });
    expect(result.failed).toBe(true);
    expect(result.failures!.map((f) => f.invariant)).toContain(invariant);
    expect(result.counterexample!.length).toBeLessThanOrEqual(2);
    console.log(`caught: ${JSON.stringify(result.counterexample)} — replay: ${JSON.stringify(result.replay)}`);
    // The printed {seed, path} replays the same smallest failure, in one run.
    const replayed = await checkScenario(scenario, { version, seed: result.replay!.seed, path: result.replay!.path, scale: SCALE, clock: systemClock, numRuns: 1, supervisor });
    expect(replayed.failed).toBe(true);
    expect(replayed.counterexample).toEqual(result.counterexample);
  }, { concurrent: true });
});

describe('crashes with the multi-file store (a finding: README)', () => {
  // Baileys' multi-file store writes creds.json in place (truncate, then write): a SIGKILL mid-write
  // leaves it empty or cut. The same schedules that keep the SQLite store whole (scenarios-suite)
  // lose it here often but not always, so this test asserts what is certain — every run decided,
  // and every failure is that loss, caught by the right invariant — and prints the count.
  for (const version of versionsUnderTest()) virtualTest(`Baileys ${version}: every failure is a session lost to a crash (no login after the restart), never a QR`, async () => {
    const schedules = fc.sample(crashDuringWriteFileStore.schedules(), { seed, numRuns: 3 });
    let lost = 0;
    for (const schedule of schedules) {
      const run = await runScenario(crashDuringWriteFileStore, schedule, { version, seed, scale: SCALE, clock: systemClock });
      expect(run.verdict, JSON.stringify(run.results.filter((r) => r.verdict !== 'valid'))).toMatch(/^(valid|invalid)$/);
      const failed = run.results.filter((r) => r.verdict === 'invalid');
      // The lost session also leaves the bot down: recovery and giving up fail with it. Which of the
      // three catches it varies with timing: in CI runs on this loaded 2-core machine "does not give
      // up" alone (6.7.21) and one invariant other than the store reload (7.0.0-rc14) caught it. A gap
      // named in the README's findings: the store-reload invariant does not catch every such loss.
      if (failed.length && !failed.some((f) => f.invariant === 'the store reloads after every crash')) console.log(`multi-file store, Baileys ${version}: caught without the store-reload invariant: ${JSON.stringify(failed)}`);
      for (const f of failed) {
        expect(['the store reloads after every crash', 'recovers within the bound', 'does not give up on a transient fault']).toContain(f.invariant);
        // Judged from the server alone: no login after the restart (what the bot said, a store error naming creds.json, may follow).
        expect(f.invariant === 'the store reloads after every crash' ? f.message : 'n/a').toMatch(/did not reload, lost to the crash|n\/a/);
      }
      if (failed.length) lost++;
    }
    console.log(`multi-file store, Baileys ${version}: ${lost} of ${schedules.length} crash schedules lost the session (seed ${seed})`);
  }, { concurrent: true });
});

test('the same seed gives the same schedules', () => {
  const sample = (s: number) => fc.sample(streamErrors.schedules(), { seed: s, numRuns: 5 });
  expect(sample(42)).toEqual(sample(42));
  expect(sample(42)).not.toEqual(sample(43));
});

virtualTest('an undecided run fails the check: unknown is never a pass, unless allowed', async () => {
  const { moduleBot } = await import('../../harness/bots/module-bot.js');
  const { recoversWithinBound } = await import('../../harness/invariants.js');
  // Judged on recovery alone: the bot stops after a 503 and says so, the window ends after its quiet
  // period, before the recovery bound: the run cannot decide.
  const schedule: Schedule = [{ at: 500, fault: 'server-move', params: { kind: 'stream-error', code: 503 } }];
  const scenario: Scenario = { ...streamErrors, name: 'recovery-only', invariants: [recoversWithinBound], schedules: () => fc.constant(schedule) };
  const version = versionsUnderTest().at(-1)!;
  const opts = { version, seed, scale: SCALE, clock: systemClock, numRuns: 1, bot: moduleBot('test/support/broken-bots/stops-on-503.mjs') };
  const strict = await checkScenario(scenario, opts);
  expect(strict.unknown).toBe(1);
  expect(strict.failed).toBe(true);
  expect(strict.undecided![0]!.message).toMatch(/window ended .* before the .* bound/);
  const allowed = await checkScenario(scenario, { ...opts, allowUnknown: true });
  expect(allowed.failed).toBe(false);
});
