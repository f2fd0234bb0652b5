/**
 * The exit-code table (harness/report/exit-code.ts, README "Exit codes") through the real CLI, for
 * the codes a report decides: 3 undecided (an unknown verdict; 0 with --allow-unknown), 4 a run
 * ended in error, 1 invalid. Reports built by hand and judged by `check --report`, so each code is
 * shown without waiting on a run that happens to end undecided.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildReport } from '../../harness/report/build.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';
import { header, run } from '../unit/report/fixtures.js';

async function judged(current: Parameters<typeof run>[0][], extra: string[] = []) {
  const dir = await tempDir();
  const baseline = join(dir, 'baseline.json');
  const report = join(dir, 'report.json');
  await writeFile(baseline, JSON.stringify(buildReport(header, [run({})], new Date(0))));
  await writeFile(report, JSON.stringify(buildReport(header, current.map((c) => run(c)), new Date(0))));
  return runCli(['check', '--baseline', baseline, '--report', report, ...extra]);
}

const undecided = { verdict: 'unknown' as const, invariants: [{ invariant: 'does not give up on a transient fault', client: 0, verdict: 'unknown' as const, message: 'down at the end, closed 2 s before it' }] };

test.each([
  { what: 'all valid', current: [{}], extra: [], code: 0 },
  { what: 'an unknown verdict: undecided', current: [undecided], extra: [], code: 3 },
  { what: 'an unknown verdict with --allow-unknown', current: [undecided], extra: ['--allow-unknown'], code: 0 },
  { what: 'a run ended in error (and an unknown beside it)', current: [undecided, { runIndex: 1, verdict: 'error' as const, error: 'no network namespace', invariants: [], metrics: [] }], extra: [], code: 4 },
  { what: 'an invalid run (and an error beside it)', current: [{ verdict: 'invalid' as const, invariants: [{ invariant: 'stops after 401', client: 0, verdict: 'invalid' as const, message: 'looped' }] }, { runIndex: 1, verdict: 'error' as const, error: 'boom', invariants: [], metrics: [] }], extra: [], code: 1 },
] as const)('$what → exit $code', async ({ current, extra, code }) => {
  const r = await judged([...current] as never, [...extra]);
  expect(r.code, r.stderr).toBe(code);
}, 60_000);
