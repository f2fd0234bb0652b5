/** Helpers the scenario files share. */
import type { FaultKind, ScheduleEntry } from '../harness/faults/schedule.js';

/** One generated fault: what, with which params, and for how long (none: instantaneous). */
export type FaultStep = { fault: FaultKind; params?: Record<string, unknown>; duration?: number };

/** Lays generated items end to end: each starts `gap` ms after the previous one ended (its `duration`, if any). */
export function inSequence<T extends { gap: number; duration?: number }, E>(items: readonly T[], entry: (item: T, at: number) => E): E[] {
  let at = 0;
  return items.map((item) => {
    at += item.gap;
    const e = entry(item, at);
    at += item.duration ?? 0;
    return e;
  });
}

/** Generated fault steps laid end to end: each starts `gap` ms after the previous one ended. */
export function stepsInSequence(items: readonly { gap: number; step: FaultStep }[]): ScheduleEntry[] {
  return inSequence(
    items.map(({ gap, step }) => ({ gap, step, ...(step.duration !== undefined ? { duration: step.duration } : {}) })),
    ({ step }, at) => ({ at, ...step }),
  );
}
