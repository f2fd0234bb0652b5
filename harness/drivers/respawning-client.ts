/**
 * A supervised client in its own process, under a process manager: after the harness SIGKILLs it
 * (a `kill` fault) it is started again on the same session, as systemd's `Restart=on-failure` or
 * pm2 would. A kill may wait for the next session write (a crash mid-write) and may damage the
 * session before the restart (what a crash or a bad disk leaves). One event stream spans every
 * process it starts, so the run sees one client.
 */
import type { ChildSpec } from './child.js';
import { ChildClient } from './subprocess.js';
import { EventStream } from '../../core/event-stream.js';
import { corruptCreds } from '../faults/session-corruption.js';
import type { KillOrder } from '../faults/schedule.js';

export type { KillOrder };
import type { Clock } from '../../core/clock.js';
import { lastConnectionEvent } from '../recorder/metrics.js';
import type { Rng } from '../../core/random.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';


export class RespawningClient {
  readonly events = new EventStream<SupervisorEvent>();
  private child: ChildClient | undefined;
  private stopping = false;
  private pending: Promise<void> = Promise.resolve();
  private readonly exited = new WeakSet<ChildClient>();

  constructor(
    private readonly spec: ChildSpec,
    private readonly opts: { netns?: string; rng: Rng; writeWaitMs: number; clock: Clock },
  ) {}

  /** True once the current process ended by itself (stopped by policy) and was not restarted. */
  get ended(): boolean {
    return !!this.child && this.exited.has(this.child) && !this.stopping;
  }

  /** A clock fault on the current process's own wall clock. */
  clockFault(op: 'jump' | 'skew' | 'drift' | 'reset', value?: number): void {
    this.child?.clock(op, value);
  }

  /** The current process's error output, if it failed. */
  get error(): string | undefined {
    return this.child?.error;
  }

  async start(): Promise<void> {
    this.spawn();
  }

  private spawn(): void {
    const child = new ChildClient({ ...this.spec, reportWrites: true }, this.opts.netns ? { netns: this.opts.netns } : {});
    void child.exited.then(() => this.exited.add(child));
    child.events.subscribe((e) => this.events.push(e));
    this.child = child;
  }

  /**
   * Queues a kill; resolves once the process is dead (the restart follows on its own). Kills run
   * one after another.
   */
  kill(order: KillOrder): Promise<void> {
    const killed = this.pending.then(() => this.killNow(order));
    this.pending = killed.then((k) => (k ? this.restart(order) : undefined)).catch(() => undefined);
    return killed.then(() => undefined);
  }

  private async killNow(order: KillOrder): Promise<boolean> {
    const child = this.child;
    if (!child || this.stopping || this.exited.has(child)) return false; // ended by itself (stopped by policy): nothing to restart
    if (order.atNextWrite) {
      // The write marks arrive over IPC: a kill "mid-write" is as close as the parent can get.
      const since = this.opts.clock.now();
      await child.writes.waitFor((w) => w.phase === 'start' && w.t >= since, this.opts.writeWaitMs, 'a session write').catch(() => undefined);
    }
    child.kill('SIGKILL');
    await child.exited;
    // A dead process reports nothing: record the connection it held as closed, so the run sees the
    // client down until the restarted process opens again.
    const last = lastConnectionEvent(this.events.list());
    if (last?.type === 'open') this.events.push({ t: this.opts.clock.now(), type: 'close', attempt: last.attempt, message: 'process killed (SIGKILL)' });
    return true;
  }

  private async restart(order: KillOrder): Promise<void> {
    if (this.stopping) return;
    if (order.corrupt) await corruptCreds(this.spec.store, order.corrupt, () => this.opts.rng.next());
    this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.pending.catch(() => undefined);
    await this.child?.stop();
  }
}
