/**
 * A scale bench worker process: holds `clients` real Baileys clients of one version, each in the
 * reference Supervisor (harness/supervisor: reconnects with backoff after the server restart),
 * idle with real keep-alives, and meters its own event loop (monitorEventLoopDelay), memory and
 * CPU per phase.
 *
 * Started by bench/scale.ts with fork (IPC): `node --import tsx bench/scale/worker.ts`.
 * Messages in: init → ready; go (start every supervisor at once); phase (close the current
 * phase's meters, start the next); stop (stop every supervisor, wait for session writes, exit).
 * Messages out: ready, open / close / stopped per client (with a machine-wide monotonic time),
 * phase-stats, stopped-all, error.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock } from '../../core/clock.js';
import { Rng } from '../../core/random.js';
import { FakeWhatsAppServer } from '../../fake-server/server.js';
import { loadBaileys, trustTestRoot } from '../../harness/baileys/versions.js';
import { FileSessionStore } from '../../harness/session/file-store.js';
import type { SupervisorConfig } from '../../harness/supervisor/config.js';
import { Supervisor } from '../../harness/supervisor/supervisor.js';

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of the machine. */
export const mono = () => Number(process.hrtime.bigint()) / 1e6;

export interface WorkerInit {
  type: 'init';
  worker: number;
  version: string;
  wsUrl: string;
  trustedPublicKey: string;
  clients: { index: number; authDir: string }[];
  config: SupervisorConfig;
  seed: number;
}
export type WorkerRequest = WorkerInit | { type: 'go' } | { type: 'phase'; name: string } | { type: 'stop' };

export interface PhaseStats {
  phase: string;
  ms: number;
  /** Event-loop delay over the phase, ms (monitorEventLoopDelay, 10 ms resolution). */
  lag: { p50: number; p99: number; max: number; mean: number };
  /** At the phase's end. */
  memory: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  cpuMs: number;
  open: number;
}
export type WorkerReply =
  | { type: 'ready'; worker: number; pid: number; memory: PhaseStats['memory']; loadMs: number }
  | { type: 'open'; index: number; t: number; attempt: number }
  | { type: 'close'; index: number; t: number; code?: number }
  | { type: 'attempt'; index: number; t: number; attempt: number }
  | { type: 'stopped'; index: number; reason: string; message: string }
  | { type: 'phase-stats'; worker: number; stats: PhaseStats }
  | { type: 'stopped-all'; worker: number }
  | { type: 'error'; worker?: number; message: string };

const send = (m: WorkerReply) => {
  if (process.connected) process.send!(m);
};
/** Memory after a full GC (the workers run with --expose-gc): what the clients retain, not garbage. */
const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
};
const ms = (ns: number) => ns / 1e6;

let init: WorkerInit | undefined;
let supervisors: Supervisor[] = [];
let baileys: Awaited<ReturnType<typeof loadBaileys>> | undefined;
const lag = monitorEventLoopDelay({ resolution: 10 });
let phase = { name: 'loading', t0: mono(), cpu0: process.cpuUsage() };
let open = new Set<number>();

function closePhase(next: string): void {
  const cpu = process.cpuUsage(phase.cpu0);
  const stats: PhaseStats = {
    phase: phase.name,
    ms: mono() - phase.t0,
    lag: lag.count ? { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max), mean: ms(lag.mean) } : { p50: 0, p99: 0, max: 0, mean: 0 },
    memory: memory(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    open: open.size,
  };
  send({ type: 'phase-stats', worker: init?.worker ?? -1, stats });
  lag.reset();
  phase = { name: next, t0: mono(), cpu0: process.cpuUsage() };
}

async function onInit(m: WorkerInit): Promise<void> {
  const t0 = mono();
  init = m;
  baileys = await loadBaileys(m.version);
  trustTestRoot(baileys, Buffer.from(m.trustedPublicKey, 'base64'));
  lag.enable();
  closePhase('ready'); // drops the loading phase's stats (module loading) from what follows
  send({ type: 'ready', worker: m.worker, pid: process.pid, memory: memory(), loadMs: mono() - t0 });
}

function onGo(): void {
  const m = init!;
  closePhase('burst');
  supervisors = m.clients.map(({ index, authDir }) => {
    const s = new Supervisor({
      baileys: baileys!,
      store: new FileSessionStore(authDir),
      config: m.config,
      clock: systemClock,
      rng: new Rng(m.seed + index),
      socketConfig: { waWebSocketUrl: FakeWhatsAppServer.clientUrl(m.wsUrl, index), syncFullHistory: false },
    });
    s.events.subscribe((e) => {
      if (e.type === 'open') {
        open.add(index);
        send({ type: 'open', index, t: mono(), attempt: e.attempt });
      } else if (e.type === 'close') {
        open.delete(index);
        send({ type: 'close', index, t: mono(), ...(e.code !== undefined ? { code: e.code } : {}) });
      } else if (e.type === 'attempt') send({ type: 'attempt', index, t: mono(), attempt: e.attempt });
      else if (e.type === 'stopped') send({ type: 'stopped', index, reason: e.reason, message: e.message });
    });
    return s;
  });
  for (const s of supervisors) s.start().catch((err: Error) => send({ type: 'error', worker: m.worker, message: `client start: ${err.message}` }));
}

async function onStop(): Promise<void> {
  const all = supervisors;
  supervisors = [];
  await Promise.race([Promise.allSettled(all.map((s) => s.stop())), new Promise((r) => setTimeout(r, 10_000))]);
  send({ type: 'stopped-all', worker: init?.worker ?? -1 });
  lag.disable();
  setTimeout(() => process.exit(0), 50);
}

process.on('disconnect', () => void onStop().finally(() => process.exit(0))); // the bench died: never outlive it
process.on('message', (m: WorkerRequest) => {
  try {
    if (m.type === 'init') void onInit(m).catch((err: Error) => send({ type: 'error', worker: m.worker, message: err.stack ?? err.message }));
    else if (m.type === 'go') onGo();
    else if (m.type === 'phase') closePhase(m.name);
    else if (m.type === 'stop') void onStop();
  } catch (err) {
    send({ type: 'error', worker: init?.worker ?? -1, message: (err as Error).stack ?? String(err) });
  }
});
// Baileys rejects some promises after a socket ends; they must not kill a worker holding 50 clients.
process.on('unhandledRejection', () => undefined);
