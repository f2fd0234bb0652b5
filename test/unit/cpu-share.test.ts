/** A run's CPU share counts this process and the bot processes it reaped, over the run's real time. */
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { measureCpuShare } from '../../harness/runner/cpu-share.js';

test.skipIf(process.platform !== 'linux')('a child process that burned CPU and exited is counted; the share is CPU over real time (clock time / speed)', () => {
  const end = measureCpuShare();
  const started = performance.now();
  // The child burns 400 ms of its own CPU time (not of wall time, which a loaded machine stretches).
  spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 400_000) {}']);
  const realMs = performance.now() - started;
  const r = end(realMs * 10, 10);
  expect(r.withChildren).toBe(true);
  expect(r.cpuMs).toBeGreaterThanOrEqual(300);
  expect(r.realMs).toBe(Math.round(realMs));
  expect(r.share).toBeCloseTo(r.cpuMs / r.realMs, 1);
});
