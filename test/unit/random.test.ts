import { expect, test } from 'vitest';
import { Rng, seedFrom } from '../../core/random.js';

test('the same seed gives the same sequence; another seed another', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const seqA = Array.from({ length: 100 }, () => a.u32());
  expect(Array.from({ length: 100 }, () => b.u32())).toEqual(seqA);
  expect(Array.from({ length: 100 }, () => c.u32())).not.toEqual(seqA);
});

test('int() is within bounds and roughly uniform', () => {
  const r = new Rng(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
  for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
});

test('a bad seed is a clear error', () => {
  expect(() => seedFrom('abc')).toThrow(/Failed to read the seed "abc"/);
  expect(seedFrom('12')).toBe(12);
});
