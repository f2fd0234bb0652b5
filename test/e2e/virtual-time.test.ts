/**
 * Virtual time (--speed K, libfaketime): keepalive-timeout with the real-world 25 s keep-alive
 * and real-world blackhole windows. At the time scale a 68 s blackhole shrinks below Baileys' fixed
 * 5 s allowance and no 408 ever comes; on the warped clock every run must show the 408 within
 * 2 x 25 + 5 s (virtual) of the blackhole starting, on both pinned versions, and the run must take
 * a fraction of its virtual length in real time.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { faketimeLibrary } from '../../harness/time/warp.js';
import { readReportFile } from '../../harness/report/write.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

const library = faketimeLibrary();
if (!library && process.env.CI) throw new Error('libfaketime is not installed: .ci/run must install it (apt-get install faketime libfaketime).');
if (!library) console.warn('virtual-time: libfaketime not installed; skipped (apt-get install faketime libfaketime)');

const SPEED = 10;
const KEEPALIVE_MS = 25_000;
const ALLOWANCE_MS = 5_000;

test.skipIf(!library)(`keepalive-timeout at --speed ${SPEED} with real-world settings: a 408 within 2 x 25 + 5 s of every blackhole's start, both versions`, async () => {
  const out = join(await tempDir(), 'out');
  const started = Date.now();
  const res = await runCli(['run', '--speed', String(SPEED), '--scenario', 'keepalive-timeout', '--baileys', '6.7.21,7.0.0-rc14', '--runs', '1', '--seed', '7', '--quiet', '--out', out], { timeoutMs: 170_000 });
  const realMs = Date.now() - started;
  expect(res.code, res.stderr).toBe(0);
  const report = await readReportFile(join(out, 'report.json'));
  expect(report.timeScale).toBe(1);
  expect(report.speed?.k).toBe(SPEED);
  expect(report.runs.map((r) => r.version).sort()).toEqual(['6.7.21', '7.0.0-rc14']);
  let virtualMs = 0;
  for (const run of report.runs) {
    virtualMs += run.wallMs;
    // The CPU share is over real time: the run's virtual length / K.
    expect(run.cpu?.realMs, run.id).toBe(Math.round(run.wallMs / SPEED));
    expect(run.cpu!.share, run.id).toBeGreaterThan(0);
    const blackholes = run.timeline.filter((p) => p.source === 'fault' && p.type === 'fault-applied');
    expect(blackholes.length, run.id).toBeGreaterThan(0);
    for (const b of blackholes) {
      const closes = run.timeline.filter((p) => p.source === 'client' && p.type === 'close' && p.code === 408 && p.t >= b.t);
      expect(closes.length, `${run.id}: no 408 after the blackhole at ${b.t} ms`).toBeGreaterThan(0);
      expect(closes[0]!.t - b.t, `${run.id}: 408 too late`).toBeLessThanOrEqual(2 * KEEPALIVE_MS + ALLOWANCE_MS);
    }
  }
  // The warp did the waiting: the runs' virtual length is several times the real time spent.
  expect(virtualMs / realMs, `virtual ${virtualMs} ms in real ${realMs} ms`).toBeGreaterThan(3);
}, 180_000);
