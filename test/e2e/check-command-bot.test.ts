/**
 * `check` judges a command bot as `run` does: the baseline's runs re-run with the bot given now
 * (an unmodified process, the plain README-style bot), the same verdicts on the same schedules,
 * and the same exit code. The plain bot fights a 440 on conflict, so a check that quietly fell
 * back to the reference supervisor (valid there) would show here.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readReportFile } from '../../harness/report/write.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

const BOT = ['--bot-cmd', 'node examples/plain-bot/bot.mjs'];

test('check judges a command bot as run does: same bot, schedules, run verdicts, invariants checked and exit code, against a baseline the same command wrote', async () => {
  const dir = await tempDir();
  const baseline = join(dir, 'baseline.json');
  const made = await runCli(['run', ...BOT, '--scenario', 'conflict', '--baileys', '7.0.0-rc14', '--runs', '1', '--seed', '7', '--quiet', '--out', join(dir, 'run'), '--update-baseline', '--baseline', baseline], { timeoutMs: 180_000 });
  expect(made.stderr).toMatch(/baseline written/);
  const checked = await runCli(['check', ...BOT, '--baseline', baseline, '--quiet', '--out', join(dir, 'check')], { timeoutMs: 180_000 });
  const [ran, rechecked] = await Promise.all([readReportFile(join(dir, 'run', 'report.json')), readReportFile(join(dir, 'check', 'report.json'))]);
  // The same judge on the same schedules: bot, seeds, schedules, verdicts and the invariants checked.
  // (Which of them fail beside the ping-pong may differ: how long a fight between two processes lasts is timing.)
  const planned = (r: typeof ran) => r.runs.map((x) => ({ id: x.id, seed: x.seed, schedule: x.schedule, verdict: x.verdict, checked: x.invariants.map((i) => `${i.client} ${i.invariant}`) }));
  // A harness error in either run shows its cause here, before the comparisons hide it.
  for (const [name, r, out] of [['run', ran, made], ['check', rechecked, checked]] as const) expect(r.runs[0]!.verdict, `${name}: ${r.runs[0]!.error ?? ''}\n${out.stderr}`).toBe('invalid');
  expect(rechecked.bot).toBe("command 'node examples/plain-bot/bot.mjs'");
  expect(rechecked.bot).toBe(ran.bot);
  expect(planned(rechecked)).toEqual(planned(ran));
  // The README loop reconnects after 440: invalid under run, and the same failure fails the gate.
  const pingPong = (r: typeof ran) => r.runs[0]!.invariants.filter((i) => i.invariant === 'a replaced instance stands down (no 440 ping-pong)').map((i) => i.verdict);
  expect(pingPong(ran)).toContain('invalid');
  expect(pingPong(rechecked)).toEqual(pingPong(ran));
  expect(checked.stderr).toMatch(/FAIL \[invalid\] conflict\/7\.0\.0-rc14\/default\/0: .*a replaced instance stands down \(no 440 ping-pong\)/);
  expect(checked.code).toBe(made.code);
  expect(checked.code).toBe(1);
}, 200_000);
