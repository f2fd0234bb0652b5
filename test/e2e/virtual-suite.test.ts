/**
 * The CI scenario suite (test/support/ci-suite.ts says what runs where and why), every version,
 * with real-world settings at x10: Baileys' own 25 s keep-alive and 5 s allowance, the reference
 * supervisor's real backoff, on a clock ten times faster. Through the compiled CLI as an installed
 * package runs it (test/support/built-cli.ts: built first when stale), both invocations at once,
 * each starting runs while the machine's cores have room (--jobs auto), every run in a process of
 * its own. One test per
 * scenario and version: each of its runs must be valid (unknown is not a pass: a run whose fault
 * never showed its effect fails), and a failure prints the invariants that failed and the run's
 * paste-ready replay. SCENARIO_SEED replays the suite.
 * In npm test's last pass, alone: CPU shared with other test files would inflate every login K
 * times over.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../harness/report/schema.js';
import { readReportFile } from '../../harness/report/write.js';
import { CI_SUITE_RUNS, ciSuite } from '../support/ci-suite.js';
import { runBuiltCli } from '../support/cli.js';

const SPEED = 10;
// Runs start while the machine's cores have room (harness/runner/cpu-headroom.ts), machine-wide: both invocations see one load.
const JOBS = 'auto';
const seed = process.env.SCENARIO_SEED ?? '7';
const suite = ciSuite();
const runs: RunReport[] = [];

let outs: string;
// Removed after all, even when an invocation failed and no test ran (per-test cleanup would not).
afterAll(() => rm(outs, { recursive: true, force: true }));

beforeAll(async () => {
  outs = await mkdtemp(join(tmpdir(), 'bc-ci-suite-'));
  const invocations = suite.map(async (group, i) => {
    const out = join(outs, String(i));
    const args = ['run', '--speed', String(SPEED), '--jobs', JOBS, '--scenario', group.scenarios.join(','), '--baileys', group.versions.join(','), '--runs', String(CI_SUITE_RUNS), '--seed', seed, '--quiet', '--out', out];
    const r = await runBuiltCli(args, { timeoutMs: 900_000 });
    // A report is written whatever the verdicts (exit 1, 3); none means the harness failed: say how.
    const report = await readReportFile(join(out, 'report.json')).catch((err: Error) => {
      throw new Error(`baileys-chaos ${args.join(' ')} wrote no report (exit ${r.code}: ${err.message}). Its stderr:\n${r.stderr}`);
    });
    runs.push(...report.runs);
  });
  // Both end before a failure is told: a command still running would outlive the file.
  const failed = (await Promise.allSettled(invocations)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 1_000_000);

for (const group of suite) {
  for (const version of group.versions) {
    describe(`Baileys ${version} (seed ${seed}, virtual time x${SPEED}, real-world settings)`, () => {
      test.each(group.scenarios)('%s', (scenario) => {
        const mine = runs.filter((r) => r.scenario === scenario && r.version === version);
        expect(mine, 'every planned run has a report').toHaveLength(CI_SUITE_RUNS);
        const failed = mine.filter((r) => r.verdict !== 'valid');
        const why = failed.map(
          (r) =>
            `${r.id}: ${r.verdict}${r.error ? ` (${r.error})` : ''}\n` +
            r.invariants
              .filter((i) => i.verdict !== 'valid')
              .map((i) => `  ${i.invariant} (client ${i.client}, ${i.verdict}): ${i.message}\n`)
              .join('') +
            `  replay: ${r.replay}`,
        );
        expect(why, 'runs not valid').toEqual([]);
      });
    });
  }
}
