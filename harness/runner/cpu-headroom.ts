/**
 * `--jobs auto`: start another run only while the machine's cores have room. In virtual time CPU
 * work inflates K times over, and once the cores are full, logins and handlers stretch until
 * outcomes move (README, Virtual time); a fixed N cannot know whether a run costs a twentieth of a
 * core (the reference supervisor idling through an outage) or most of one (a command bot starting).
 * So before each start beyond the first, the gate measures how busy every core of the machine was
 * over a window (the OS's per-core counters: every process, not only this plan's), and waits while
 * that is at or above the target. One start at a time, each measured after the one before, so a
 * child's start-up burst is seen before the next is let in. With no run of the plan in flight it
 * lets one in at once: a busy machine slows a plan, it never stops it.
 */
import { cpus } from 'node:os';

export interface CpuSample {
  busyMs: number;
  totalMs: number;
}

/** The machine's CPU time so far, summed over its cores (works wherever Node's os.cpus() does). */
export function sampleCpu(): CpuSample {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs };
}

/** The share of the machine's cores that were busy between two samples (0 when no time passed). */
export function busyShare(from: CpuSample, to: CpuSample): number {
  const total = to.totalMs - from.totalMs;
  return total > 0 ? (to.busyMs - from.busyMs) / total : 0;
}

/** Machine-wide: this share of all cores busy or more, and no further run starts. */
export const AUTO_JOBS_BUSY_TARGET = 0.7;
/** How long one measurement of the cores lasts, in real (machine) time. */
export const AUTO_JOBS_WINDOW_MS = 500;
/** The most runs at once `--jobs auto` starts, per core: each is a process holding Baileys in memory. */
export const AUTO_JOBS_PER_CORE = 8;

export interface StartGate {
  /** Resolves when the next run may start, with what to call when it has ended. */
  enter(): Promise<() => void>;
}

export interface CpuHeadroomOptions {
  target?: number;
  /** Waits one measurement window (a timer on the process's clock: under a warp, K x the real window). */
  waitWindow: () => Promise<void>;
  sample?: () => CpuSample;
}

export function cpuHeadroomGate(opts: CpuHeadroomOptions): StartGate {
  const target = opts.target ?? AUTO_JOBS_BUSY_TARGET;
  const sample = opts.sample ?? sampleCpu;
  let inFlight = 0;
  const measureUntilRoom = async () => {
    while (inFlight > 0) {
      const from = sample();
      await opts.waitWindow();
      if (inFlight === 0 || busyShare(from, sample()) < target) return;
    }
  };
  // Starts are measured one after another: two waiting runs must not both see the same room.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    enter() {
      const turn = queue.then(measureUntilRoom).then(() => {
        inFlight++;
        let left = false;
        return () => {
          if (!left) inFlight--;
          left = true;
        };
      });
      queue = turn.catch(() => {});
      return turn;
    },
  };
}
