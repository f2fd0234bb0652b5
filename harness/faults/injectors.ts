/**
 * The fault injectors behind the schedule vocabulary: one per place a fault is made.
 */
import type { KillOrder } from './schedule.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { parseAdmission, parseMove, type AdmissionPolicy } from '../../fake-server/moves.js';
import type { Clock } from '../../core/clock.js';
import type { DateShim } from './clock/date-shim.js';
import type { PacketLab } from './packet/netns.js';
import type { ToxiproxyClient } from './toxiproxy/client.js';
import { ScheduleError, type FaultInjector, type ScheduleEntry } from './schedule.js';

/** Server moves, admission changes and restarts, on the fake server. */
export class ServerInjector implements FaultInjector {
  readonly kinds = ['server-move', 'admission', 'server-restart'] as const;
  private readonly saved = new Map<number, Partial<AdmissionPolicy>>();

  constructor(private readonly server: FakeWhatsAppServer) {}

  /** A move for one client reaches the connections labelled with its index (its own socket URL). */
  private targets(e: ScheduleEntry): number[] | 'all' {
    if (e.target === undefined || e.target === 'all') return 'all';
    return this.server.listConnections({ live: true }).filter((c) => c.client === String(e.target)).map((c) => c.id);
  }

  async apply(e: ScheduleEntry, i: number): Promise<void> {
    if (e.fault === 'server-restart') return this.server.restart();
    if (e.fault === 'admission') {
      if (e.target !== undefined && e.target !== 'all') throw new ScheduleError(`an admission change acts on every new connection; it cannot target client ${e.target}`);
      const change = parseAdmission(e.params ?? {});
      const current = this.server.admission();
      // What to put back: booleans default to false, status codes to null (= off).
      const previous = (k: string) => current[k as keyof AdmissionPolicy] ?? (['closeMidHandshake', 'silentHandshake', 'withholdSuccess'].includes(k) ? false : null);
      this.saved.set(i, Object.fromEntries(Object.keys(change).map((k) => [k, previous(k)])) as Partial<AdmissionPolicy>);
      this.server.setAdmission(change);
      return;
    }
    const move = parseMove(e.params);
    const targets = this.targets(e);
    if (targets === 'all') this.server.apply(move, 'all');
    else for (const id of targets) this.server.apply(move, id);
  }

  async clear(e: ScheduleEntry, i: number): Promise<void> {
    if (e.fault === 'admission') {
      this.server.setAdmission(parseAdmission(this.saved.get(i) ?? {}));
      this.saved.delete(i);
    } else if (e.fault === 'server-move' && (e.params as { kind?: string }).kind === 'silence') {
      const targets = this.targets(e);
      if (targets === 'all') this.server.apply({ kind: 'resume' }, 'all');
      else for (const id of targets) this.server.apply({ kind: 'resume' }, id);
    }
  }
}

/** Toxics and a downed proxy, through Toxiproxy (real or embedded: the same client). One proxy carries every client: 'all' only. */
export class ToxiproxyInjector implements FaultInjector {
  readonly kinds = ['toxic', 'proxy-down'] as const;
  constructor(
    private readonly client: ToxiproxyClient,
    private readonly proxyName: string,
    private readonly clock: Clock,
  ) {}

  async apply(e: ScheduleEntry, i: number): Promise<number> {
    if (e.fault === 'proxy-down') await this.client.setEnabled(this.proxyName, false);
    else {
      const p = e.params as { type: string; stream?: 'upstream' | 'downstream'; attributes?: Record<string, number> };
      await this.client.addToxic(this.proxyName, { name: `schedule-${i}`, type: p.type, stream: p.stream ?? 'downstream', toxicity: 1, attributes: p.attributes ?? {} });
    }
    return this.clock.now(); // in effect once the API has answered
  }

  async clear(e: ScheduleEntry, i: number): Promise<number> {
    if (e.fault === 'proxy-down') await this.client.setEnabled(this.proxyName, true);
    else await this.client.removeToxic(this.proxyName, `schedule-${i}`);
    return this.clock.now();
  }
}

/** A clock fault on the wall clock of the clients it names: `op(target, ...)` reaches them wherever they run. */
export type ClockOp = (target: number | 'all', op: 'jump' | 'skew' | 'drift' | 'reset', value?: number) => void;

/** Client clock faults, through whatever reaches the named clients' clocks. */
export class ClockInjector implements FaultInjector {
  readonly kinds = ['clock-jump', 'clock-skew', 'clock-drift'] as const;
  constructor(private readonly op: ClockOp) {}

  async apply(e: ScheduleEntry): Promise<void> {
    const p = e.params as { ms?: number; rate?: number };
    const target = e.target ?? 'all';
    if (e.fault === 'clock-jump') this.op(target, 'jump', p.ms!);
    else if (e.fault === 'clock-skew') this.op(target, 'skew', p.ms!);
    else this.op(target, 'drift', p.rate!);
  }

  async clear(e: ScheduleEntry): Promise<void> {
    const target = e.target ?? 'all';
    if (e.fault === 'clock-jump') this.op(target, 'jump', -(e.params as { ms: number }).ms);
    else this.op(target, 'reset');
  }
}

/** The in-process clock op: the harness process's Date shim, shared by every in-process client. */
export function shimClockOp(shim: DateShim): ClockOp {
  return (_target, op, value) => {
    shim.install();
    if (op === 'reset') shim.reset();
    else shim[op](value ?? 0);
  };
}

/** SIGKILL of a client process (subprocess driver); params say when, and what the crash leaves behind. */
export class KillInjector implements FaultInjector {
  readonly kinds = ['kill'] as const;
  constructor(private readonly kill: (index: number | 'all', order: KillOrder) => Promise<void> | void) {}
  async apply(e: ScheduleEntry): Promise<void> {
    await this.kill(e.target ?? 'all', (e.params ?? {}) as KillOrder);
  }
  async clear(): Promise<void> {}
}

/** Packet loss and bandwidth shaping in the clients' network namespace. */
export class PacketInjector implements FaultInjector {
  readonly kinds = ['packet-loss', 'packet-bandwidth'] as const;
  constructor(private readonly lab: PacketLab) {}
  async apply(e: ScheduleEntry): Promise<void> {
    if (e.fault === 'packet-bandwidth') await this.lab.setBandwidth((e.params as { kbit: number }).kbit);
    else await this.lab.setLoss((e.params as { percent: number }).percent);
  }
  async clear(e: ScheduleEntry): Promise<void> {
    if (e.fault === 'packet-bandwidth') await this.lab.setBandwidth(0);
    else await this.lab.setLoss(0);
  }
}
