/**
 * One client per child process, so a test can SIGKILL it (also mid-session-write), or start it
 * in a hostile environment. Events arrive over IPC and are put on the harness clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dieWithHarness } from '../children.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionDevice } from '../provision.js';
import { openSessionStore } from '../session/index.js';
import { sessionPath, type ClientDriver, type DrivenClient, type SupervisedDriverOptions } from './driver.js';
import { EventStream } from '../../core/event-stream.js';
import type { SupervisorEvent } from '../supervisor/supervisor.js';
import type { ChildMessage, ChildSpec, ClockCommand } from './child.js';

// From sources (a clone) the child is TypeScript run through tsx; from the package, compiled.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const CHILD_ENTRY = fileURLToPath(new URL(FROM_SOURCES ? './child.ts' : './child.js', import.meta.url));

export interface WriteMark {
  phase: 'start' | 'end';
  kind: 'keys' | 'creds';
  n: number;
  t: number;
}

/** A disk fault for a child's session directory: mounted read-only, or on a full filesystem. */
export type DiskFault = 'read-only' | 'full';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The mount commands run in the child's own mount namespace before it starts. */
function diskFaultScript(fault: DiskFault, dir: string): string {
  const d = shellQuote(dir);
  if (fault === 'read-only') return `mount --bind ${d} ${d} && mount -o remount,bind,ro ${d}`;
  // Copy the session onto a small tmpfs over the same path, then fill the rest.
  return `S=$(mktemp -d) && cp -a ${d}/. "$S"/ && mount -t tmpfs -o size=4m tmpfs ${d} && cp -a "$S"/. ${d}/ && (dd if=/dev/zero of=${d}/.fill bs=4k 2>/dev/null; true)`;
}

/** One supervised client in its own process. */
export class ChildClient {
  readonly events = new EventStream<SupervisorEvent>();
  readonly writes = new EventStream<WriteMark>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private fatal: string | undefined;

  constructor(
    spec: ChildSpec,
    opts: { env?: NodeJS.ProcessEnv; execArgv?: string[]; disk?: DiskFault; netns?: string } = {},
  ) {
    const execArgv = [...(FROM_SOURCES ? ['--import', 'tsx'] : []), ...(opts.execArgv ?? [])];
    const env = { ...process.env, ...opts.env };
    const node = [process.execPath, ...execArgv, CHILD_ENTRY];
    // The child runs as is, or wrapped: in a private mount namespace for a disk fault (needs root
    // or CAP_SYS_ADMIN), or in a network namespace of the run's own (harness/faults/packet/netns.ts).
    const dir = spec.store.type === 'sqlite' ? dirname(spec.store.path) : spec.store.path;
    const argv = opts.disk
      ? ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${diskFaultScript(opts.disk, dir)} && exec "$0" "$@"`, ...node]
      : opts.netns
        ? ['ip', 'netns', 'exec', opts.netns, ...node]
        : node;
    this.child = dieWithHarness(spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] }));
    const offset = performance.timeOrigin;
    this.child.on('message', (m: ChildMessage) => {
      if (m.type === 'event') this.events.push({ ...m.event, t: m.event.t - offset } as SupervisorEvent);
      else if (m.type === 'write') this.writes.push({ phase: m.phase, kind: m.kind, n: m.n, t: m.t - offset });
      else this.fatal = m.message;
    });
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (code && !this.fatal) this.fatal = stderr.trim().split('\n').slice(-3).join(' | ');
        resolve({ code, signal });
      });
      // A child that cannot be spawned (ENOENT, EACCES) emits 'error' and never 'exit'.
      this.child.once('error', (err) => {
        this.fatal ??= `Failed to start the client process (${argv[0]}): ${err.message}`;
        resolve({ code: null, signal: null });
      });
    });
    this.child.send(spec);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The child's own error, if it failed to start or crashed. */
  get error(): string | undefined {
    return this.fatal;
  }

  /** A clock fault on the child's own wall clock (its Date; timers untouched). */
  clock(op: ClockCommand['op'], value?: number): void {
    if (this.child.connected) this.child.send({ type: 'clock', op, ...(value !== undefined ? { value } : {}) } satisfies ClockCommand);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Asks the child to stop cleanly (IPC disconnect), SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.kill(), graceMs);
    if (this.child.connected) this.child.disconnect();
    await this.exited;
    clearTimeout(timer);
  }
}

export interface SubprocessDriverOptions extends SupervisedDriverOptions {
  env?: NodeJS.ProcessEnv;
}

/** N clients, one process each. */
export class SubprocessDriver implements ClientDriver {
  readonly kind = 'subprocess';
  clients: (DrivenClient & { child: ChildClient })[] = [];

  constructor(private readonly opts: SubprocessDriverOptions) {}

  async start(): Promise<void> {
    const { server, version, count, config, storeKind, workDir, seed } = this.opts;
    for (let i = 0; i < count; i++) {
      const store = { type: storeKind, path: sessionPath(workDir, storeKind, i) };
      const { jid } = await provisionDevice(server, { store: openSessionStore(store), baileysVersion: version });
      const child = new ChildClient(
        { version, store, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey.toString('base64'), config, seed: seed + i },
        { ...(this.opts.env ? { env: this.opts.env } : {}) },
      );
      this.clients.push({ index: i, jid, location: store.path, events: child.events, child });
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.child.stop()));
  }
}
