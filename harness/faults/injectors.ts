/**
 * The fault injectors behind the schedule vocabulary: one per place a fault is made.
 */
import type { KillOrder } from '../drivers/respawning-client.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { parseAdmission, parseMove, type AdmissionPolicy } from '../../fake-server/moves.js';
import type { DateShim } from './clock/date-shim.js';
import type { PacketLab } from './packet/netns.js';
import type { ToxiproxyClient } from './toxiproxy/client.js';
import type { FaultInjector, ScheduleEntry } from './schedule.js';

/** Server moves, admission changes and restarts, on the fake server. */
export class ServerInjector implements FaultInjector {
  readonly kinds = ['server-move', 'admission', 'server-restart'] as const;
  private readonly saved = new Map<number, Partial<AdmissionPolicy>>();

  /** `jidOf(i)`: the device of client i, to find its connections when a move targets one client. */
  constructor(
    private readonly server: FakeWhatsAppServer,
    private readonly jidOf: (index: number) => string | undefined = () => undefined,
  ) {}

  private targets(e: ScheduleEntry): number[] | 'all' {
    if (e.target === undefined || e.target === 'all') return 'all';
    const jid = this.jidOf(e.target);
    return this.server.listConnections({ live: true }).filter((c) => c.jid === jid).map((c) => c.id);
  }

  async apply(e: ScheduleEntry, i: number): Promise<void> {
    if (e.fault === 'server-restart') return this.server.restart();
    if (e.fault === 'admission') {
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

/** Toxics and a downed proxy, through Toxiproxy (real or embedded: the same client). */
export class ToxiproxyInjector implements FaultInjector {
  readonly kinds = ['toxic', 'proxy-down'] as const;
  constructor(
    private readonly client: ToxiproxyClient,
    private readonly proxyName: string,
  ) {}

  async apply(e: ScheduleEntry, i: number): Promise<void> {
    if (e.fault === 'proxy-down') return this.client.setEnabled(this.proxyName, false);
    const p = e.params as { type: string; stream?: 'upstream' | 'downstream'; attributes?: Record<string, number> };
    await this.client.addToxic(this.proxyName, { name: `schedule-${i}`, type: p.type, stream: p.stream ?? 'downstream', toxicity: 1, attributes: p.attributes ?? {} });
  }

  async clear(e: ScheduleEntry, i: number): Promise<void> {
    if (e.fault === 'proxy-down') return this.client.setEnabled(this.proxyName, true);
    await this.client.removeToxic(this.proxyName, `schedule-${i}`);
  }
}

/** Client clock faults through the in-process Date shim. */
export class ClockInjector implements FaultInjector {
  readonly kinds = ['clock-jump', 'clock-skew', 'clock-drift'] as const;
  constructor(private readonly shim: DateShim) {}

  async apply(e: ScheduleEntry): Promise<void> {
    this.shim.install();
    const p = e.params as { ms?: number; rate?: number };
    if (e.fault === 'clock-jump') this.shim.jump(p.ms!);
    else if (e.fault === 'clock-skew') this.shim.skew(p.ms!);
    else this.shim.drift(p.rate!);
  }

  async clear(e: ScheduleEntry): Promise<void> {
    if (e.fault === 'clock-jump') this.shim.jump(-(e.params as { ms: number }).ms);
    else this.shim.reset();
  }
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
