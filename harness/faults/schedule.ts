/**
 * One vocabulary for every fault: a typed, JSON-serialisable timeline
 *   [{ "at": 500, "duration": 8000, "fault": "toxic", "target": "all", "params": {...} }, ...]
 * that scenarios generate, the CLI reads from a file, reports print and replay re-runs.
 * `parseSchedule` rejects what cannot run, naming the entry; `runSchedule` applies and clears each
 * fault on time through the injectors, recording both as events on the harness clock.
 */
import type { Clock } from '../../core/clock.js';
import { EventStream } from '../../core/event-stream.js';
import { MoveValidationError, type AdmissionPolicy, type ServerMove } from '../../fake-server/moves.js';
import { FAULT_KIND_MODULES, kindOf, type FaultKind } from './kinds/index.js';
import { num, ScheduleError } from './kinds/kind.js';

// Each kind, its params and what it does: one module in kinds/.
export type { FaultKind };
export type { KillOrder } from './kinds/kill.js';
export { ScheduleError };

export const FAULT_KINDS: readonly FaultKind[] = FAULT_KIND_MODULES.map((k) => k.name);

export interface ScheduleEntry {
  /** ms from the start of the run. */
  at: number;
  /** ms the fault lasts; absent: instantaneous (or until the end of the run). */
  duration?: number;
  fault: FaultKind;
  /** A client index, or 'all'. */
  target?: number | 'all';
  params?: Record<string, unknown>;
}

export type Schedule = ScheduleEntry[];

/** When a schedule's last fault ends (ms from the start): a run's length, up to its settling. */
export const scheduleEnd = (schedule: Schedule): number => Math.max(0, ...schedule.map((e) => e.at + (e.duration ?? 0)));

/** Validates untrusted input (a file, generated data) into a Schedule, sorted by `at`. */
export function parseSchedule(input: unknown): Schedule {
  if (!Array.isArray(input)) throw new ScheduleError('Failed to read the schedule: it must be a JSON array of entries like {"at": 0, "fault": "server-move", "params": {"kind": "silence"}}.');
  const entries = input.map((raw, i) => parseEntry(raw, i));
  checkOverlaps(entries);
  return entries.sort((a, b) => a.at - b.at);
}

function parseEntry(raw: unknown, i: number): ScheduleEntry {
  const where = `entry ${i}`;
  const fail = (why: string): never => {
    throw new ScheduleError(`Failed to read the schedule: ${where} ${why}.`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('is not an object');
  const e = raw as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!['at', 'duration', 'fault', 'target', 'params'].includes(k)) fail(`has an unknown key "${k}" (known: at, duration, fault, target, params)`);
  if (!num(e.at) || e.at < 0) fail(`needs "at", a time in ms ≥ 0`);
  if (e.duration !== undefined && (!num(e.duration) || e.duration < 0)) fail(`has a negative or non-numeric "duration"`);
  if (!FAULT_KINDS.includes(e.fault as FaultKind)) fail(`has an unknown fault ${JSON.stringify(e.fault)} (known: ${FAULT_KINDS.join(', ')})`);
  if (e.target !== undefined && e.target !== 'all' && !(Number.isInteger(e.target) && (e.target as number) >= 0)) fail('has a bad "target": a client index or "all"');
  const params = (e.params ?? {}) as Record<string, unknown>;
  if (typeof params !== 'object' || Array.isArray(params)) fail('has "params" that is not an object');
  const fault = e.fault as FaultKind;
  try {
    kindOf(fault)!.parse(params, fail);
  } catch (err) {
    if (err instanceof MoveValidationError) fail(err.message);
    throw err;
  }
  return { at: e.at as number, fault, ...(e.duration !== undefined ? { duration: e.duration as number } : {}), ...(e.target !== undefined ? { target: e.target as number | 'all' } : {}), ...(e.params !== undefined ? { params } : {}) };
}

/** Faults that cannot coexist (two clock faults on one target, two toxics of one type and stream, two admissions): each kind says. */
const conflictKey = (e: ScheduleEntry): string | undefined => kindOf(e.fault)?.exclusive?.(e);

function checkOverlaps(entries: ScheduleEntry[]): void {
  const end = (e: ScheduleEntry) => e.at + (e.duration ?? Infinity);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i]!;
      const b = entries[j]!;
      const key = conflictKey(a);
      if (key && key === conflictKey(b) && a.at < end(b) && b.at < end(a)) {
        throw new ScheduleError(`Failed to read the schedule: entries ${i} and ${j} (${a.fault}) overlap and cannot coexist; end one before the other starts.`);
      }
    }
  }
}

