/**
 * A bot's own vitest suite (scenarioSuite, no time settings) runs real-world settings in virtual
 * time two ways: under `baileys-chaos warp -- npx vitest run` in vitest's own process, and under a
 * plain `npx vitest run`, where each test runs again in a vitest under the warp. keepalive-timeout's
 * runs must show the 408 during the blackhole (its declared effect) or they are unknown and the test
 * fails; unwarped at real-world settings the run would need minutes of real time and run out of its
 * budget. A broken bot fails the plain run with its invariant and a replay. Skipped, with the
 * reason, where libfaketime is absent; there the plain run must say what to install.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { faketimeLibrary } from '../../harness/time/warp.js';
import { killTagged, processesTagged } from '../../harness/tagged-processes.js';
import { onCleanup, tempDir, tempDirsLeft } from '../helpers.js';
import { runCli, runVitest } from '../support/cli.js';
import { alive, until } from '../support/wait.js';

const skip = faketimeLibrary() ? '' : 'libfaketime is not installed (apt-get install faketime libfaketime)';
if (skip) console.warn(`warp.test.ts skipped: ${skip}`);

const ROOT = new URL('../../', import.meta.url).pathname;
const SUITE = ['--root', 'test/support/warped-suite'];
const KEEPALIVE_SUITE = /scenarios on Baileys 7\.0\.0-rc14 \(bot reference, seed 7, virtual time x10\)/;

test.skipIf(!!skip)('a vitest suite under warp runs scenarioSuite with real-world settings in virtual time: keepalive-timeout proves its 408', async () => {
  const r = await runCli(['warp', '--', 'npx', 'vitest', 'run', ...SUITE, 'keepalive'], { timeoutMs: 300_000 });
  const out = r.stdout + r.stderr;
  expect(r.code, out).toBe(0);
  expect(out).toMatch(KEEPALIVE_SUITE);
  expect(out).toMatch(/1 passed/);
}, 320_000);

test.skipIf(!!skip)('a plain vitest run of the same suite runs each test again under the warp: keepalive-timeout proves its 408', async () => {
  const r = await runVitest(['run', ...SUITE, 'keepalive'], { timeoutMs: 330_000 });
  const out = r.stdout + r.stderr;
  expect(r.code, out).toBe(0);
  expect(out).toMatch(KEEPALIVE_SUITE);
  expect(out).toMatch(/1 passed/);
}, 340_000);

test.skipIf(!!skip)('a plain vitest run with a broken bot fails with the invariant it broke and a paste-ready replay', async () => {
  const r = await runVitest(['run', ...SUITE, 'broken'], { timeoutMs: 330_000 });
  const out = r.stdout + r.stderr;
  expect(r.code, out).toBe(1);
  expect(out).toMatch(/logged-out on Baileys 7\.0\.0-rc14 failed on schedule/);
  expect(out).toMatch(/stops after 401/);
  expect(out).toMatch(/replay: \{"seed":/);
  expect(out).toMatch(/1 failed/);
}, 340_000);

test.skipIf(!!skip)('Ctrl-C on a plain vitest run of the suite: every process it started ends, the warped vitest and its run too, and no temp dir is left', async () => {
  const tag = `ctrl-c-${process.pid}-${Date.now()}`;
  const tmp = await tempDir();
  // Tagged, so every process it starts is found (they inherit the environment), the warped ones too.
  const vitest = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...SUITE, 'keepalive'], { cwd: ROOT, env: { ...process.env, BC_CTRL_C_TAG: tag, TMPDIR: tmp }, detached: true, stdio: 'ignore' });
  onCleanup(() => killTagged('BC_CTRL_C_TAG', tag).then(() => undefined));
  // The warped run's work dir, inside the outer test's own (bc-vitest-*).
  const started = () => readdirSync(tmp, { recursive: true }).some((f) => String(f).includes('bc-scenario-')) || undefined;
  await until('the warped run to start (its work dir)', started, 120_000);
  process.kill(-vitest.pid!, 'SIGINT'); // a terminal's Ctrl-C reaches the whole foreground group
  const left = async () => ((await processesTagged('BC_CTRL_C_TAG', tag)).length === 0 ? true : undefined);
  await until('every process of the interrupted run to end', left, 60_000);
  // Nothing of the harness's left either (bc-*): what the aborted run was still writing went with
  // the outer test's dir. vitest's own cache dirs (vite's ssr transforms) stay after a Ctrl-C: not ours.
  const ours = () => tempDirsLeft(tmp).filter((d) => d.startsWith('bc-'));
  await until('the temp dirs to go', () => (ours().length === 0 ? true : undefined), 30_000).catch(() => undefined);
  expect(ours()).toEqual([]);
}, 200_000);

test('where libfaketime is missing, a plain vitest run of the suite says what to install, in one line, and fails', async () => {
  const r = await runVitest(['run', ...SUITE, 'keepalive'], { env: { BAILEYS_CHAOS_LIBFAKETIME: '/nonexistent/libfaketime.so.1' }, timeoutMs: 120_000 });
  const out = r.stdout + r.stderr;
  expect(r.code, out).toBe(1);
  expect(out).toMatch(/Failed to run scenarioSuite in virtual time x10 .*libfaketime is not installed\. Install it .* \{ speed: 1 \}/);
}, 130_000);

test.skipIf(!!skip)('warp refuses what it cannot do, in one line', async () => {
  const none = await runCli(['warp', '--speed', '10']);
  expect(none.stderr).toMatch(/warp needs a command after "--"/);
  expect(none.code).toBe(2);
  const clash = await runCli(['warp', '--speed', '10', '--', 'node', 'bin/baileys-chaos.js', 'run', '--speed', '5']);
  expect(clash.stderr).toMatch(/already runs in virtual time x10 .* a clock's speed cannot change/);
  expect(clash.code).toBe(2);
  // The retired --time-scale 0.2 is --speed 5: another speed than the warp's.
  const mixed = await runCli(['warp', '--', 'node', 'bin/baileys-chaos.js', 'run', '--time-scale', '0.2']);
  expect(mixed.stderr).toMatch(/Failed to run at --time-scale 0\.2 \(now --speed 5\): this command already runs in virtual time x10 .* Drop --time-scale/);
  expect(mixed.code).toBe(2);
});

test.skipIf(!!skip)('warp killed outright (SIGKILL): its command ends too, through the warped process it ran under', async () => {
  const started = join(await tempDir(), 'started');
  // The command writes its pid to a file, then waits for good.
  const script = `require('fs').writeFileSync(${JSON.stringify(started)}, String(process.pid)); setInterval(() => {}, 1000);`;
  const warp = spawn(process.execPath, ['bin/baileys-chaos.js', 'warp', '--', process.execPath, '-e', script], { cwd: new URL('../../', import.meta.url).pathname, stdio: 'ignore' });
  onCleanup(() => void warp.kill('SIGKILL'));
  const pidOf = () => Number(readFileSync(started, { encoding: 'utf8', flag: 'a+' })) || undefined;
  const pid = await until('the command to start', pidOf, 30_000);
  onCleanup(() => void (alive(pid) && process.kill(pid, 'SIGKILL')));
  warp.kill('SIGKILL');
  await until('the command to end after warp was killed', () => !alive(pid), 10_000);
}, 60_000);
