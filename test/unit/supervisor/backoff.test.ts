import { expect, test } from 'vitest';
import { Rng } from '../../../core/random.js';
import { baseDelay, chooseDelay, delayBounds, type BackoffPolicy } from '../../../harness/supervisor/backoff.js';
import { classifyClose } from '../../../harness/supervisor/close-policy.js';

const policy = (jitter: BackoffPolicy['jitter']): BackoffPolicy => ({ baseDelayMs: 1000, maxDelayMs: 10_000, factor: 2, jitter, jitterFraction: 0.25 });

test('base delays grow by the factor and stop at the cap', () => {
  expect([1, 2, 3, 4, 5, 6].map((n) => baseDelay(policy('none'), n))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
});

test.each(['none', 'full', 'equal', 'decorrelated', 'proportional'] as const)('%s jitter stays within its bounds and replays by seed', (mode) => {
  const p = policy(mode);
  const run = (seed: number) => {
    const rng = new Rng(seed);
    let prev: number | undefined;
    return Array.from({ length: 50 }, (_, i) => {
      const d = chooseDelay(p, i + 1, rng, prev);
      const [lo, hi] = delayBounds(p, i + 1, prev);
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
      expect(d).toBeLessThanOrEqual(p.maxDelayMs);
      prev = d;
      return d;
    });
  };
  expect(run(9)).toEqual(run(9));
  // Below the cap every jittered mode varies between seeds.
  if (mode !== 'none') expect(new Set([1, 2, 3, 4, 5, 6].map((seed) => run(seed)[0])).size).toBe(6);
  if (mode === 'none') expect(new Set(run(9).slice(0, 3)).size).toBe(3);
});

test('OpenClaw-style proportional jitter vanishes at the cap: every client waits exactly maxMs', () => {
  const p = policy('proportional');
  expect(delayBounds(p, 10)).toEqual([10_000, 10_000]);
});

test('close policy: 515 restarts, 401 stops, 440 stops unless told to back off, the rest back off', () => {
  const stop = { onConflict: 'stop' as const };
  expect(classifyClose(515, stop)).toBe('restart-now');
  expect(classifyClose(401, stop)).toBe('stop-repair');
  expect(classifyClose(440, stop)).toBe('stop-conflict');
  expect(classifyClose(440, { onConflict: 'backoff' })).toBe('backoff');
  for (const code of [408, 428, 500, 503, 411, undefined]) expect(classifyClose(code, stop)).toBe('backoff');
});
