/**
 * The CLI end to end: real Baileys against the fake server, reports on disk, the CI gate, shards,
 * replay, compare, tune, and one clear line for each kind of bad input.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readReportFile } from '../../harness/report/write.js';
import { onCleanup, tempDir, tempDirsLeft } from '../helpers.js';
import { processesTagged } from '../../harness/tagged-processes.js';
import { RUN_CHILD_ENV } from '../../harness/runner/run-in-child.js';
import { runCli } from '../support/cli.js';
import { running, until } from '../support/wait.js';

const V = '7.0.0-rc14';
const FAST = ['--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--quiet'];

describe('bad input ends with one clear line and a usage exit code', () => {
  test.each([
    [['run', '--scenario', 'nope'], 2, /unknown scenario "nope"\. Known: .*stream-errors/],
    [['run', '--runs', 'many'], 2, /--runs must be a positive integer, got "many"/],
    [['run', '--time-scale', '3'], 2, /--time-scale must be above 0 and at most 1, got "3"\. It is retired: --time-scale F now means --speed 1\/F/],
    [['run', '--config', '/nonexistent/openclaw.json'], 2, /Failed to read the config \/nonexistent\/openclaw.json: no such file/],
    [['run', '--set', 'reconnect.baseDelai=5'], 2, /unknown key "channels\.whatsapp\.reconnect\.baseDelai"/],
    [['run', '--shard', '3/2'], 2, /--shard must be "i\/n"/],
    [['run', '--scenario', 'stream-errors', '--baileys', V, '--runs', '1', '--shard', '2/2'], 2, /Failed to plan shard 2\/2: the plan has only 1 run\(s\), so this shard has none\. Use at most 1 shard/],
    [['run', '--supervisor', 'test/support/cli.ts'], 2, /default export must be a class extending Supervisor/],
    [['run', '--scenario', 'crash-during-write', '--supervisor', 'test/support/slowed-supervisor.ts'], 2, /Failed to run scenario "crash-during-write" with the bot supervisor test\/support\/slowed-supervisor\.ts: its schedule kills clients, shapes their packets or shifts one client.s clock, which needs each client in its own process/],
    [['run', '--scenario', 'clock-jumps', '--bot-cmd', 'node bot.js'], 2, /a clock fault cannot reach this bot's own clock/],
    [['run', '--bot', 'does/not/exist.mjs'], 2, /Failed to load the bot module does\/not\/exist\.mjs/],
    [['run', '--bot', 'x.mjs', '--bot-cmd', 'node bot.js'], 2, /--bot and --bot-cmd both name one/],
    [['run', '--bot-cmd', 'node bot.js', '--restart', 'sometimes'], 2, /--restart must be one of always, on-failure, never/],
    [['run', '--toxiproxy', 'http://127.0.0.1:9'], 4, /Failed to reach Toxiproxy at http:\/\/127\.0\.0\.1:9/],
    [['run', '--runs', '-1'], 2, /--runs needs a value; write a value that starts with "-" as --runs=VALUE/],
    [['run', '--runs=-1'], 2, /--runs must be a positive integer, got "-1"/],
    [['run', '--frobnicate'], 2, /Unknown option '--frobnicate'/],
    [['tune'], 2, /tune needs at least one --vary/],
    [['check', '--baseline', '/nonexistent.json'], 2, /Failed to read the report \/nonexistent\.json: no such file/],
    [['check', '--seed', '4'], 2, /--seed is taken from the baseline/],
    [['compare', '--baileys', V], 2, /compare needs two or more versions/],
    [['replay', 'stream-errors'], 2, /a schedule file needs --scenario NAME/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['run', '--speed', '0'], 2, /--speed must be a number from 1 to 50/],
    [['run', '--speed', '10', '--time-scale', '0.1'], 2, /--speed and --time-scale are two ways to run faster: give one\. --time-scale is retired/],
    [['check', '--time-scale', '0.04'], 2, /--time-scale is taken from the baseline/],
    // A baseline made in the retired mode is not re-run: its shrunk settings hid what Baileys' fixed timers cause.
    [['check', '--baseline', 'test/fixtures/time-scaled-baseline.json'], 2, /Failed to check against test\/fixtures\/time-scaled-baseline\.json: it was made at time scale 0\.04, a retired mode .*Make the baseline again in virtual time: baileys-chaos run --update-baseline --scenario stream-errors --baileys 6\.7\.21 --seed 7\./],
    [['run', '--speed', '10'], 2, /libfaketime is not installed/, { BAILEYS_CHAOS_LIBFAKETIME: '/nonexistent/libfaketime.so.1' }],
    // Virtual time is the default: without libfaketime a run says so and how to run anyway.
    [['run', '--scenario', 'stream-errors'], 2, /Failed to run in virtual time \(the default.*libfaketime is not installed.*--speed 1 to run in real time/, { BAILEYS_CHAOS_LIBFAKETIME: '/nonexistent/libfaketime.so.1' }],
    // --speed 1 is real time: no libfaketime needed (the flags are checked, not refused for it).
    [['run', '--speed', '1', '--scenario', 'nope'], 2, /unknown scenario "nope"/, { BAILEYS_CHAOS_LIBFAKETIME: '/nonexistent/libfaketime.so.1' }],
  ] as const)('%j → exit %i', async (args, code, message, env?: NodeJS.ProcessEnv) => {
    const r = await runCli([...args], env ? { env } : {});
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.code).toBe(code);
  }, 60_000);

  test('an unpublished Baileys version is refused before anything runs', async () => {
    const r = await runCli(['run', ...FAST.slice(0, 2), '--baileys', '6.7.99']);
    expect(r.stderr).toMatch(/Failed to use Baileys 6\.7\.99: no such version of @whiskeysockets\/baileys on npm\. Recent ones: /);
    expect(r.code).toBe(2);
  }, 90_000);
});

describe('run, replay, shards and merge', () => {
  test('run (in virtual time, the default: runs at once, one per core) writes the four report files, prints progress lines off a terminal, and every run has a working replay line', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--runs', '2', '--out', out], { timeoutMs: 180_000 });
    const atOnce = Math.min(2, availableParallelism());
    expect(r.stderr).toMatch(/run: 2 runs — 1 scenario\(s\) × 7\.0\.0-rc14 × 1 setting\(s\) × 2 run\(s\), seed 11, virtual time x10 \(real-world settings\)/);
    expect(r.stderr.includes(`, ${atOnce} at once, each in its own process`)).toBe(atOnce > 1);
    expect(r.stderr).toMatch(/\[1\/2\] stream-errors 7\.0\.0-rc14 #[01]: valid/);
    expect(r.code).toBe(0);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.runs.map((x) => x.verdict)).toEqual(['valid', 'valid']);
    expect(report.speed?.k).toBe(10);
    expect(report.runs[0]!.replay).toMatch(/--speed 10/);
    expect(r.stderr).not.toMatch(/older mode/);
    expect(report.summary[0]!.recoveryMs.p50).toBeGreaterThan(0);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/stream-errors/);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuites/);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toMatch(/<html/i);

    // The replay line re-runs the same schedule, with the same verdict.
    const first = report.runs[0]!;
    const replayOut = await tempDir();
    const replay = await runCli([...first.replay.replace(/^baileys-chaos /, '').split(' '), '--out', replayOut], { timeoutMs: 120_000 });
    expect(replay.code).toBe(0);
    const again = await readReportFile(join(replayOut, 'report.json'));
    expect(again.runs[0]!.schedule).toEqual(first.schedule);
    expect(again.runs[0]!.verdict).toBe(first.verdict);
    expect(replay.stdout).toMatch(/valid +c0 backoff discipline/);
  }, 360_000);

  test('--shard 1/2 and 2/2 split the plan; merge puts the runs back together', async () => {
    const dir = await tempDir();
    const shards = await Promise.all(['1/2', '2/2'].map((s, i) => runCli(['run', ...FAST, '--runs', '2', '--shard', s, '--out', join(dir, `s${i}`)], { timeoutMs: 180_000 })));
    expect(shards.map((s) => s.code)).toEqual([0, 0]);
    const merged = await runCli(['merge', join(dir, 's0', 'report.json'), join(dir, 's1', 'report.json'), '--out', join(dir, 'all')]);
    expect(merged.code).toBe(0);
    const report = await readReportFile(join(dir, 'all', 'report.json'));
    expect(report.runs.map((r) => r.runIndex).sort()).toEqual([0, 1]);
    expect(report.summary[0]!.runs).toBe(2);
    const twice = await runCli(['merge', join(dir, 's0', 'report.json'), join(dir, 's0', 'report.json'), '--out', join(dir, 'bad')]);
    expect(twice.stderr).toMatch(/is in both/);
    expect(twice.code).toBe(2);
  }, 360_000);

  test('--jobs 4 runs four at once, each in its own process (virtual time): plan order, the schedules of the seed, and a clock fault runs beside the others', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--scenario', 'stream-errors,clock-jumps', '--baileys', V, '--seed', '11', '--quiet', '--runs', '2', '--jobs', '4', '--out', out], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/seed 11, virtual time x10 \(real-world settings\), 4 at once, each in its own process/);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.runs.map((x) => `${x.scenario}#${x.runIndex}`)).toEqual(['stream-errors#0', 'stream-errors#1', 'clock-jumps#0', 'clock-jumps#1']);
    const { scheduleForSeed } = await import('../../harness/runner/execute.js');
    const { SCENARIOS } = await import('../../scenarios/index.js');
    for (const run of report.runs) expect(run.schedule).toEqual(scheduleForSeed(SCENARIOS[run.scenario]!, run.seed));
    // In its own process a clock fault's Date shim is its own: it need not wait for the others.
    for (const run of report.runs) expect(run.cpu?.alongsideRuns, run.id).toBeGreaterThanOrEqual(1);
  }, 300_000);

  test('--jobs auto on a machine whose every core is busy starts no run beside another, and still runs them all', async () => {
    const out = await tempDir();
    // Every core kept busy by a process of ours: the gate must see the machine full and hold back.
    const burners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
    const stopBurners = () => burners.forEach((b) => b.kill('SIGKILL'));
    onCleanup(stopBurners);
    try {
      const r = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--quiet', '--runs', '2', '--jobs', 'auto', '--out', out], { timeoutMs: 240_000 });
      expect(r.stderr).toMatch(/up to \d+ at once while the machine's cores are under 70 % busy \(--jobs auto\), each in its own process/);
      const report = await readReportFile(join(out, 'report.json'));
      expect(report.runs.map((x) => x.runIndex)).toEqual([0, 1]);
      for (const run of report.runs) {
        expect(run.cpu, run.id).toBeDefined();
        expect(run.cpu!.alongsideRuns ?? 0, `${run.id}: runs beside it`).toBe(0);
      }
    } finally {
      stopBurners();
    }
  }, 300_000);

  test('--jobs: a module bot that ends its process ends only the child carrying its run: the run is an error saying so, the plan goes on and the report is written', async () => {
    const out = await tempDir();
    const tmp = await tempDir('bc-tmpdir-');
    const r = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--quiet', '--runs', '2', '--jobs', '2', '--bot', 'test/support/exits-process-on-close.mjs', '--out', out], { timeoutMs: 240_000, env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(4);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.runs).toHaveLength(2);
    for (const run of report.runs) {
      expect(run.verdict, run.id).toBe('error');
      expect(run.error).toMatch(/the child process carrying out this run ended \(exit 9\) without its report/);
    }
    // The ended children's runs (a logged-in session each) are removed by the parent.
    expect(tempDirsLeft(tmp), 'temp dirs left behind').toEqual([]);
  }, 300_000);

  test.each([
    { what: '--jobs: a run whose process hangs (a bot blocking its event loop) is killed', jobs: '2', bot: 'test/support/blocks-event-loop.mjs', deadline: '30', timeoutMs: 240_000, error: /gave no report within \d+ s of clock time \(the run's deadline and a grace to stop it\) and was killed: it hung/ },
    { what: 'one run at a time: a run that waits for good (a bot whose connect never returns) is stopped', jobs: '1', bot: 'test/support/connect-never-returns.mjs', deadline: '60', timeoutMs: 120_000, error: /^the run gave no verdict within 60 s of clock time and was stopped: it hung/ },
    // A child whose event loop still turns stops the run itself at the deadline, before its parent would kill it.
    { what: '--jobs: a run in a child that still answers (a bot whose connect never returns) is stopped by the child', jobs: '2', bot: 'test/support/connect-never-returns.mjs', deadline: '60', timeoutMs: 120_000, error: /^the run gave no verdict within 60 s of clock time and was stopped: it hung/ },
  ])('$what at its deadline and is an error saying so, the plan goes on, no run leaves its files', async ({ jobs, bot, deadline, timeoutMs, error }) => {
    const out = await tempDir();
    // A TMPDIR of the test's own: a killed child cannot remove its run's directory, its parent must.
    const tmp = await tempDir('bc-tmpdir-');
    const r = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--quiet', '--runs', '2', '--jobs', jobs, '--bot', bot, '--out', out], { timeoutMs, env: { BAILEYS_CHAOS_RUN_DEADLINE: deadline, TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(4);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.runs).toHaveLength(2);
    for (const run of report.runs) expect(run.error, run.id).toMatch(error);
    expect(tempDirsLeft(tmp), 'temp dirs left behind').toEqual([]);
  }, 300_000);

  test('--jobs: children killed outright (SIGKILL) while each carries a command bot that never ends by itself: the parent ends the bots they left, and their runs are errors', async () => {
    const out = await tempDir();
    const tmp = await tempDir('bc-tmpdir-');
    // Each bot writes its pid here; the path also tags every process of this command (its environment).
    const pidDir = await tempDir('bc-pids-');
    const alive = () => readdirSync(pidDir).filter((pid) => running(Number(pid)));
    onCleanup(() => alive().forEach((pid) => process.kill(Number(pid), 'SIGKILL')));
    const ran = runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--seed', '11', '--quiet', '--runs', '2', '--jobs', '2', '--bot-cmd', 'node test/support/lingers.mjs', '--out', out], { timeoutMs: 240_000, env: { TMPDIR: tmp, LINGERS_PID_DIR: pidDir } });
    await until("both runs' bots to start", () => readdirSync(pidDir).length >= 2, 120_000);
    // The run children: this command's processes that were started to carry out runs (their bots were not).
    const runChildren = await processesTagged(RUN_CHILD_ENV, '1');
    const children = (await processesTagged('LINGERS_PID_DIR', pidDir)).filter((pid) => runChildren.includes(pid));
    expect(children).toHaveLength(2);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    const r = await ran;
    expect(r.code, r.stderr).toBe(4);
    const report = await readReportFile(join(out, 'report.json'));
    for (const run of report.runs) expect(run.error, run.id).toMatch(/the child process carrying out this run ended \(SIGKILL\) without its report/);
    expect(alive(), 'bot processes left running').toEqual([]);
    expect(r.stderr).toMatch(/left \d+ process\(es\) it had started \(a bot's\); they were killed/);
    expect(tempDirsLeft(tmp), 'temp dirs left behind').toEqual([]);
  }, 300_000);
});

describe('check: the CI gate', () => {
  test('check --jobs 2 against a baseline made in virtual time: two runs at once, each in a child that reads the same baseline (its seed too)', async () => {
    const dir = await tempDir();
    const baseline = join(dir, 'base.json');
    const made = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--runs', '2', '--seed', '7', '--quiet', '--out', join(dir, 'run'), '--update-baseline', '--baseline', baseline], { timeoutMs: 180_000 });
    expect(made.code, made.stderr).toBe(0);
    // The children used to be started with --seed, which check refuses: every run was an error.
    const checked = await runCli(['check', '--baseline', baseline, '--jobs', '2', '--quiet', '--out', join(dir, 'check')], { timeoutMs: 180_000 });
    expect(checked.stderr).toMatch(/2 at once, each in its own process/);
    expect(checked.stderr).toMatch(/check passed/);
    expect(checked.code).toBe(0);
    const report = await readReportFile(join(dir, 'check', 'report.json'));
    expect(report.runs.map((r) => [r.verdict, r.cpu?.alongsideRuns])).toEqual([['valid', 1], ['valid', 1]]);
  }, 400_000);

  test('passes against its own baseline with the healthy supervisor, fails with a deliberately slowed one, saying by how much', async () => {
    const dir = await tempDir();
    const baseline = join(dir, 'baseline.json');
    const made = await runCli(['run', ...FAST, '--runs', '3', '--out', join(dir, 'base'), '--update-baseline', '--baseline', baseline], { timeoutMs: 240_000 });
    expect(made.stderr).toMatch(/baseline written/);
    expect(made.code).toBe(0);
    const healthy = await runCli(['check', '--baseline', baseline, '--out', join(dir, 'healthy'), '--quiet'], { timeoutMs: 240_000 });
    expect(healthy.stderr).toMatch(/check passed/);
    expect(healthy.code).toBe(0);
    const slowed = await runCli(['check', '--baseline', baseline, '--supervisor', 'test/support/slowed-supervisor.ts', '--out', join(dir, 'slowed'), '--quiet'], { timeoutMs: 240_000 });
    expect(slowed.stderr).toMatch(/FAIL \[regression\] stream-errors on 7\.0\.0-rc14: reconnect p\d\d [\d.]+ m?s vs baseline [\d.]+ m?s \(\+/);
    expect(slowed.stderr).toMatch(/check FAILED/);
    expect(slowed.code).toBe(1);
  }, 720_000);
});

test('a run with network faults says which Toxiproxy carried them: in virtual time the embedded one, on the shared clock (toxiproxy-server, a Go binary, is not warped)', async () => {
  const out = await tempDir();
  const r = await runCli(['run', '--scenario', 'outage-herd', '--baileys', V, '--runs', '1', '--seed', '3', '--quiet', '--out', out], { timeoutMs: 240_000 });
  expect(r.code, r.stderr).toBe(0);
  const report = await readReportFile(join(out, 'report.json'));
  expect(report.runs[0]!.toxiproxy).toBe('embedded');
  expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/through Toxiproxy: the embedded one in 1 run/);
}, 300_000);

describe('compare and tune', () => {
  test('compare runs the same schedules on both supported versions and reports them side by side (given the retired --time-scale: it runs as --speed 1/F and says so once)', async () => {
    const out = await tempDir();
    const r = await runCli(['compare', '--time-scale', '0.1', '--scenario', 'stream-errors', '--runs', '1', '--seed', '5', '--quiet', '--out', out], { timeoutMs: 240_000 });
    expect(r.code).toBe(0);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.kind).toBe('compare');
    expect(report.summary.map((s) => s.version).sort()).toEqual(['6.7.21', '7.0.0-rc14']);
    const [a, b] = report.runs;
    expect(a!.schedule).toEqual(b!.schedule); // same seed, same faults, on each version
    expect(a!.version).not.toBe(b!.version);
    // The retired flag is virtual time now: real-world settings on a clock 1/F times faster, said once, and why.
    expect(report.speed?.k).toBe(10);
    expect(report.timeScale).toBe(1);
    expect(r.stderr.match(/note: --time-scale 0\.1 runs as --speed 10: --time-scale is retired\. It shrank the settings, .*Pass --speed 10/g)).toHaveLength(1);
  }, 300_000);

  test('tune sweeps at least --points settings over the same schedules, marks a Pareto front and prints the block to paste', async () => {
    const out = await tempDir();
    const r = await runCli(['tune', '--scenario', 'stream-errors', '--vary', 'reconnect.baseDelay=500..5000', '--points', '4', '--seed', '5', '--quiet', '--out', out], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    const report = await readReportFile(join(out, 'report.json'));
    expect(report.tune!.points.map((p) => p.values['reconnect.baseDelay'])).toEqual([500, 2000, 3500, 5000]);
    expect(report.tune!.points.some((p) => p.pareto)).toBe(true);
    expect(new Set(report.runs.map((x) => JSON.stringify(x.schedule))).size).toBe(1);
    const block = JSON.parse(r.stdout) as { channels: { whatsapp: { reconnect: { baseDelay: number } } } };
    expect(report.tune!.points.find((p) => p.setting === report.tune!.recommended.setting)!.values['reconnect.baseDelay']).toBe(block.channels.whatsapp.reconnect.baseDelay);
    expect(r.stderr).toMatch(/★ baseDelay=\d+ +recovery p95/);
  }, 360_000);
});

describe('honest verdicts: a harness failure is an error with its cause, never blamed on the bot', () => {
  test('a schedule entry that cannot reach the client it names: error, exit 4, the entry named', async () => {
    const dir = await tempDir();
    const file = join(dir, 'schedule.json');
    await writeFile(file, JSON.stringify([{ at: 1000, fault: 'server-move', target: 3, params: { kind: 'drop' } }]));
    const r = await runCli(['replay', file, '--scenario', 'stream-errors', '--baileys', V, '--out', join(dir, 'out')], { timeoutMs: 120_000 });
    expect(r.stderr).toMatch(/error stream-errors\/.*entry 0 \(server-move, target 3\) targets a client the scenario does not have/);
    expect(r.code).toBe(4);
    const report = await readReportFile(join(dir, 'out', 'report.json'));
    expect(report.runs[0]!.verdict).toBe('error');
    expect(await readFile(join(dir, 'out', 'junit.xml'), 'utf8')).toMatch(/<error /);
  }, 180_000);

  test('a bot command that does not start: error naming why, exit 4, and no baseline made of it', async () => {
    const out = await tempDir();
    const baseline = join(out, 'baseline.json');
    const r = await runCli(['run', '--scenario', 'stream-errors', '--baileys', V, '--runs', '1', '--seed', '3', '--bot-cmd', 'node -e "process.exit(3)"', '--out', out, '--update-baseline', '--baseline', baseline], { timeoutMs: 180_000 });
    expect(r.stderr).toMatch(/error stream-errors\/.*Failed to start the bot \(command 'node -e "process.exit\(3\)"'\): client 0: it ended before logging in \(exited with code 3/);
    expect(r.stderr).toMatch(/baseline not written: stream-errors\/7\.0\.0-rc14\/default\/0 ended in error; .* is unchanged/);
    expect(existsSync(baseline)).toBe(false);
    expect(r.code).toBe(4);
  }, 240_000);
});

test('a plain README-style bot as a command: exits 1, and report.md shows the server-side evidence of each failure', async () => {
  const out = await tempDir();
  const r = await runCli(['run', '--bot-cmd', 'node examples/plain-bot/bot.mjs', '--scenario', 'conflict,logged-out,stream-errors', '--baileys', V, '--runs', '2', '--seed', '7', '--quiet', '--out', out], { timeoutMs: 600_000 });
  expect(r.code, r.stderr).toBe(1);
  const report = await readReportFile(join(out, 'report.json'));
  expect(report.bot).toBe("command 'node examples/plain-bot/bot.mjs'");
  const invalid = report.runs.filter((x) => x.verdict === 'invalid');
  expect(invalid.length).toBeGreaterThan(0);
  const failed = (scenario: string) => invalid.filter((x) => x.scenario === scenario).flatMap((x) => x.invariants.filter((i) => i.verdict === 'invalid').map((i) => i.invariant));
  // The README loop reconnects after 440: it fights the other instance.
  expect(failed('conflict')).toContain('a replaced instance stands down (no 440 ping-pong)');
  // It stops its socket on 401 and exits; restarted always (the default, as pm2), it loops on the
  // dead creds. In virtual time (the default) the restarts fall inside the window.
  expect(failed('logged-out')).toContain('stops after 401');
  expect(report.runs.filter((x) => x.scenario === 'stream-errors').map((x) => x.verdict)).toEqual(['valid', 'valid']);
  const md = await readFile(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/attempt/);
  expect(md).toMatch(/closed.*440/);
  console.log(`plain bot verdicts: ${report.runs.map((x) => `${x.scenario}#${x.runIndex} ${x.verdict}`).join(', ')}`);
}, 660_000);
