/**
 * runs.jsonl: each finished run appended as one JSON line the moment it finishes, beside where
 * report.json will go, so a run killed outright (SIGKILL, a crash, a CI timeout) still leaves
 * every finished run on disk. Synchronous appends: a line is on disk before the next run starts.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from './schema.js';

export const RUN_STREAM_FILE = 'runs.jsonl';

export class RunStream {
  readonly path: string;

  /** Starts an empty stream in `dir` (a previous plan's lines there are replaced). */
  constructor(dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
      this.path = join(dir, RUN_STREAM_FILE);
      writeFileSync(this.path, '');
    } catch (err) {
      throw new Error(`Failed to write finished runs into ${dir}: ${(err as Error).message}. Pass --out with a writable directory.`);
    }
  }

  append(run: RunReport): void {
    appendFileSync(this.path, JSON.stringify(run) + '\n');
  }
}

/** The runs a stream holds (a last line cut short by a kill is left out). */
export function readRunStream(path: string): RunReport[] {
  const runs: RunReport[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      runs.push(JSON.parse(line) as RunReport);
    } catch {
      // a partial last line: the process died while writing it
    }
  }
  return runs;
}
