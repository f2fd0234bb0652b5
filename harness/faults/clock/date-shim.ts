/**
 * Client clock faults, in process: `Date` (both `Date.now()` and `new Date()`, which Baileys'
 * keep-alive compares) is replaced by a subclass whose "now" is the real one plus an offset that
 * a fault controls: a skew (constant), a jump (a step), a drift (a rate). Timers are left alone,
 * as a real clock step leaves monotonic timers alone. Undone by `restore()`; a fault must not leak
 * into the next scenario.
 */
import type { Clock } from '../../../core/clock.js';

export interface ClockFaultState {
  /** Constant offset, ms. */
  offsetMs: number;
  /** Drift rate: extra ms per real ms, from `driftSince` on the harness clock. */
  driftRate: number;
  driftSince: number;
}

const RealDate = Date;

export class DateShim {
  private state: ClockFaultState = { offsetMs: 0, driftRate: 0, driftSince: 0 };
  private installed = false;

  constructor(private readonly clock: Clock) {}

  /** Current offset of the faked wall clock from the real one, ms. */
  offset(): number {
    const s = this.state;
    return s.offsetMs + (s.driftRate ? (this.clock.now() - s.driftSince) * s.driftRate : 0);
  }

  install(): void {
    if (this.installed) return;
    const shim = this;
    class ShiftedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + shim.offset());
        else super(...(args as [number]));
      }
      static override now(): number {
        return RealDate.now() + shim.offset();
      }
    }
    globalThis.Date = ShiftedDate as DateConstructor;
    this.installed = true;
  }

  /** A step: the wall clock jumps by `ms` (negative: backwards). */
  jump(ms: number): void {
    this.state.offsetMs += ms;
  }

  /** A constant skew of `ms` from now on (replaces any previous skew or jump). */
  skew(ms: number): void {
    this.state.offsetMs = ms;
  }

  /** Drift: the wall clock runs `rate` faster (0.01 = 1 % fast; negative: slow). */
  drift(rate: number): void {
    this.state.offsetMs = this.offset();
    this.state.driftRate = rate;
    this.state.driftSince = this.clock.now();
  }

  /** Back to the real clock (offset and drift cleared); the shim stays installed. */
  reset(): void {
    this.state = { offsetMs: 0, driftRate: 0, driftSince: 0 };
  }

  /** Puts the real Date back. */
  restore(): void {
    this.reset();
    if (this.installed) globalThis.Date = RealDate;
    this.installed = false;
  }
}
