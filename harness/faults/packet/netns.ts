/**
 * Packet-level faults, which a TCP-stream proxy cannot make: a network namespace of the run's own,
 * joined to the host by a veth pair, with loss made by nftables (`numgen random mod 100 < N drop`)
 * and, where the kernel has netem, delay/reorder/duplicate/corrupt. Needs root (or CAP_NET_ADMIN),
 * iproute2 and nftables. A fault the machine cannot make is an error that says so: it is never
 * replaced by a stream fault.
 */
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export class PacketFaultUnsupportedError extends Error {
  override name = 'PacketFaultUnsupportedError';
}

const run = async (cmd: string, args: string[]) => {
  try {
    return (await execFile(cmd, args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
};

export interface PacketCapabilities {
  netns: boolean;
  nftables: boolean;
  netem: boolean;
  /** Why something is missing, for skip messages and errors. */
  missing: string[];
}

let labCounter = 0;

export class PacketLab {
  private lossTable = false;
  private constructor(
    readonly ns: string,
    readonly hostIf: string,
    readonly nsIf: string,
    /** The host side's address: bind servers here. */
    readonly hostAddress: string,
    /** The namespace side's address. */
    readonly nsAddress: string,
  ) {}

  /** Creates the namespace and the veth pair; `destroy()` removes both. */
  static async create(): Promise<PacketLab> {
    const n = (process.pid * 7 + ++labCounter) % 250;
    const id = `${process.pid % 10000}x${labCounter}`;
    const lab = new PacketLab(`bc-${id}`, `bch${id}`.slice(0, 15), `bcn${id}`.slice(0, 15), `10.213.${n}.1`, `10.213.${n}.2`);
    await run('ip', ['netns', 'add', lab.ns]);
    try {
      await run('ip', ['link', 'add', lab.hostIf, 'type', 'veth', 'peer', 'name', lab.nsIf]);
      await run('ip', ['link', 'set', lab.nsIf, 'netns', lab.ns]);
      await run('ip', ['addr', 'add', `${lab.hostAddress}/30`, 'dev', lab.hostIf]);
      await run('ip', ['link', 'set', lab.hostIf, 'up']);
      await lab.inNs('ip', ['addr', 'add', `${lab.nsAddress}/30`, 'dev', lab.nsIf]);
      await lab.inNs('ip', ['link', 'set', lab.nsIf, 'up']);
      await lab.inNs('ip', ['link', 'set', 'lo', 'up']);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  private inNs(cmd: string, args: string[]) {
    return run('ip', ['netns', 'exec', this.ns, cmd, ...args]);
  }

  /** Drops `percent` % of the namespace's packets, both directions, at random (0 removes it). */
  async setLoss(percent: number): Promise<void> {
    if (!(percent >= 0 && percent <= 100)) throw new Error('loss must be 0–100 %');
    if (this.lossTable) {
      await this.inNs('nft', ['delete', 'table', 'inet', 'bcloss']);
      this.lossTable = false;
    }
    if (percent === 0) return;
    const rule = percent >= 100 ? ['drop'] : ['numgen', 'random', 'mod', '100', '<', String(Math.round(percent)), 'drop'];
    await this.inNs('nft', ['add', 'table', 'inet', 'bcloss']);
    this.lossTable = true;
    for (const [chain, hook] of [['out', 'output'], ['in', 'input']] as const) {
      await this.inNs('nft', ['add', 'chain', 'inet', 'bcloss', chain, `{ type filter hook ${hook} priority 0; }`]);
      await this.inNs('nft', ['add', 'rule', 'inet', 'bcloss', chain, ...rule]);
    }
  }

  /** Shapes the namespace's egress to `kbit` kbit/s with tbf (0 removes it). */
  async setBandwidth(kbit: number): Promise<void> {
    await this.inNs('tc', ['qdisc', 'del', 'dev', this.nsIf, 'root']).catch(() => undefined);
    if (kbit > 0) await this.inNs('tc', ['qdisc', 'add', 'dev', this.nsIf, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '16kbit', 'latency', '400ms']);
  }

  /** netem on the namespace's interface, e.g. ['delay', '100ms', '20ms']; [] removes it. */
  async setNetem(args: string[]): Promise<void> {
    await this.inNs('tc', ['qdisc', 'del', 'dev', this.nsIf, 'root']).catch(() => undefined);
    if (!args.length) return;
    try {
      await this.inNs('tc', ['qdisc', 'add', 'dev', this.nsIf, 'root', 'netem', ...args]);
    } catch (err) {
      if (/qdisc kind is unknown/.test((err as Error).message)) {
        throw new PacketFaultUnsupportedError(`Failed to apply netem ${args.join(' ')}: this kernel has no netem qdisc ("Specified qdisc kind is unknown"). The run stops: a stream fault is not a substitute. Use packet loss (nftables) here, or run where netem exists.`);
      }
      throw err;
    }
  }

  async destroy(): Promise<void> {
    await run('ip', ['netns', 'del', this.ns]).catch(() => undefined);
    await run('ip', ['link', 'del', this.hostIf]).catch(() => undefined);
  }
}

/** What this machine can do, probed once by creating and removing a namespace. */
export async function packetCapabilities(): Promise<PacketCapabilities> {
  const missing: string[] = [];
  let netns = false;
  let nftables = false;
  let netem = false;
  let lab: PacketLab | undefined;
  try {
    lab = await PacketLab.create();
    netns = true;
    try {
      await lab.setLoss(50);
      await lab.setLoss(0);
      nftables = true;
    } catch (err) {
      missing.push(`nftables: ${(err as Error).message.split('\n')[0]}`);
    }
    try {
      await lab.setNetem(['delay', '1ms']);
      await lab.setNetem([]);
      netem = true;
    } catch (err) {
      missing.push(`netem: ${(err as Error).message.split('\n')[0]}`);
    }
  } catch (err) {
    missing.push(`network namespaces: ${(err as Error).message.split('\n')[0]} (needs root or CAP_NET_ADMIN and iproute2)`);
  } finally {
    await lab?.destroy();
  }
  return { netns, nftables, netem, missing };
}
