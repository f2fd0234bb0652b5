/**
 * The places faults are made, and the one injector that hands each schedule entry to its kind's
 * module (kinds/) with the place that kind acts on. A run offers the places it has.
 */
import type { Clock } from '../../core/clock.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import type { DateShim } from './clock/date-shim.js';
import { FAULT_KIND_MODULES, kindOf } from './kinds/index.js';
import type { KillOrder } from './kinds/kill.js';
import type { PacketLab } from './packet/netns.js';
import type { FaultInjector, ScheduleEntry } from './schedule.js';
import type { ToxiproxyClient } from './toxiproxy/client.js';

/** A clock fault on the wall clock of the clients it names: `op(target, ...)` reaches them wherever they run. */
export type ClockOp = (target: number | 'all', op: 'jump' | 'skew' | 'drift' | 'reset', value?: number) => void;

/** SIGKILL of the named client processes, then their restart, as the run's bot does it. */
export type KillOp = (target: number | 'all', order: KillOrder) => Promise<void> | void;

export interface FaultPlaces {
  /** The fake server: moves, admission changes, restarts. */
  server?: FakeWhatsAppServer;
  /** The Toxiproxy proxy (real or embedded: the same client) that carries every client: toxics, a downed proxy. */
  proxy?: { client: ToxiproxyClient; name: string; clock: Clock };
  /** Whatever reaches the named clients' clocks. */
  clock?: ClockOp;
  kill?: KillOp;
  /** The clients' network namespace: packet loss, bandwidth. */
  packets?: PacketLab;
}

/** One injector for every kind whose place is given. */
export function injectorFor(places: FaultPlaces): FaultInjector {
  const kept = new Map<number, unknown>();
  // Only kinds listed below reach here (runSchedule looks them up): their module and place exist.
  const call = (e: ScheduleEntry, index: number) => {
    const kind = kindOf(e.fault)!;
    return { kind, at: { place: places[kind.place]!, index, kept } };
  };
  return {
    kinds: FAULT_KIND_MODULES.filter((k) => places[k.place] !== undefined).map((k) => k.name),
    apply: (e, index) => {
      const { kind, at } = call(e, index);
      return kind.apply(e, at);
    },
    clear: (e, index) => {
      const { kind, at } = call(e, index);
      return kind.clear(e, at);
    },
  };
}

/** The in-process clock op: the harness process's Date shim, shared by every in-process client. */
export function shimClockOp(shim: DateShim): ClockOp {
  return (_target, op, value) => {
    shim.install();
    if (op === 'reset') shim.reset();
    else shim[op](value ?? 0);
  };
}
