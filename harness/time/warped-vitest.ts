/**
 * One test of a vitest file, run again by a vitest under the warp: how scenarioSuite gives a plain
 * `npx vitest run` real-world settings in virtual time. A process cannot warp its own clock, so the
 * test starts `vitest run <its file> -t <its name>` under libfaketime at speed K (same root, so the
 * same config as vitest finds it) and takes that test's outcome from vitest's JSON report. The
 * inner vitest sees the warp and runs the scenario in-process on the fast clock.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dieWithHarness } from '../children.js';
import { warpedEnv } from './warp.js';
import { removeWorkDir, WORK_ROOT_ENV } from '../work-root.js';

export interface WarpedTest {
  /** The test file, absolute. */
  file: string;
  /** vitest's root: the inner vitest finds its config from there, as the outer one did. */
  root: string;
  /** The test's full name: its describe titles and its own, joined by spaces (vitest's -t reads that). */
  name: string;
  speed: number;
  /** Real ms before the inner vitest is stopped and the test fails as a harness error. */
  timeoutMs: number;
  /** Aborted when this test is abandoned: the inner vitest is stopped (its runs release what they hold). */
  signal?: AbortSignal;
}

export type WarpedOutcome = { passed: true } | { passed: false; failure: string };

interface JsonReport {
  testResults?: { message?: string; assertionResults?: { fullName?: string; status?: string; failureMessages?: string[] }[] }[];
}

const OUTPUT_KEPT = 8_000;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The inner test's own message: its stack points into the inner vitest, and the outer test adds the error's name again. */
const withoutStack = (message: string): string => message.split(/\n\s+at /)[0]!.replace(/^AssertionError: /, '');

/** The vitest CLI beside this package (the one that imported the helper), run with this Node. */
function vitestCli(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('vitest/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin.vitest!);
}

/** The outer vitest's worker settings would make the inner one think it is a worker. */
function withoutVitestWorkerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'VITEST' && !k.startsWith('VITEST_')));
}

export async function runWarpedTest(t: WarpedTest): Promise<WarpedOutcome> {
  const base = withoutVitestWorkerEnv(warpedEnv(t.speed)); // throws the install advice first
  const dir = await mkdtemp(join(tmpdir(), 'bc-vitest-'));
  // The inner runs make their temp dirs in this one, removed once the inner vitest's group is gone:
  // what a run stopped by Ctrl-C was still writing as it went cannot outlive it.
  const env = { ...base, [WORK_ROOT_ENV]: dir };
  // A hard exit skips the finally below.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    const report = join(dir, 'report.json');
    const args = [vitestCli(), 'run', t.file, '--root', t.root, '-t', escapeRegExp(t.name), '--reporter=json', `--outputFile=${report}`];
    const { code, output, timedOut } = await runGroup(process.execPath, args, env, t.timeoutMs, t.signal);
    const what = `Failed to run "${t.name}" in virtual time x${t.speed} (a vitest under libfaketime)`;
    if (timedOut) throw new Error(`${what}: it did not finish within ${t.timeoutMs / 1000} s of real time, so it was stopped. Raise scenarioSuite's timeoutMs, or run it alone to see where it waits.\n${output}`);
    let parsed: JsonReport;
    try {
      parsed = JSON.parse(await readFile(report, 'utf8')) as JsonReport;
    } catch {
      throw new Error(`${what}: it exited with code ${code} and wrote no report. Its output:\n${output}`);
    }
    const files = parsed.testResults ?? [];
    const ran = files.flatMap((f) => f.assertionResults ?? []).filter((a) => a.status === 'passed' || a.status === 'failed');
    if (!ran.length) {
      const why = files.map((f) => f.message).filter(Boolean).join('\n');
      throw new Error(`${what}: that vitest ran no such test${why ? `: ${why}` : ''}. It looks for its config from ${t.root}, as vitest does; a --config elsewhere is not seen: then run the suite under "npx baileys-chaos warp -- npx vitest run --config ...".\n${output}`);
    }
    const failed = ran.filter((a) => a.status === 'failed');
    return failed.length ? { passed: false, failure: failed.flatMap((a) => (a.failureMessages ?? []).map(withoutStack)).join('\n') } : { passed: true };
  } finally {
    process.off('exit', removeDir);
    await removeWorkDir(dir);
  }
}

/** How long a stopped vitest gets to release its runs (SIGTERM) before its group is killed. */
const RELEASE_MS = 15_000;

/**
 * Runs a command in a process group of its own and waits for it. On the timeout or when `signal`
 * aborts the group gets SIGTERM (a warped scenarioSuite worker then releases its run and exits),
 * and SIGKILL RELEASE_MS later; the group is killed outright when this process exits
 * (dieWithHarness), and after the command ends (nothing it started outlives it).
 */
function runGroup(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, signal?: AbortSignal): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  // Its group is killed with this process too, as every child the harness starts (children.ts).
  const child = dieWithHarness(spawn(file, args, { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), true);
  const signalGroup = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const killGroup = () => signalGroup('SIGKILL');
  let output = '';
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-OUTPUT_KEPT));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let timedOut = false;
  let lastResort: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (lastResort) return;
    signalGroup('SIGTERM');
    lastResort = setTimeout(killGroup, RELEASE_MS);
  };
  const timer = setTimeout(() => ((timedOut = true), stop()), timeoutMs);
  signal?.addEventListener('abort', stop, { once: true });
  const settle = (): void => {
    clearTimeout(timer);
    clearTimeout(lastResort);
    signal?.removeEventListener('abort', stop);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      settle();
      reject(new Error(`Failed to start vitest under the warp: ${err.message}`));
    });
    child.once('close', (code) => {
      settle();
      killGroup();
      resolve({ code, output, timedOut });
    });
  });
}
