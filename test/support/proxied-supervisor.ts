/**
 * The setup the fault tests share: a fake server, Toxiproxy (the best available) in front of it,
 * a provisioned device, and the reference supervisor connecting through the proxy with settings
 * that detect and recover fast.
 */
import { join } from 'node:path';
import { provisionDevice } from '../../harness/provision.js';
import { loadBaileys, trustTestRoot } from '../../harness/baileys/versions.js';
import { systemClock } from '../../core/clock.js';
import { openToxiproxy } from '../../harness/faults/toxiproxy/backend.js';
import { Rng } from '../../core/random.js';
import { openSessionStore } from '../../harness/session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from '../../harness/supervisor/config.js';
import { Supervisor } from '../../harness/supervisor/supervisor.js';
import { onCleanup, startServer, tempDir } from '../helpers.js';

/** 1 s keep-alive, 300 ms–1 s backoff, never give up: detection and recovery in seconds. */
export const FAST_RECOVERY: SupervisorConfig = {
  ...DEFAULT_SUPERVISOR_CONFIG,
  backoff: { baseDelayMs: 300, maxDelayMs: 1000, factor: 1.5, jitter: 'none', jitterFraction: 0 },
  maxRetries: 0,
  keepAliveIntervalMs: 1000,
  connectTimeoutMs: 2000,
  loginTimeoutMs: 3000,
};

export async function superviseThroughToxiproxy(version: string, opts: { store?: 'file' | 'sqlite'; seed?: number } = {}) {
  const server = await startServer();
  const toxiproxy = await openToxiproxy({ clock: systemClock, seed: opts.seed ?? 1 });
  onCleanup(() => toxiproxy.close());
  const proxy = await toxiproxy.client.createProxy(`wa-${version}`, `127.0.0.1:${server.port}`);
  const kind = opts.store ?? 'file';
  const store = openSessionStore({ type: kind, path: join(await tempDir(), kind === 'sqlite' ? 's.db' : 'auth') });
  const device = await provisionDevice(server, { store, baileysVersion: version });
  const baileys = await loadBaileys(version);
  trustTestRoot(baileys, server.trustedPublicKey);
  const supervisor = new Supervisor({ baileys, store, clock: systemClock, rng: new Rng(opts.seed ?? 1), config: FAST_RECOVERY, socketConfig: { waWebSocketUrl: `ws://${proxy.listen}/ws/chat` } });
  onCleanup(() => supervisor.stop());
  await supervisor.start();
  const opens = (n: number, timeoutMs: number) => {
    let seen = 0;
    return supervisor.events.waitFor((e) => e.type === 'open' && ++seen === n, timeoutMs, `open #${n}`);
  };
  await opens(1, 15_000);
  return { server, toxiproxy, proxy, supervisor, device, opens };
}
