/**
 * The subprocess driver's child: one supervised client, its events sent to the parent over IPC.
 * Started by SubprocessDriver (`node --import tsx harness/drivers/child.ts`); waits for a
 * `start` message with its ChildSpec.
 */
import { loadBaileys, trustTestRoot } from '../baileys/versions.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { Rng } from '../../core/random.js';
import { openSessionStore } from '../session/index.js';
import { InstrumentedStore } from '../session/instrumented-store.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { DateShim } from '../faults/clock/date-shim.js';

export interface ChildSpec {
  version: string;
  store: { type: 'file' | 'sqlite'; path: string };
  wsUrl: string;
  trustedPublicKey: string; // base64
  config: SupervisorConfig;
  seed: number;
  /** Report each session write's start and end (for crash tests). */
  reportWrites?: boolean;
}

/** Parent → child, after the spec: a clock fault on the child's own Date. */
export type ClockCommand = { type: 'clock'; op: 'jump' | 'skew' | 'drift' | 'reset'; value?: number };

export type ChildMessage =
  | { type: 'event'; event: { t: number } & Record<string, unknown> }
  | { type: 'write'; phase: 'start' | 'end'; kind: 'keys' | 'creds'; n: number; t: number }
  | { type: 'fatal'; message: string };

// Absolute high-resolution time: the parent subtracts its own timeOrigin to put it on its clock.
const absoluteClock: Clock = { now: () => performance.timeOrigin + performance.now(), wallNow: () => Date.now() };
const send = (m: ChildMessage) => {
  if (process.connected) process.send?.(m);
};

const shim = new DateShim(systemClock);
process.once('message', async (spec: ChildSpec) => {
  process.on('message', (m: ClockCommand) => {
    if (m?.type !== 'clock') return;
    shim.install();
    if (m.op === 'reset') shim.reset();
    else shim[m.op](m.value ?? 0);
  });
  try {
    const baileys = await loadBaileys(spec.version);
    trustTestRoot(baileys, Buffer.from(spec.trustedPublicKey, 'base64'));
    let store = openSessionStore(spec.store);
    if (spec.reportWrites) {
      const hook = (phase: 'start' | 'end') => (kind: 'keys' | 'creds', n: number) => send({ type: 'write', phase, kind, n, t: absoluteClock.now() });
      store = new InstrumentedStore(store, { onWriteStart: hook('start'), onWriteEnd: hook('end') });
    }
    const supervisor = new Supervisor({ baileys, store, config: spec.config, clock: absoluteClock, rng: new Rng(spec.seed), socketConfig: { waWebSocketUrl: spec.wsUrl } });
    supervisor.events.subscribe((event) => send({ type: 'event', event }));
    process.once('disconnect', () => void supervisor.stop().then(() => process.exit(0)));
    await supervisor.start();
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).message });
    process.exitCode = 1;
    process.disconnect?.();
  }
});