/** Applies and clears the kinds of fault it lists (`injectorFor` in injectors.ts: every kind whose place a run has). */
export interface FaultInjector {
  readonly kinds: readonly FaultKind[];
  /** Applies the fault; may resolve to the harness-clock time it took effect (default: when called). */
  apply(entry: ScheduleEntry, index: number): Promise<number | void>;
  /** Undoes the fault at the end of its duration (not called for instantaneous faults). */
  clear(entry: ScheduleEntry, index: number): Promise<number | void>;
}

export type ScheduleEvent = { t: number; type: 'fault-applied' | 'fault-cleared' | 'fault-failed'; index: number; fault: FaultKind; message?: string };

export interface ScheduleRun {
  events: EventStream<ScheduleEvent>;
  /** Resolves when every entry was applied and every timed one cleared. */
  done: Promise<void>;
  /** Cancels what has not happened yet and clears what is active. */
  cancel(): Promise<void>;
}

/** Runs a schedule from now on the harness clock. Timers are real; times are relative to the call. */
export function runSchedule(schedule: Schedule, injectors: FaultInjector[], clock: Clock): ScheduleRun {
  const events = new EventStream<ScheduleEvent>();
  const injectorFor = (kind: FaultKind) => {
    const inj = injectors.find((i) => i.kinds.includes(kind));
    if (!inj) throw new ScheduleError(`Failed to run the schedule: no injector for "${kind}" in this run (is Toxiproxy or a subprocess driver in use?).`);
    return inj;
  };
  schedule.forEach((e) => injectorFor(e.fault)); // fail before anything happens
  const timers = new Map<NodeJS.Timeout, () => void>();
  const active = new Map<number, ScheduleEntry>();
  const pending: Promise<void>[] = [];
  const at = (ms: number, fn: () => Promise<void>) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn().then(resolve, resolve);
      }, Math.max(0, ms));
      timers.set(t, resolve);
    });
  const step = async (type: 'fault-applied' | 'fault-cleared', e: ScheduleEntry, i: number) => {
    try {
      const inj = injectorFor(e.fault);
      // Stamped when the fault took effect: the injector says when (a toxic once the API answered,
      // a kill when the signal went), else the moment it was applied (a server move acts at once).
      const called = clock.now();
      let effective: number | void;
      if (type === 'fault-applied') {
        effective = await inj.apply(e, i);
        if (e.duration !== undefined) active.set(i, e);
      } else {
        effective = await inj.clear(e, i);
        active.delete(i);
      }
      events.push({ t: typeof effective === 'number' ? effective : called, type, index: i, fault: e.fault });
    } catch (err) {
      events.push({ t: clock.now(), type: 'fault-failed', index: i, fault: e.fault, message: (err as Error).message });
    }
  };
  schedule.forEach((e, i) => {
    pending.push(at(e.at, () => step('fault-applied', e, i)));
    if (e.duration !== undefined) pending.push(at(e.at + e.duration, () => step('fault-cleared', e, i)));
  });
  return {
    events,
    done: Promise.all(pending).then(() => undefined),
    cancel: async () => {
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
      for (const [i, e] of [...active]) await step('fault-cleared', e, i);
    },
  };
}

export type { ServerMove, AdmissionPolicy };
