import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { provisionDevice } from '../../harness/provision.js';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { loadBaileys, trustTestRoot, versionsUnderTest } from '../../harness/baileys/versions.js';
import { systemClock } from '../../core/clock.js';
import { Rng } from '../../core/random.js';
import { FileSessionStore, SqliteSessionStore } from '../../harness/session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from '../../harness/supervisor/config.js';
import { Supervisor, type SupervisorEvent } from '../../harness/supervisor/supervisor.js';
import { onCleanup, startServer, tempDir } from '../helpers.js';

const fast: SupervisorConfig = {
  ...DEFAULT_SUPERVISOR_CONFIG,
  backoff: { baseDelayMs: 200, maxDelayMs: 1000, factor: 2, jitter: 'none', jitterFraction: 0 },
  maxRetries: 4,
  keepAliveIntervalMs: 1000,
  connectTimeoutMs: 3000,
  loginTimeoutMs: 3000,
};

async function supervise(server: FakeWhatsAppServer, version: string, config: Partial<SupervisorConfig> = {}, storeKind: 'file' | 'sqlite' = 'file') {
  const dir = await tempDir();
  const store = storeKind === 'sqlite' ? new SqliteSessionStore(join(dir, 's.db')) : new FileSessionStore(join(dir, 'auth'));
  const device = await provisionDevice(server, { store, baileysVersion: version });
  const baileys = await loadBaileys(version);
  trustTestRoot(baileys, server.trustedPublicKey);
  const supervisor = new Supervisor({ baileys, store, config: { ...fast, ...config }, clock: systemClock, rng: new Rng(1), socketConfig: { waWebSocketUrl: server.wsUrl } });
  onCleanup(() => supervisor.stop());
  await supervisor.start();
  return { supervisor, device };
}

const ofType = <T extends SupervisorEvent['type']>(s: Supervisor, type: T) => s.events.list((e) => e.type === type) as Extract<SupervisorEvent, { type: T }>[];
const nthOpen = (s: Supervisor, n: number, timeoutMs = 15_000) => {
  let seen = 0;
  return s.events.waitFor((e) => e.type === 'open' && ++seen === n, timeoutMs, `open #${n}`);
};

describe.each(versionsUnderTest())('reference supervisor with Baileys %s', (version) => {
  test.each(['file', 'sqlite'] as const)('%s store: reconnects after a server close, logging in as the same device', async (storeKind) => {
    const server = await startServer();
    const { supervisor, device } = await supervise(server, version, {}, storeKind);
    await nthOpen(supervisor, 1);
    server.apply({ kind: 'end-stream' });
    await nthOpen(supervisor, 2);
    const logins = server.events.list({ type: 'login' });
    expect(logins.map((e) => [e.jid, e.detail?.known])).toEqual([[device.jid, true], [device.jid, true]]);
    expect(server.events.list({ type: 'registration' })).toHaveLength(0);
    expect(ofType(supervisor, 'close')[0]).toMatchObject({ code: 428 });
    expect(ofType(supervisor, 'decision')[0]).toMatchObject({ action: 'backoff', delayMs: 200 });
  });

  test('after 401 it stops within one attempt and reports that a re-pair is needed', async () => {
    const server = await startServer();
    const { supervisor } = await supervise(server, version);
    await nthOpen(supervisor, 1);
    server.apply({ kind: 'logged-out' });
    const stopped = await supervisor.waitForStop(10_000);
    expect(stopped).toMatchObject({ reason: 'repair-needed' });
    expect(ofType(supervisor, 'attempt')).toHaveLength(1);
    expect(supervisor.liveSockets).toBe(0);
  });

  test('440 conflict: stands down instead of fighting the other instance', async () => {
    const server = await startServer();
    const { supervisor } = await supervise(server, version);
    await nthOpen(supervisor, 1);
    server.apply({ kind: 'conflict' });
    expect(await supervisor.waitForStop(10_000)).toMatchObject({ reason: 'conflict' });
    expect(ofType(supervisor, 'attempt')).toHaveLength(1);
  });

  test('delays follow the configured backoff and maxRetries is honoured', async () => {
    const server = await startServer({ admission: { refuseLogin: 503 } });
    const { supervisor } = await supervise(server, version);
    const stopped = await supervisor.waitForStop(20_000);
    expect(stopped.reason).toBe('max-retries');
    const decisions = ofType(supervisor, 'decision');
    // 4 retries after the first attempt, with base·factor^(n-1) capped at max; the 5th failure gives up.
    expect(decisions.map((d) => d.delayMs)).toEqual([200, 400, 800, 1000, undefined]);
    const attempts = ofType(supervisor, 'attempt');
    expect(attempts).toHaveLength(5);
    // Measured from events: each retry starts no earlier than its chosen delay after the close.
    const closes = ofType(supervisor, 'close');
    for (let i = 1; i < attempts.length; i++) {
      const waited = attempts[i]!.t - closes[i - 1]!.t;
      expect(waited).toBeGreaterThanOrEqual(decisions[i - 1]!.delayMs! - 1);
      expect(waited).toBeLessThan(decisions[i - 1]!.delayMs! + 500);
    }
    expect(closes.every((c) => c.code === 503)).toBe(true);
  });

  test('a withheld <success> is caught by the login watchdog and retried until the server relents', async () => {
    const server = await startServer({ admission: { withholdSuccess: true } });
    const { supervisor } = await supervise(server, version, { loginTimeoutMs: 1500 });
    await supervisor.events.waitFor((e) => e.type === 'watchdog-expired', 5_000, 'the watchdog');
    server.setAdmission({ withholdSuccess: false });
    await nthOpen(supervisor, 1, 10_000);
    expect(ofType(supervisor, 'decision')[0]).toMatchObject({ action: 'backoff' });
  });

  test('515 restarts at once, and never two connections open for the device', async () => {
    const server = await startServer();
    const { supervisor } = await supervise(server, version);
    await nthOpen(supervisor, 1);
    for (let i = 0; i < 5; i++) {
      server.apply({ kind: 'stream-error', code: 515 });
      await nthOpen(supervisor, i + 2);
    }
    expect(ofType(supervisor, 'decision').map((d) => [d.action, d.delayMs])).toEqual(Array(5).fill(['restart-now', 0]));
    // At every server-side open, no other connection of that device was open.
    let open = 0;
    let maxOpen = 0;
    for (const e of server.events.list()) {
      if (e.type === 'open') maxOpen = Math.max(maxOpen, ++open);
      if (e.type === 'closed' && e.detail?.wasOpen) open--;
    }
    expect(maxOpen).toBe(1);
  });
});
