import { expect, test } from 'vitest';
import { busyShare, cpuHeadroomGate, sampleCpu, type CpuSample } from '../../../harness/runner/cpu-headroom.js';

/** A machine whose cores were `shares[i]` busy over the i-th window (2 cores, 1,000 ms each). */
function machine(shares: number[]) {
  let now: CpuSample = { busyMs: 0, totalMs: 0 };
  let windows = 0;
  return {
    sample: () => now,
    waitWindow: async () => {
      const share = shares[Math.min(windows++, shares.length - 1)]!;
      now = { busyMs: now.busyMs + share * 2000, totalMs: now.totalMs + 2000 };
    },
    windows: () => windows,
  };
}

test('the first run starts at once, without measuring', async () => {
  const m = machine([1]);
  const gate = cpuHeadroomGate({ ...m, target: 0.7 });
  await gate.enter();
  expect(m.windows()).toBe(0);
});

test('with a run under way, the next starts only after a window under the target', async () => {
  const m = machine([0.95, 0.8, 0.5]);
  const gate = cpuHeadroomGate({ ...m, target: 0.7 });
  await gate.enter();
  await gate.enter();
  expect(m.windows()).toBe(3);
});

test('starts are measured one after another: two waiting runs do not both take the same room', async () => {
  const m = machine([0.5, 0.9, 0.5]);
  const gate = cpuHeadroomGate({ ...m, target: 0.7 });
  await gate.enter();
  await Promise.all([gate.enter(), gate.enter()]);
  expect(m.windows()).toBe(3);
});

test('a busy machine slows a plan, never stops it: once no run is under way the next starts', async () => {
  const m = machine([1]);
  const gate = cpuHeadroomGate({ ...m, target: 0.7 });
  const leave = await gate.enter();
  const waiting = gate.enter();
  await Promise.resolve();
  leave();
  leave(); // leaving twice counts once
  await waiting;
  expect(m.windows()).toBe(1);
});

test("the machine's counters: busy share between 0 and 1, over every core", () => {
  const a = sampleCpu();
  const until = Date.now() + 30;
  while (Date.now() < until);
  const share = busyShare(a, sampleCpu());
  expect(share).toBeGreaterThanOrEqual(0);
  expect(share).toBeLessThanOrEqual(1);
  expect(busyShare(a, a)).toBe(0);
});
