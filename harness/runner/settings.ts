/**
 * Settings as edits of the user's openclaw.json document: `reconnect.baseDelay=500` sets
 * channels.whatsapp.reconnect.baseDelay (paths starting with `channels.` or `web.` are taken as
 * they are). Each variant goes through the one validating config parser, so a bad key or value is
 * the parser's clear error, and the recommended block is the user's own document, edited.
 */
import { applyValues, ConfigError, parseSupervisorConfig, settingPath } from '../supervisor/config.js';

export { applyValues, settingPath };
import type { Setting } from '../report/schema.js';


export function makeSetting(doc: unknown, values: Record<string, number>, source: string): Setting {
  const label = Object.keys(values).length ? Object.entries(values).map(([k, v]) => `${k.split('.').at(-1)}=${v}`).join(' ') : 'default';
  return { label, values, config: parseSupervisorConfig(applyValues(doc, values), source) };
}

/** Parses "key=value" (a --set flag). */
export function parseAssignment(text: string): [string, number] {
  const m = /^([\w.]+)=(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new ConfigError(`--set must be key=number (e.g. reconnect.baseDelay=500), got "${text}"`);
  return [m[1]!, Number(m[2])];
}

export interface Range {
  key: string;
  lo: number;
  hi: number;
}

/** Parses "key=lo..hi" (a --vary flag). */
export function parseRange(text: string): Range {
  const m = /^([\w.]+)=(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new ConfigError(`--vary must be key=lo..hi (e.g. reconnect.baseDelay=500..5000), got "${text}"`);
  const lo = Number(m[2]);
  const hi = Number(m[3]);
  if (!(hi > lo)) throw new ConfigError(`--vary ${m[1]}: the range ${lo}..${hi} is empty; give lo < hi.`);
  return { key: m[1]!, lo, hi };
}

/**
 * A grid over the ranges with at least `minPoints` points in all: each range gets
 * ceil(minPoints^(1/k)) evenly spaced values (integers stay integers when both ends are).
 */
export function gridValues(ranges: Range[], minPoints: number): Record<string, number>[] {
  const per = Math.max(2, Math.ceil(minPoints ** (1 / ranges.length) - 1e-9));
  const axes = ranges.map((r) => {
    const ints = Number.isInteger(r.lo) && Number.isInteger(r.hi);
    return Array.from({ length: per }, (_, i) => {
      const v = r.lo + ((r.hi - r.lo) * i) / (per - 1);
      return ints ? Math.round(v) : Math.round(v * 100) / 100;
    });
  });
  let grid: Record<string, number>[] = [{}];
  ranges.forEach((r, i) => {
    grid = grid.flatMap((g) => axes[i]!.map((v) => ({ ...g, [r.key]: v })));
  });
  return grid;
}
