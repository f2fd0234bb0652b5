/**
 * Crash trials: a supervised client in a child process is SIGKILLed at a random moment of its
 * login (when session writes happen: pre-key uploads, creds updates); then the store is
 * reloaded and must log in again as the same device. Anything else is a loss, by kind.
 */
import { join } from 'node:path';
import { provisionDevice } from './provision.js';
import type { FakeWhatsAppServer } from '../fake-server/server.js';
import { ObservedClient } from './baileys/client.js';
import { loadBaileys } from './baileys/versions.js';
import { ChildClient } from './drivers/subprocess.js';
import type { Rng } from '../core/random.js';
import { openSessionStore, SessionStoreError } from './session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG } from './supervisor/config.js';

export interface CrashTrialOptions {
  server: FakeWhatsAppServer;
  version: string;
  storeKind: 'file' | 'sqlite';
  workDir: string;
  rng: Rng;
  trials: number;
  /** The kill lands uniformly in [0, windowMs) after the child's first attempt. */
  windowMs: number;
  onTrial?: (i: number, outcome: string) => void;
}

export interface CrashTrialResult {
  storeKind: 'file' | 'sqlite';
  version: string;
  trials: number;
  losses: number;
  /** Outcome counts: ok, or the kind of loss (store problem, or the login's close code). */
  outcomes: Record<string, number>;
  /**
   * Trials whose kill landed while a write was in flight *as the parent saw it over IPC*. The
   * SQLite store writes synchronously, so its start and end marks arrive together and this stays
   * 0 for it even when a kill lands mid-transaction: a lower bound, not a measure.
   */
  killedWithWriteInFlight: number;
}

export async function runCrashTrials(opts: CrashTrialOptions): Promise<CrashTrialResult> {
  const { server, version, storeKind } = opts;
  const baileys = await loadBaileys(version);
  const outcomes: Record<string, number> = {};
  let killedWithWriteInFlight = 0;
  for (let i = 0; i < opts.trials; i++) {
    const store = { type: storeKind, path: join(opts.workDir, storeKind === 'sqlite' ? `crash-${i}.db` : `crash-${i}`) };
    const { jid } = await provisionDevice(server, { store: openSessionStore(store), baileysVersion: version });
    const child = new ChildClient({
      version,
      store,
      wsUrl: server.wsUrl,
      trustedPublicKey: server.trustedPublicKey.toString('base64'),
      config: { ...DEFAULT_SUPERVISOR_CONFIG, keepAliveIntervalMs: 5_000 },
      seed: opts.rng.u32(),
      reportWrites: true,
    });
    let inFlight = 0;
    child.writes.subscribe((w) => (inFlight += w.phase === 'start' ? 1 : -1));
    try {
      await child.events.waitFor((e) => e.type === 'attempt', 20_000, 'the child to start connecting', () => child.error ?? 'no error');
      const delay = opts.rng.next() * opts.windowMs;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (inFlight > 0) killedWithWriteInFlight++;
      child.kill('SIGKILL');
      await child.exited;
    } finally {
      await child.stop();
    }
    const outcome = await reloadAndLogin(server, version, baileys, store, jid);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    opts.onTrial?.(i, outcome);
  }
  const losses = opts.trials - (outcomes.ok ?? 0);
  return { storeKind, version, trials: opts.trials, losses, outcomes, killedWithWriteInFlight };
}

async function reloadAndLogin(
  server: FakeWhatsAppServer,
  version: string,
  baileys: Awaited<ReturnType<typeof loadBaileys>>,
  storeSpec: { type: 'file' | 'sqlite'; path: string },
  jid: string,
): Promise<string> {
  const store = openSessionStore(storeSpec);
  try {
    const session = await store.load(baileys);
    await session.close();
  } catch (err) {
    if (err instanceof SessionStoreError) return `store-${err.problem}`;
    throw err;
  }
  const seq = server.events.list().at(-1)?.seq ?? 0;
  const client = await ObservedClient.connect({ version, wsUrl: server.wsUrl, trustedPublicKey: server.trustedPublicKey, authDir: storeSpec.path, store, allowNew: false });
  try {
    const first = await Promise.race([client.waitFor('open', 20_000), client.waitFor('close', 20_000), client.waitFor('qr', 20_000)]);
    if (first.type !== 'open') return first.type === 'qr' ? 'qr-re-pair' : `login-closed-${first.code}`;
    const login = server.events.list({ since: seq, type: 'login' }).at(-1);
    return login?.jid === jid ? 'ok' : 'other-device';
  } finally {
    await client.end();
  }
}
