/**
 * Progress on long runs: a redrawn bar with run counts and elapsed time on a terminal, one plain
 * line per finished run otherwise (CI logs). Written to stderr so stdout stays the result.
 */
import type { Clock } from '../../core/clock.js';
import type { Verdict } from '../invariants.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export class Progress {
  private done = 0;
  private readonly counts: Record<Verdict, number> = { valid: 0, invalid: 0, unknown: 0, error: 0 };
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly clock: Clock,
    private readonly out: ProgressStream = process.stderr,
  ) {
    this.started = clock.now();
  }

  start(label: string): void {
    if (this.out.isTTY) this.draw(label);
  }

  /** `error`: for a run with verdict error, its cause (the first line is printed). */
  finish(label: string, verdict: Verdict, wallMs: number, error?: string): void {
    this.done++;
    this.counts[verdict]++;
    const cause = verdict === 'error' && error ? `: ${error.split('\n')[0]}` : '';
    if (this.out.isTTY) {
      // An error is a harness problem the user must fix: it gets its own line above the bar.
      if (cause) this.out.write(`\r\x1b[2K${label}: error${cause}\n`);
      this.draw(label);
    } else this.out.write(`[${this.done}/${this.total}] ${label}: ${verdict}${cause} (${(wallMs / 1000).toFixed(1)} s, ${elapsed(this.clock.now() - this.started)} elapsed)\n`);
  }

  /** Ends the bar's line. */
  end(): void {
    if (this.out.isTTY) this.out.write('\n');
  }

  private draw(label: string): void {
    const width = 24;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} runs ${elapsed(this.clock.now() - this.started)} ✓${this.counts.valid} ✗${this.counts.invalid} ?${this.counts.unknown} ⚠${this.counts.error}  ${label}`;
    this.out.write(`\r\x1b[2K${bar.slice(0, (this.out.columns ?? 120) - 1)}`);
  }
}

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
