/**
 * OpenClaw as shipped, through the bot seam, in virtual time: a 6-minute (virtual) overload where
 * the server refuses every login with 503 ends with OpenClaw giving up (its fixed policy: 12
 * attempts), judged from the attempts the server saw. Whether it comes back afterwards depends on
 * when its health monitor restarts the channel (seen both ways): the verdict follows the record, in about a minute of real
 * time at x15. Skipped, with the reason, where OpenClaw (npm run setup:openclaw, Node >= 24.16)
 * or libfaketime is absent.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openclawLaunch } from '../../harness/bots/openclaw.js';
import { readReportFile } from '../../harness/report/write.js';
import { faketimeLibrary } from '../../harness/time/warp.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

let skip = '';
try {
  await openclawLaunch();
} catch (err) {
  skip = `OpenClaw: ${(err as Error).message}`;
}
if (!faketimeLibrary()) skip ||= 'libfaketime is not installed (apt-get install faketime libfaketime)';
if (skip) console.warn(`openclaw-virtual-time.test.ts skipped: ${skip}`);

const OUTAGE_MS = 360_000;
// CPU work inflates by K in virtual time, so this test runs in a vitest pass of its own (package.json
// "test"): under the first pass's load OpenClaw's 12 attempts stretched past the 6 minutes in CI.
// OpenClaw's start-up is CPU work under hard-coded timeouts, so the fastest K it starts at depends on
// the machine: x20 only sometimes (a start-up migration step exits 78), and on 2026-11-29 x15 not at
// all here (3 of 3 failed, at the commit that had passed CI too: exit 78, or exit 1 "owner lease
// heartbeat stopped"); x10 passed (78.5 s, over the issue's 60 s).
const SPEED = 10;

test.skipIf(!!skip)(`OpenClaw gives up during a 6-minute overload (every login refused with 503), at --speed ${SPEED}: the server sees its retries stop before the outage ends`, async () => {
  const dir = await tempDir();
  const schedule = join(dir, 'overload.json');
  await writeFile(schedule, JSON.stringify([{ at: 5_000, duration: OUTAGE_MS, fault: 'admission', params: { refuseLogin: 503 } }, { at: 5_000, fault: 'server-move', params: { kind: 'drop' } }]));
  const started = Date.now();
  const r = await runCli(['replay', schedule, '--scenario', 'server-overload', '--bot', 'openclaw', '--speed', String(SPEED), '--out', join(dir, 'out')], { timeoutMs: 300_000 });
  console.info(`openclaw under virtual time: ${((Date.now() - started) / 1000).toFixed(1)} s real for the whole replay`);
  const report = await readReportFile(join(dir, 'out', 'report.json'));
  const run = report.runs[0]!;
  expect(report.speed?.k).toBe(SPEED);
  expect(['valid', 'invalid'], r.stderr + r.stdout).toContain(run.verdict);
  // The server's record: OpenClaw retried through the outage (its fixed policy: 2 s x 1.8^n up to
  // 30 s), then stopped while logins were still refused: a silence of over a minute inside the outage.
  const dropAt = run.timeline.find((p) => p.source === 'fault' && p.type === 'fault-applied')!.t;
  const clearedAt = run.timeline.find((p) => p.source === 'fault' && p.type === 'fault-cleared')!.t;
  const attempts = run.timeline.filter((p) => p.source === 'server' && p.type === 'attempt' && p.t > dropAt).map((p) => p.t);
  console.info(`openclaw attempts after the drop (virtual s): ${attempts.map((t) => ((t - dropAt) / 1000).toFixed(1)).join(' ')}; outage ends at ${((clearedAt - dropAt) / 1000).toFixed(0)} s; verdict ${run.verdict}`);
  const during = attempts.filter((t) => t < clearedAt);
  const gaps = [...during, clearedAt].map((t, i, all) => (i ? t - all[i - 1]! : 0));
  const gaveUpAfter = gaps.findIndex((g) => g > 60_000);
  const seen = `attempts at ${attempts.map((t) => ((t - dropAt) / 1000).toFixed(1)).join(', ')} s after the drop; outage ${OUTAGE_MS / 1000} s`;
  expect(gaveUpAfter, `no silence of over a minute while the outage lasted: it never gave up (${seen})`).toBeGreaterThan(0);
  expect(gaveUpAfter, 'attempts before it gave up').toBeGreaterThanOrEqual(9);
  expect(gaveUpAfter).toBeLessThanOrEqual(12);
  // Given up, it is down for good unless something restarts the channel: then the judge says so.
  if (run.verdict === 'invalid') expect(run.invariants.filter((i) => i.verdict === 'invalid').map((i) => i.invariant)).toContain('does not give up on a transient fault');
}, 320_000);
