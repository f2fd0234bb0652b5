/**
 * The one clock every component timestamps with: monotonic, sub-millisecond, never affected by
 * wall-clock steps (clock faults shift what the *client* sees, never this). Inject it; do not call
 * performance.now() or Date.now() in harness logic.
 */
export interface Clock {
  /** Monotonic milliseconds with sub-millisecond resolution. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps sent over the wire. */
  wallNow(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => performance.timeOrigin + performance.now(),
};

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(
    private t = 0,
    private readonly epoch = 1_700_000_000_000,
  ) {}
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.epoch + this.t;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('a monotonic clock cannot go back');
    this.t += ms;
  }
}
