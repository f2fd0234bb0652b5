/**
 * One fault kind = one module in this folder, as Toxiproxy keeps one toxic a file: how its params
 * are checked, whether an entry can reach the clients it names on a given bot, and how it is
 * applied and cleared at the place it is made. Adding a kind is a file here and a line in index.ts.
 */
import type { FaultPlaces } from '../injectors.js';
import type { ScheduleEntry } from '../schedule.js';

// Here rather than in schedule.ts so a kind can throw it without importing the schedule (a cycle).
export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** What a run offers a fault to reach: its clients and what the bot under test can take. */
export interface Reach {
  clients: number;
  /** Where the bot's clients run (a bot's `where`). */
  where: 'in-process' | 'process' | 'either';
  killable: boolean;
  clockFaults: boolean;
}

export type PlaceName = keyof FaultPlaces;

/** What applying or clearing an entry is given. */
export interface FaultCall<P> {
  /** The place the fault is made (the server, the proxy, the clients' clocks, ...). */
  place: P;
  index: number;
  /** What a kind keeps between applying an entry and clearing it (what to put back), by index. */
  kept: Map<number, unknown>;
}

// Methods, not function properties: a module typed for its own place still fits the registry's
// FaultKindModule<FaultKind, PlaceName>, and each is only ever handed its own place.
export interface FaultKindModule<N extends string = string, P extends PlaceName = PlaceName> {
  readonly name: N;
  /** Where it is made: a run that lacks this place cannot run the kind. */
  readonly place: P;
  /** It reaches a client only in a process of its own (a kill, a network namespace's packets). */
  readonly ownProcess?: boolean;
  /** This entry, among `clients` clients, reaches its target only in a process of its own (a clock fault for one of several). */
  needsOwnProcess?(e: ScheduleEntry, clients: number): boolean;
  /** Checks an entry's params, calling `fail(why)` (or throwing MoveValidationError) on what cannot run. */
  parse(params: Record<string, unknown>, fail: (why: string) => never): void;
  /** Entries with the same key cannot coexist: they must not overlap in time. */
  exclusive?(e: ScheduleEntry): string;
  /** Why the entry cannot reach the clients it names on this bot, if it cannot. */
  unreachable?(e: ScheduleEntry, reach: Reach): string | undefined;
  /** Applies the fault; may resolve to the harness-clock time it took effect (default: when called). */
  apply(e: ScheduleEntry, call: FaultCall<NonNullable<FaultPlaces[P]>>): Promise<number | void>;
  /** Undoes the fault at the end of its duration (not called for instantaneous faults). */
  clear(e: ScheduleEntry, call: FaultCall<NonNullable<FaultPlaces[P]>>): Promise<number | void>;
}

/** Keeps a module's literal name and place, from which the schedule's FaultKind is built. */
export const defineKind = <const N extends string, const P extends PlaceName>(kind: FaultKindModule<N, P>): FaultKindModule<N, P> => kind;

export const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The entry names one client rather than all of them. */
export const targetsOne = (e: ScheduleEntry): boolean => e.target !== undefined && e.target !== 'all';

/** Every client reaches the server through one path (one proxy, one namespace): a network fault is for all or none. */
export const onePath = (e: ScheduleEntry): string | undefined => (targetsOne(e) ? `every client shares one network path, so a network fault cannot reach client ${e.target} alone.` : undefined);

/** Nothing to undo (an instantaneous fault). */
export const nothingToClear = async (): Promise<void> => {};

/** One at a time whatever its target: one server policy, one proxy, one namespace. */
export const oneAtATime = (e: ScheduleEntry): string => e.fault;
