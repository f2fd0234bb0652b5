/**
 * A run plan as plain data: every (scenario, version, setting, run index) the command will carry
 * out, each with its own seed. The seed depends on the scenario and the run index only, so every
 * version and every setting faces the same schedules (that is what makes compare and tune fair).
 * Sharding takes every n-th item, so shards are balanced and their union is the whole plan.
 */
import type { Schedule } from '../faults/schedule.js';
import type { Setting } from '../report/schema.js';

export interface PlannedRun {
  scenario: string;
  version: string;
  setting: Setting;
  runIndex: number;
  seed: number;
  /** A given schedule (replay of a file) instead of the one the seed generates. */
  schedule?: Schedule;
}

export interface PlanInput {
  scenarios: string[];
  versions: string[];
  settings: Setting[];
  runs: number;
  seed: number;
}

/** FNV-1a over the parts: a stable 31-bit seed per (base seed, scenario, run index). */
export function runSeed(seed: number, scenario: string, runIndex: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${scenario}/${runIndex}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

export function planRuns(input: PlanInput): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const scenario of input.scenarios)
    for (let runIndex = 0; runIndex < input.runs; runIndex++)
      for (const version of input.versions)
        for (const setting of input.settings) out.push({ scenario, version, setting, runIndex, seed: runSeed(input.seed, scenario, runIndex) });
  return out;
}

export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" (1-based, as CI matrices count). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard must be "i/n" with 1 ≤ i ≤ n (e.g. 2/4), got "${text}"`);
  return { index, count };
}

export function shardOf<T>(items: T[], shard: Shard | undefined): T[] {
  return shard ? items.filter((_, i) => i % shard.count === shard.index - 1) : items;
}
