/**
 * Where a bench section's numbers come from: when, on which commit (and whether the tree had
 * changes on top), on what machine, by which command. Each section carries its own, so numbers
 * kept from an earlier run (`npm run bench -- --only X` re-measures X only) never look new.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface Provenance {
  date: string;
  commit: string;
  /** The tree differed from the commit (outside bench/results): the numbers may not be the commit's. */
  dirty: boolean;
  machine: { cpus: number; parallelism: number; model: string; memoryGiB: number; node: string };
  command: string;
}

const git = (args: string[]) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

export function provenance(command: string): Provenance {
  const changes = git(['status', '--porcelain', '--', '.', ':(exclude)bench/results']);
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', 'HEAD']) ?? 'unknown (not a git checkout)',
    dirty: !!changes,
    machine: { cpus: cpus().length, parallelism: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    command,
  };
}

export type Stamp = Provenance | (Partial<Provenance> & { approximate: string });

/**
 * The stamps of the sections a previous bench file holds, to keep for those not re-measured. A
 * file from before sections were stamped has one date for all: each of its sections gets it,
 * marked approximate (the section may be older).
 */
export function keptStamps(previous: Record<string, unknown>, resultKeys: Record<string, string[]>): Record<string, Stamp> {
  const own = (previous.provenance ?? {}) as Record<string, Stamp>;
  const unstamped = Object.entries(resultKeys).filter(([section, keys]) => !own[section] && keys.some((k) => k in previous));
  return {
    ...Object.fromEntries(unstamped.map(([section]) => [section, { date: previous.date as string, machine: previous.machine as Provenance['machine'], approximate: "the file's single date before sections were stamped: the section may be older" }])),
    ...own,
  };
}
