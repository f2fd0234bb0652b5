/**
 * Runs the CI scenario suite (test/e2e/virtual-suite.test.ts) N times back to back with one
 * seed and counts flaky verdicts: tests (scenario × version) whose outcome was not the same in
 * every run. Same seed → same schedules, so any difference is the harness or the machine, not
 * the input. Prints the count and writes reports/out/repeat/repeat.json.
 *
 *   npm run repeat:ci -- --times 20 --seed 7
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { times: { type: 'string', default: '20' }, seed: { type: 'string', default: '7' }, file: { type: 'string', default: 'test/e2e/virtual-suite' } } });
const times = Number(values.times);
if (!Number.isInteger(times) || times < 1) {
  console.error(`Failed to start: --times must be a whole number ≥ 1, not "${values.times}".`);
  process.exit(2);
}
const outDir = 'reports/out/repeat';
// A clean slate: a run-N.json from an earlier invocation must never stand in for this one's.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

// One vitest at a time; Ctrl-C or a kill stops it (and its workers) too, not just this loop.
let current: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (current?.pid) process.kill(-current.pid, 'SIGTERM');
    process.exit(130);
  });
}
function runVitest(args: string[]): Promise<void> {
  return new Promise((resolve) => {
    current = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SCENARIO_SEED: values.seed }, detached: true });
    current.once('exit', () => resolve());
  });
}

type Outcome = 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
const outcomes = new Map<string, Outcome[]>();
const durations: number[] = [];
const started = performance.now();
for (let i = 1; i <= times; i++) {
  const json = join(outDir, `run-${i}.json`);
  rmSync(json, { force: true }); // if vitest crashes before writing it, no stale file is read
  const t0 = performance.now();
  await runVitest(['run', values.file!, '--reporter=json', `--outputFile=${json}`]);
  durations.push((performance.now() - t0) / 1000);
  let report: { testResults: { assertionResults: { fullName: string; status: Outcome }[] }[] };
  try {
    report = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    console.error(`run ${i}: vitest wrote no report (${json}): counted as a failure of every test`);
    for (const list of outcomes.values()) list.push('failed');
    continue;
  }
  for (const t of report.testResults.flatMap((f) => f.assertionResults)) {
    const list = outcomes.get(t.fullName) ?? [];
    list.push(t.status);
    outcomes.set(t.fullName, list);
  }
  const failed = [...outcomes.values()].filter((l) => l.at(-1) === 'failed').length;
  console.log(`run ${i}/${times}: ${durations.at(-1)!.toFixed(0)} s, ${failed} failed (elapsed ${((performance.now() - started) / 60_000).toFixed(1)} min)`);
}
const tests = [...outcomes.entries()].map(([name, list]) => ({ name, outcomes: list, flaky: new Set(list).size > 1 || list.length < times }));
const flaky = tests.filter((t) => t.flaky);
const alwaysFailed = tests.filter((t) => !t.flaky && t.outcomes[0] === 'failed');
const result = { seed: values.seed, times, tests: tests.length, flakyVerdicts: flaky.length, alwaysFailed: alwaysFailed.length, suiteSeconds: durations, flaky, alwaysFailedTests: alwaysFailed.map((t) => t.name) };
writeFileSync(join(outDir, 'repeat.json'), JSON.stringify(result, null, 2));
for (const t of flaky) console.log(`flaky: ${t.name}: ${t.outcomes.join(' ')}`);
for (const t of alwaysFailed) console.log(`failed every run: ${t.name}`);
console.log(`${times} runs of ${values.file} (seed ${values.seed}), ${tests.length} tests: ${flaky.length} flaky verdicts, ${alwaysFailed.length} failing every run; suite ${Math.min(...durations).toFixed(0)}–${Math.max(...durations).toFixed(0)} s`);
process.exit(flaky.length || alwaysFailed.length ? 1 : 0);
