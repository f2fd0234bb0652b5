/**
 * One vocabulary for every fault: a typed, JSON-serialisable timeline
 *   [{ "at": 500, "duration": 8000, "fault": "toxic", "target": "all", "params": {...} }, ...]
 * that scenarios generate, the CLI reads from a file, reports print and replay re-runs.
 * `parseSchedule` rejects what cannot run, naming the entry; `runSchedule` applies and clears each
 * fault on time through the injectors, recording both as events on the harness clock.
 */
import type { Clock } from '../../core/clock.js';
import { EventStream } from '../../core/event-stream.js';
import { CORRUPTION_MODES, type CorruptionMode } from './session-corruption.js';
import { MoveValidationError, parseAdmission, parseMove, type AdmissionPolicy, type ServerMove } from '../../fake-server/moves.js';

export type FaultKind =
  | 'server-move' // params: a ServerMove; `silence` with a duration is resumed at its end
  | 'admission' // params: a partial AdmissionPolicy, undone at the end of its duration
  | 'server-restart'
  | 'toxic' // params: {type, stream?, attributes}: a Toxiproxy toxic for the duration
  | 'proxy-down' // the Toxiproxy proxy disabled for the duration
  | 'clock-jump' // params: {ms}: the client's wall clock steps (undone at the end of a duration)
  | 'clock-skew' // params: {ms}
  | 'clock-drift' // params: {rate}
  | 'packet-loss' // params: {percent}: dropped at random in the client's network namespace
  | 'packet-bandwidth' // params: {kbit}: tbf shaping of the namespace's egress
  | 'kill'; // params: {atNextWrite?, corrupt?}: SIGKILL the target client process (then it restarts)

export const FAULT_KINDS: readonly FaultKind[] = ['server-move', 'admission', 'server-restart', 'toxic', 'proxy-down', 'clock-jump', 'clock-skew', 'clock-drift', 'packet-loss', 'packet-bandwidth', 'kill'];

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

/** A `kill` fault's params: when the process dies, and what the crash leaves of its session. */
export interface KillOrder {
  /** Kill at the client's next session write instead of at once (bounded by `writeWaitMs`). */
  atNextWrite?: boolean;
  /** Damage the session's creds before the restart. */
  corrupt?: CorruptionMode;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop'];
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

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
    switch (fault) {
      case 'server-move':
        parseMove(params);
        break;
      case 'admission':
        parseAdmission(params);
        break;
      case 'toxic':
        if (!TOXIC_TYPES.includes(params.type as string)) fail(`has a toxic of unknown type ${JSON.stringify(params.type)} (known: ${TOXIC_TYPES.join(', ')})`);
        if (params.stream !== undefined && params.stream !== 'upstream' && params.stream !== 'downstream') fail('has a toxic "stream" that is neither "upstream" nor "downstream"');
        break;
      case 'clock-jump':
      case 'clock-skew':
        if (!num(params.ms)) fail(`needs params.ms, a number of milliseconds`);
        break;
      case 'clock-drift':
        if (!num(params.rate) || (params.rate as number) <= -1) fail('needs params.rate, a number > -1 (0.01 = 1 % fast)');
        break;
      case 'packet-bandwidth':
        if (!num(params.kbit) || (params.kbit as number) <= 0) fail('needs params.kbit, a rate > 0');
        break;
      case 'kill':
        if (params.atNextWrite !== undefined && typeof params.atNextWrite !== 'boolean') fail('has params.atNextWrite that is not true or false');
        if (params.corrupt !== undefined && !CORRUPTION_MODES.includes(params.corrupt as CorruptionMode)) fail(`has params.corrupt ${JSON.stringify(params.corrupt)} (known: ${CORRUPTION_MODES.join(', ')})`);
        break;
      case 'packet-loss':
        if (!num(params.percent) || (params.percent as number) < 0 || (params.percent as number) > 100) fail('needs params.percent, 0–100');
        break;
    }
  } catch (err) {
    if (err instanceof MoveValidationError) fail(err.message);
    throw err;
  }
  return { at: e.at as number, fault, ...(e.duration !== undefined ? { duration: e.duration as number } : {}), ...(e.target !== undefined ? { target: e.target as number | 'all' } : {}), ...(e.params !== undefined ? { params } : {}) };
}

/** Faults that cannot coexist: two clock faults on one target, two toxics of one type and stream, two admissions. */
function conflictKey(e: ScheduleEntry): string | undefined {
  const target = String(e.target ?? 'all');
  if (e.fault.startsWith('clock-')) return `clock:${target}`;
  if (e.fault === 'toxic') return `toxic:${e.params?.type}:${e.params?.stream ?? 'downstream'}`;
  if (e.fault === 'admission' || e.fault === 'proxy-down' || e.fault === 'packet-loss' || e.fault === 'packet-bandwidth') return e.fault;
  return undefined;
}

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

/** Applies and clears one kind of fault. */
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
